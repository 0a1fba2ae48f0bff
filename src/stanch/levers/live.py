"""Live discovery: what the cluster and the flag services say now, next to the repository.

Opt-in ([levers.live] or `--live`). Each source that fails becomes one note and the
repository scan goes on. What is read:

- helm releases and their history: the exact revision a rollback returns to, and a
  release upgraded shortly before onset ranks its rollback first;
- Deployments and their ReplicaSets: live replicas and images reconciled with the
  repository (drift is evidence), and a rollout shortly before onset ranks its undo first;
- flag state: a flag already off offers no flag_off lever; one turned on shortly before
  onset ranks its flag_off first.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from stanch.executor import Executor
from stanch.levers import live_flags, live_kube
from stanch.levers.live_flags import FlagState
from stanch.levers.live_kube import LiveError, Release, Revisions, Workload
from stanch.levers.settings import LiveSettings
from stanch.model.clock import iso
from stanch.model.levers import LAUNCHDARKLY, UNLEASH, Action, Lever, Surface

MAX_JSON = 64 * 1024 * 1024  # a whole cluster's `-o json` list; never put on the timeline


@dataclass
class LiveView:
    """Everything read live, and a note for each source that could not be read."""

    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    releases: list[tuple[Release, Revisions | None]] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    rollouts: dict[tuple[str, str], Revisions] = field(default_factory=dict)
    flags: list[FlagState] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"enabled": True, "sources": self.sources, "drift": self.drift,
                "flags": [f.to_dict() for f in self.flags]}  # fmt: skip


def _stamp(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M}Z" if at else "an unknown time"


def read(live: LiveSettings, services: dict[str, dict[str, Any]],
         surfaces: list[Surface]) -> LiveView:  # fmt: skip
    """Read every enabled live source; failures become notes, never errors."""
    view = LiveView()
    runner = Executor(timeout=live.timeout_s, max_output=MAX_JSON)
    if live.helm:
        view.sources.append("helm")
        _read_helm(view, runner, live)
    if live.kubectl:
        view.sources.append("kubectl")
        try:
            view.workloads = live_kube.deployments(runner, live)
            view.rollouts = live_kube.rollouts(runner, live)
        except LiveError as exc:
            view.notes.append(f"live kubectl: {exc}")
        else:
            try:  # RBAC may allow Deployments and not the others: each read stands alone
                view.workloads.extend(live_kube.sets(runner, live))
            except LiveError as exc:
                view.notes.append(f"live kubectl: {exc}")
    if live.flags:
        if not any(services.get(p) for p in (UNLEASH, LAUNCHDARKLY)):
            view.notes.append("live flags: no flag service is configured ([levers.unleash] or "
                              "[levers.launchdarkly]); flag state was not read")  # fmt: skip
        _read_flags(view, services, surfaces, live.timeout_s)
    return view


def _read_helm(view: LiveView, runner: Executor, live: LiveSettings) -> None:
    try:
        releases = live_kube.helm_releases(runner, live)
    except LiveError as exc:
        view.notes.append(f"live helm: {exc}")
        return
    for release in releases:
        try:
            view.releases.append((release, live_kube.helm_history(runner, live, release)))
        except LiveError as exc:
            view.notes.append(f"live helm history of {release.name} -n {release.namespace}: {exc}")
            view.releases.append((release, None))


def _read_flags(view: LiveView, services: dict[str, dict[str, Any]], surfaces: list[Surface],
                timeout: float) -> None:  # fmt: skip
    readers = {UNLEASH: live_flags.unleash, LAUNCHDARKLY: live_flags.launchdarkly}
    for provider, reader in readers.items():
        if not services.get(provider):
            continue
        keys = sorted({str(f["key"]) for s in surfaces if s.kind == "feature_flags"
                       and s.details.get("provider") == provider
                       for f in s.details.get("flags", [])})  # fmt: skip
        if not keys:
            continue
        view.sources.append(provider)
        try:
            states, notes = reader(services, keys, timeout)
        except LiveError as exc:
            view.notes.append(f"live {provider} flag state: {exc}")
            continue
        view.flags.extend(states)
        view.notes.extend(notes)


def merge(surfaces: list[Surface], view: LiveView, context: str | None) -> list[Surface]:
    """The repository's surfaces with live facts added, plus what only the cluster has."""
    where = context or "current-context"
    out = list(surfaces)
    for release, _ in view.releases:
        facts = {"chart": release.chart, "app_version": release.app_version,
                 "revision": release.revision, "status": release.status,
                 "updated": _iso(release.updated)}  # fmt: skip
        index = _find(out, "helm_release", release.name, release.namespace)
        if index is None:
            out.append(Surface("helm_release", f"helm://{where}/{release.namespace}/{release.name}",
                               release.name, {"namespace": release.namespace, **facts,
                                              "via": "live", "source": "live"}))  # fmt: skip
        else:
            s = out[index]
            out[index] = replace(s, details={**s.details, "namespace": release.namespace,
                                             "live": facts})  # fmt: skip
    for w in view.workloads:
        out.extend(_merge_workload(out, w, view, where))
    return out


def _iso(at: datetime | None) -> str | None:
    return iso(at) if at else None


def _find(surfaces: list[Surface], kind: str, name: str, namespace: str,
          workload_kind: str | None = None) -> int | None:  # fmt: skip
    """The repository surface for a live object: same name, same (or no) namespace."""
    exact = [i for i, s in enumerate(surfaces) if s.kind == kind and s.name == name
             and s.details.get("namespace") == namespace]  # fmt: skip
    loose = [i for i, s in enumerate(surfaces) if s.kind == kind and s.name == name
             and not s.details.get("namespace")]  # fmt: skip
    if workload_kind:
        exact = [i for i in exact if surfaces[i].details.get("workload_kind") == workload_kind]
        loose = [i for i in loose if surfaces[i].details.get("workload_kind") == workload_kind]
    return exact[0] if exact else (loose[0] if len(loose) == 1 else None)


def _merge_workload(out: list[Surface], w: Workload, view: LiveView, where: str) -> list[Surface]:
    facts = {"replicas": w.replicas, "ready": w.ready, "images": sorted(w.containers.values()),
             "revision": w.revision}  # fmt: skip
    index = _find(out, "k8s_workload", w.name, w.namespace, w.kind)
    if index is None:
        return [Surface("k8s_workload", f"kube://{where}/{w.namespace}/{w.kind.lower()}/{w.name}",
                        w.name, {"workload_kind": w.kind, "namespace": w.namespace,
                                 "replicas": w.replicas, "images": facts["images"],
                                 "containers": dict(w.containers), "env_flags": [],
                                 "notes": [], "source": "live"})]  # fmt: skip
    s = out[index]
    drift = _drift(s, w)
    view.drift.extend(f"{w.kind.lower()}/{w.name} -n {w.namespace} ({s.path}): {d}"
                      for d in drift)  # fmt: skip
    out[index] = replace(s, details={**s.details, "namespace": w.namespace, "live": facts,
                                     "notes": [*s.details.get("notes", []), *drift]})  # fmt: skip
    return []


def _drift(s: Surface, w: Workload) -> list[str]:
    """Where the running Deployment differs from the repository: evidence, not an error."""
    found = []
    declared = s.details.get("replicas")
    if isinstance(declared, int) and w.replicas is not None and declared != w.replicas:
        found.append(f"drift: live replicas {w.replicas}, the repository says {declared}")
    for container, image in s.details.get("containers", {}).items():
        running = w.containers.get(container)
        if running is not None and running != image:
            found.append(f"drift: container {container} runs {running}, the repository says "
                         f"{image}")  # fmt: skip
    return found


def adjust(levers: list[Lever], view: LiveView, onset: datetime,
           window: timedelta) -> list[Lever]:  # fmt: skip
    """Exact live revisions, recent live changes marked, levers with no way back removed."""
    recent = _Window(onset, window)
    by_id = {lever.id: lever for lever in levers}
    for release, history in view.releases:
        _helm(by_id, release, history, recent, view.notes)
    for w in view.workloads:
        history = view.rollouts.get((w.namespace, w.name)) if w.kind == "Deployment" else None
        _rollout(by_id, w, history, recent, view.notes)
        _scale(by_id, w)
    for flag in view.flags:
        if flag.configured:  # other environments are shown, not acted on
            _flag(by_id, flag, recent, view.notes)
    return [by_id[lever.id] for lever in levers if lever.id in by_id]


@dataclass(frozen=True)
class _Window:
    onset: datetime
    width: timedelta

    def __contains__(self, at: datetime | None) -> bool:
        return at is not None and self.onset - self.width <= at <= self.onset


def _marked(lever: Lever, text: str) -> Lever:
    joined = f"{text}; {lever.recent_change}" if lever.recent_change else text
    return replace(lever, recent_change=joined)


def _with_previous(by_id: dict[str, Lever], key: str, history: Revisions | None,
                   notes: list[str], single: str) -> tuple[Lever, Revisions] | None:  # fmt: skip
    """The lever at `key` and its history when there is a revision to go back to; with a
    single revision the lever is dropped and `single` noted."""
    lever = by_id.get(key)
    if lever is None or history is None:
        return None
    if history.previous is None:
        del by_id[key]
        notes.append(single.replace("{current}", str(history.current)))
        return None
    return lever, history


def _dated(lever: Lever, history: Revisions, recent: _Window, change: str, seen: str) -> Lever:
    """Rank the reversal first when the change happened in the window (`change` says why);
    else keep `seen` as evidence. Both may use {at}."""
    at = _stamp(history.since)
    if history.since in recent:
        return _marked(lever, change.replace("{at}", at))
    return replace(lever, evidence=(*lever.evidence, seen.replace("{at}", at)))


def _helm(by_id: dict[str, Lever], release: Release, history: Revisions | None,
          recent: _Window, notes: list[str]) -> None:  # fmt: skip
    key = f"rollback:helm:{release.name}@{release.namespace}"
    found = _with_previous(by_id, key, history, notes, f"helm release {release.name} -n "
                           f"{release.namespace} has a single deployed revision ({{current}}): "
                           "no rollback is offered")  # fmt: skip
    if found is None:
        return
    lever, history = found
    ns = ("-n", release.namespace)
    lever = replace(
        lever, command=Action(("helm", "rollback", release.name, str(history.previous), *ns)),
        rollback=Action(("helm", "rollback", release.name, str(history.current), *ns)),
    )  # fmt: skip
    back = f"rollback returns to revision {history.previous}"
    by_id[key] = _dated(lever, history, recent, f"helm release {release.name} upgraded to "
                        f"revision {history.current} at {{at}}; {back}",
                        f"live: revision {history.current} deployed at {{at}}; {back}")  # fmt: skip


def _rollout(by_id: dict[str, Lever], w: Workload, history: Revisions | None,
             recent: _Window, notes: list[str]) -> None:  # fmt: skip
    key = f"rollback:{w.kind.lower()}:{w.name}@{w.namespace}"
    ref = f"{w.kind.lower()}/{w.name}"
    found = _with_previous(by_id, key, history, notes, f"{ref} -n {w.namespace} has a single "
                           "rollout revision ({current}): no rollout undo is offered")  # fmt: skip
    if found is None:
        return
    lever, history = found
    when = f"at {{at}}; undo returns to revision {history.previous}"
    by_id[key] = _dated(lever, history, recent, f"{ref} rolled out revision {history.current} "
                        f"{when}", f"live: revision {history.current} rolled out {when}")  # fmt: skip


def _scale(by_id: dict[str, Lever], w: Workload) -> None:
    """Scale from the replicas running now, not the ones the repository declares."""
    key = f"scale:{w.kind.lower()}:{w.name}@{w.namespace}"
    lever = by_id.get(key)
    if lever is None or w.replicas is None:
        return
    new = max(2, w.replicas * 2)

    def counted(action: Action | None, n: int) -> Action | None:
        if action is None:
            return None
        return Action(tuple(f"--replicas={n}" if p.startswith("--replicas=") else p
                            for p in action.argv))  # fmt: skip

    evidence = tuple(e for e in lever.evidence if not e.startswith("replicas "))
    by_id[key] = replace(
        lever, command=counted(lever.command, new) or lever.command,
        rollback=counted(lever.rollback, w.replicas),
        evidence=(*evidence, f"live replicas {w.replicas} → {new}"),
        params={**lever.params, "replicas": new},
    )  # fmt: skip


def _flag(by_id: dict[str, Lever], flag: FlagState, recent: _Window, notes: list[str]) -> None:
    key = f"flag_off:{flag.provider}:{flag.key}"
    lever = by_id.get(key)
    if lever is None:
        return
    if not flag.on:
        del by_id[key]
        notes.append(f"{flag.provider} flag {flag.key} is already off in {flag.environment} "
                     f"(since {_stamp(flag.changed_at)}): no flag_off lever is offered")  # fmt: skip
        return
    live_note = f"live: on in {flag.environment}, {flag.change} at {_stamp(flag.changed_at)}"
    lever = replace(lever, evidence=(*lever.evidence, live_note))
    if flag.change != "turned off" and flag.changed_at in recent:
        lever = _marked(lever, f"{flag.provider} flag {flag.key} {flag.change} in "
                        f"{flag.environment} at {_stamp(flag.changed_at)}")  # fmt: skip
    by_id[key] = lever
