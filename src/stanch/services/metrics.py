"""Onset from the flagging metric, and the RED/USE picture before vs after onset."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from stanch.errors import InvalidInput
from stanch.evidence import onset as detector
from stanch.evidence.plot import Marker, svg
from stanch.evidence.prometheus import MetricSource, Prometheus
from stanch.evidence.settings import EvidenceSettings, MetricNames, parse_duration
from stanch.model import evidence as model
from stanch.model.clock import iso, utc
from stanch.model.incident import Incident
from stanch.model.timeparse import parse_when
from stanch.services.context import App, record
from stanch.services.evidence import detected_onset, onset_of, settings_of


def source_of(cfg: EvidenceSettings, url: str | None) -> MetricSource:
    chosen = url or cfg.prometheus_url
    if not chosen:
        raise InvalidInput("no Prometheus: pass --prometheus URL or set [evidence] prometheus_url")
    return Prometheus(chosen)


def _step(start: datetime, end: datetime) -> timedelta:
    return timedelta(seconds=max(1.0, round((end - start).total_seconds() / 400)))


@dataclass(frozen=True)
class OnsetReport:
    query: str
    window: tuple[datetime, datetime]
    points: int
    detected: detector.Step | None
    responder: datetime
    responder_source: str
    tolerance: timedelta
    seq: int | None = None

    @property
    def detected_at(self) -> datetime | None:
        return None if self.detected is None else datetime.fromtimestamp(self.detected.at, UTC)

    @property
    def disagree(self) -> bool:
        at = self.detected_at
        return at is not None and abs(at - self.responder) > self.tolerance

    def to_dict(self) -> dict[str, Any]:
        at = self.detected_at
        return {
            "query": self.query, "window": {"from": iso(self.window[0]), "to": iso(self.window[1])},
            "points": self.points, "onset": iso(at) if at else None,
            "step": self.detected.to_dict() if self.detected else None,
            "responder_onset": iso(self.responder), "responder_source": self.responder_source,
            "difference_s": int((at - self.responder).total_seconds()) if at else None,
            "disagree": self.disagree, "recorded_seq": self.seq,
        }  # fmt: skip

    def summary(self) -> str:
        at = self.detected_at
        if at is None or self.detected is None:
            return f"onset of {self.query}: no level shift in {self.points} points"
        text = (
            f"onset of {self.query}: {iso(at)} ({self.detected.before:.4g} → "
            f"{self.detected.after:.4g})"
        )
        if self.disagree:
            return (
                text + f"; disagrees with the {self.responder_source} onset {iso(self.responder)}"
            )
        return text + f"; agrees with the {self.responder_source} onset"


def _window(
    state: Incident, since: str | None, until: str | None, now: datetime
) -> tuple[datetime, datetime]:
    start = (
        parse_when(since, now)
        if since
        else min(state.onset_at, state.declared_at) - timedelta(hours=3)
    )
    end = parse_when(until, now) if until else now
    if end <= start:
        raise InvalidInput(f"empty window: {iso(start)} is not before {iso(end)}")
    return utc(start), utc(end)


def onset(
    app: App, incident: str | None, *, query: str | None = None, file: Path | None = None,
    since: str | None = None, until: str | None = None, prometheus: str | None = None,
    record_it: bool = True,
) -> OnsetReport:  # fmt: skip
    """Detect the onset of the flagging metric and compare it with the responder's."""
    if (query is None) == (file is None):
        raise InvalidInput("give either a PromQL --query or a series --file")
    cfg = settings_of(app)
    key = app.resolve_id(incident)
    state = app.store.state(key)
    now = app.clock()
    start, end = _window(state, since, until, now)
    if file is not None:
        points = [
            p for p in detector.read_series(file) if start.timestamp() <= p[0] <= end.timestamp()
        ]
        asked = str(file)
    else:
        assert query is not None
        found = source_of(cfg, prometheus).query_range(query, start, end, _step(start, end))
        if len(found) > 1:
            raise InvalidInput(
                f"{query!r} returns {len(found)} series: aggregate it to one (sum …)"
            )
        points, asked = (found[0].points if found else []), query
    if not points:
        raise InvalidInput(f"no data for {asked} between {iso(start)} and {iso(end)}")
    responder = state.onset_at
    source = "responder" if state.onset_at != state.declared_at else "declared"
    report = OnsetReport(asked, (start, end), len(points), detector.detect(points), responder,
                         source, cfg.onset_tolerance)  # fmt: skip
    if not record_it:
        return report
    data = {**report.to_dict(), "summary": report.summary()}
    data.pop("recorded_seq")
    who = app.settings.actor
    event, _ = record(app, key, lambda _s: model.finding(model.EVIDENCE_ONSET, data, who, now))
    return OnsetReport(**{**report.__dict__, "seq": event.seq})


def red_use_queries(names: MetricNames, service: str) -> dict[str, str]:
    """The PromQL behind each number, shown next to it."""
    sel = names.selector.format(service=service)
    w = names.rate_window
    req = f"sum(rate({names.requests}{{{sel}}}[{w}]))"
    quantile = (
        "histogram_quantile({q}, sum by (le) (rate("
        + names.duration_bucket
        + "{{"
        + sel
        + "}}["
        + w
        + "])))"
    )
    return {
        "rate": req,
        "error_ratio": f"sum(rate({names.requests}{{{sel},{names.error_matcher}}}[{w}])) / {req}",
        "p50": quantile.format(q="0.5"), "p95": quantile.format(q="0.95"),
        "p99": quantile.format(q="0.99"),
        "cpu": f"sum(rate({names.cpu}{{{sel}}}[{w}]))", "memory": f"sum({names.memory}{{{sel}}})",
        "threads": f"sum({names.threads}{{{sel}}})",
        "connections": f"sum({names.connections}{{{sel}}})",
    }  # fmt: skip


@dataclass(frozen=True)
class MetricsReport:
    service: str
    onset: datetime
    window: timedelta
    numbers: list[dict[str, Any]]
    plot: str | None = None
    seq: int | None = None
    series: dict[str, list[tuple[float, float]]] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service, "onset": iso(self.onset),
            "before": {"from": iso(self.onset - self.window), "to": iso(self.onset)},
            "after": {"from": iso(self.onset), "to": iso(self.onset + self.window)},
            "numbers": self.numbers, "plot": self.plot, "recorded_seq": self.seq,
        }  # fmt: skip

    def summary(self) -> str:
        moved = [n for n in self.numbers if n["before"] is not None and n["after"] is not None]
        parts = [f"{n['name']} {n['before']:.4g} → {n['after']:.4g}" for n in moved[:5]]
        return f"metrics of {self.service} around onset {iso(self.onset)}: " + (
            "; ".join(parts) or "no data"
        )


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 6) if values else None


def metrics(
    app: App, incident: str | None, *, service: str | None = None, onset_at: str | None = None,
    window: str | None = None, prometheus: str | None = None, plot: Path | None = None,
    record_it: bool = True,
) -> MetricsReport:  # fmt: skip
    """RED and USE numbers for the service, before vs after onset, each with its query."""
    cfg = settings_of(app)
    key = app.resolve_id(incident)
    state = app.store.state(key)
    now = app.clock()
    name = service or (state.services[0] if state.services else None)
    if not name:
        raise InvalidInput("which service? pass --service (the incident names none)")
    at, _ = onset_of(state, onset_at, now, detected_onset(app, key))
    span = parse_duration(window, "--window") if window else timedelta(minutes=30)
    source = source_of(cfg, prometheus)
    numbers, series = [], {}
    for label, expr in red_use_queries(cfg.metrics, name).items():
        found = source.query_range(
            expr, at - span, min(at + span, now), _step(at - span, at + span)
        )
        points = found[0].points if found else []
        series[label] = points
        before = [v for t, v in points if t < at.timestamp()]
        after = [v for t, v in points if t >= at.timestamp()]
        numbers.append({"name": label, "query": expr, "before": _mean(before), "after": _mean(after),
                        "status": "ok" if points else "no data"})  # fmt: skip
    markers = [Marker("onset", at)]
    if "mitigated" in state.entered:
        markers.append(Marker("mitigated", state.entered["mitigated"]))
    if state.resolved_at:
        markers.append(Marker("recovered", state.resolved_at))
    written = None
    if plot is not None:
        written = svg(
            plot, {k: series[k] for k in ("error_ratio", "p99") if series.get(k)}, markers, name
        )
    report = MetricsReport(name, at, span, numbers, written, None, series)
    if record_it:
        data = {**report.to_dict(), "summary": report.summary()}
        data.pop("recorded_seq")
        who = app.settings.actor
        event, _ = record(
            app, key, lambda _s: model.finding(model.EVIDENCE_METRICS, data, who, now)
        )
        report = MetricsReport(name, at, span, numbers, written, event.seq, series)
    return report
