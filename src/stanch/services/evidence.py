"""Evidence use cases: changes before onset, recorded changes; results go on the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from stanch.evidence import changelog
from stanch.evidence.certs import CertSource, TlsSource, endpoint_of
from stanch.evidence.certs import load_settings as cert_settings
from stanch.evidence.changes import GitSource, ServiceMap, catalog_globs
from stanch.evidence.deploys import HelmSource, RolloutSource
from stanch.evidence.quotas import load_settings as quota_settings
from stanch.evidence.quotas import quota_changes
from stanch.evidence.settings import EvidenceSettings, load, parse_duration
from stanch.evidence.unleash_events import UnleashSource
from stanch.evidence.unleash_events import load_settings as unleash_settings
from stanch.executor import Executor
from stanch.model import evidence as model
from stanch.model.clock import from_iso, iso
from stanch.model.evidence import Change, Suspect
from stanch.model.incident import Incident
from stanch.model.kinds import CHANGE_RECORDED
from stanch.model.timeparse import parse_when
from stanch.prometheus import PrometheusClient
from stanch.services.context import App, record

TOP_RECORDED = 5


def settings_of(app: App) -> EvidenceSettings:
    return load(app.settings.raw, app.settings.root, app.settings.data_dir)


def detected_onset(app: App, key: str) -> datetime | None:
    """The onset the latest `evidence onset` found in the flagging metric, if any."""
    found = None
    for event in app.store.iter_events(key):
        if event.kind == model.EVIDENCE_ONSET:
            found = event.data.get("onset")
    return from_iso(found) if found else None


def onset_of(
    state: Incident, given: str | None, now: datetime, detected: datetime | None = None
) -> tuple[datetime, str]:
    """The onset to work from and where it came from: given, detected, responder, declared."""
    if given:
        return parse_when(given, now), "given"
    if detected is not None:
        return detected, "detected"
    if state.onset_at != state.declared_at:
        return state.onset_at, "responder"
    return state.declared_at, "declared"


@dataclass(frozen=True)
class ChangesReport:
    incident: str
    onset: datetime
    onset_source: str
    window: timedelta
    services: tuple[str, ...]
    sources: tuple[str, ...]
    suspects: list[Suspect]
    seq: int | None

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON of `stanch evidence changes --json`."""
        return {
            "incident": self.incident,
            "onset": iso(self.onset),
            "onset_source": self.onset_source,
            "window": {"from": iso(self.onset - self.window), "to": iso(self.onset)},
            "services": list(self.services),
            "sources": list(self.sources),
            "suspects": [s.to_dict() for s in self.suspects],
            "recorded_seq": self.seq,
        }


def changes(
    app: App,
    incident: str | None,
    *,
    onset: str | None = None,
    window: str | None = None,
    repos: list[Path] | None = None,
    services: list[str] | None = None,
    helm: list[str] | None = None,
    k8s: list[str] | None = None,
    tls: list[str] | None = None,
    record_it: bool = True,
) -> ChangesReport:
    """Changes in the window before onset from git, the change log and the incident, ranked.

    `tls` (HOST:PORT endpoints) replaces `[evidence.certs] tls` when given.
    """
    for endpoint in tls or ():
        endpoint_of(endpoint)  # a bad endpoint fails before anything is read or recorded
    cfg = settings_of(app)
    key = app.resolve_id(incident)
    state = app.store.state(key)
    now = app.clock()
    start, source_of_onset = onset_of(state, onset, now, detected_onset(app, key))
    span = parse_duration(window, "--window") if window else cfg.window
    affected = tuple(services or state.services or _failing_services(app, key))
    found, sources = _gather(
        app, cfg, key, start, span, tuple(repos or cfg.repos), affected,
        tuple(helm or cfg.helm_releases), tuple(k8s or cfg.deployments), tuple(tls or ()),
    )  # fmt: skip
    suspects = model.rank(found, start, span, affected)
    seq = None
    if record_it:
        data = {
            "summary": model.changes_summary(suspects, start),
            "onset": iso(start), "window": {"from": iso(start - span), "to": iso(start)},
            "services": list(affected), "sources": list(sources), "considered": len(found),
            "suspects": [s.to_dict() for s in suspects[:TOP_RECORDED]],
        }  # fmt: skip
        who = app.settings.actor
        event, _ = record(
            app, key, lambda _s: model.finding(model.EVIDENCE_CHANGES, data, who, now)
        )
        seq = event.seq
    return ChangesReport(key, start, source_of_onset, span, affected, sources, suspects, seq)


def _failing_services(app: App, key: str) -> tuple[str, ...]:
    """Without a named service, the failing hop found in traces says where to look."""
    hop = None
    for event in app.store.iter_events(key):
        if event.kind == model.EVIDENCE_TRACES and event.data.get("failing_hop"):
            hop = event.data["failing_hop"]
    if not hop:
        return ()
    return tuple(s for s in (hop.get("service"), hop.get("downstream")) if s)


def _gather(
    app: App, cfg: EvidenceSettings, key: str, onset: datetime, span: timedelta,
    repos: tuple[Path, ...], affected: tuple[str, ...], releases: tuple[str, ...] = (),
    deployments: tuple[str, ...] = (), tls: tuple[str, ...] = (),
) -> tuple[list[Change], tuple[str, ...]]:  # fmt: skip
    found = changelog.from_events(app.store.iter_events(key))
    sources = ["incident events"]
    if cfg.change_log is not None and cfg.change_log.exists():
        found += changelog.read(cfg.change_log)
        sources.append(str(cfg.change_log))
    known = tuple(sorted(set(cfg.services) | set(affected)))
    executor = Executor(timeout=60)
    since, until = onset - span, onset + model.GRACE_AFTER_ONSET
    certs = cert_settings(app.settings.raw)
    for repo in repos:
        globs = {**catalog_globs(repo, executor), **cfg.services}
        mapping = ServiceMap(globs, tuple(sorted(set(known) | set(globs))))
        found += GitSource(repo, mapping, executor).changes(since, until)
        found += CertSource(repo, mapping, executor).changes(since, until)
        found += CertSource(repo, mapping, executor).expiring(onset, until, certs.horizon)
        sources.append(f"git:{repo}")
    for endpoint in tls or certs.tls:
        served, line = TlsSource(endpoint, ServiceMap(cfg.services, known), executor).changes(
            since, onset, certs.horizon
        )
        found += served
        sources.append(line)
    unleash = unleash_settings(app.settings.raw)
    if unleash is not None:
        found += UnleashSource(unleash, ServiceMap(cfg.services, known)).changes(since, until)
        sources.append(f"unleash:{unleash.url}")
    quotas = quota_settings(app.settings.raw)
    if quotas is not None and cfg.prometheus_url:
        client = PrometheusClient(cfg.prometheus_url)
        found += quota_changes(client, quotas, onset, known)
        sources.append(f"quotas:{cfg.prometheus_url}")
    for release in releases:
        found += HelmSource(release, executor).changes()
        sources.append(f"helm:{release}")
    for deployment in deployments:
        found += RolloutSource(deployment, executor).changes()
        sources.append(f"k8s:{deployment}")
    return found, tuple(sources)


def record_change(
    app: App,
    *,
    kind: str,
    ref: str,
    summary: str,
    services: list[str] | None = None,
    undo: str | None = None,
    at: str | None = None,
    incident: str | None = None,
) -> dict[str, Any]:
    """A deploy, flag flip or config push: into the change log, and on the incident if named."""
    cfg = settings_of(app)
    now = app.clock()
    moment = parse_when(at, now) if at else now
    who = app.settings.actor
    data = changelog.entry(kind, ref, moment, summary, tuple(services or ()), undo, who)
    if incident:
        key = app.resolve_id(incident)
        event_data = {**data, "summary": f"change {kind} {ref}: {data['summary']}"}
        event, _ = record(
            app, key, lambda _s: model.finding(CHANGE_RECORDED, event_data, who, now, moment)
        )
        return {**data, "incident": key, "seq": event.seq}
    assert cfg.change_log is not None
    changelog.append(cfg.change_log, data)
    return {**data, "log": str(cfg.change_log)}
