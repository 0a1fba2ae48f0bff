"""Traces to the failing hop; the result (hop, share, example trace ids) goes on the timeline."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from stanch.errors import InvalidInput
from stanch.evidence.traces import fetch_jaeger, read_spans
from stanch.model import evidence as model
from stanch.model.timeparse import parse_when
from stanch.model.traces import Span, Trace, analyse_errors, analyse_latency
from stanch.services.context import App, record


@dataclass(frozen=True)
class TracesReport:
    source: str
    spans: int
    traces: int
    failing: int
    broken: int
    hops: list[dict[str, Any]]
    latency: list[dict[str, Any]]
    seq: int | None = None

    @property
    def failing_hop(self) -> dict[str, Any] | None:
        if self.hops:
            return self.hops[0]
        return self.latency[0] if self.latency else None

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON of `stanch evidence traces --json`."""
        return {
            "source": self.source,
            "spans": self.spans,
            "traces": self.traces,
            "failing_traces": self.failing,
            "failing_share": round(self.failing / self.traces, 3) if self.traces else 0.0,
            "broken_traces": self.broken,
            "failing_hop": self.failing_hop,
            "hops": self.hops,
            "latency": self.latency,
            "recorded_seq": self.seq,
        }

    def summary(self) -> str:
        hop = self.failing_hop
        head = f"traces {self.source}: {self.failing}/{self.traces} failing"
        if hop is None:
            return f"{head}; no failing hop found"
        where = f"{hop['service']} {hop['operation']}"
        if hop.get("downstream"):
            where += f" → {hop['downstream']}"
        what = hop["error"] if hop["kind"] == "error" else f"+{hop['regression_ms']} ms own time"
        return f"{head}; failing hop {where} ({what}) in {hop['share']:.0%}, e.g. {hop['trace_ids'][0]}"


def _from_store(
    app: App, key: str, source: str, service: str | None, since: str | None, until: str | None
) -> TracesReport:
    if not source.startswith("jaeger:"):
        raise InvalidInput(f"--source {source!r}: expected jaeger:URL (the Jaeger query service)")
    state = app.store.state(key)
    name = service or (state.services[0] if state.services else None)
    if not name:
        raise InvalidInput("which service? pass --service (the incident names none)")
    now = app.clock()
    start = parse_when(since, now) if since else state.onset_at - timedelta(minutes=30)
    end = parse_when(until, now) if until else now
    url = source.removeprefix("jaeger:")
    return analyse_spans(fetch_jaeger(url, name, start, end), f"jaeger {url} service={name}")


def analyse(path: Path, fmt: str | None = None, *, stream: bool | None = None) -> TracesReport:
    """Group the file's spans by trace, then find the failing hop."""
    return analyse_spans(read_spans(path, fmt, stream=stream), str(path))


def analyse_spans(spans: Iterable[Span], source: str) -> TracesReport:
    """Group spans by trace, then find the failing hop (errors first, else latency)."""
    grouped: dict[str, list[Span]] = defaultdict(list)
    count = 0
    for span in spans:
        grouped[span.trace_id].append(span)
        count += 1
    traces = {trace_id: Trace.of(spans) for trace_id, spans in grouped.items()}
    hops, failing = analyse_errors(traces)
    latency = [] if hops else analyse_latency(traces)
    broken = sum(1 for t in traces.values() if t.broken)
    return TracesReport(source, count, len(traces), failing, broken, hops[:10], latency)


def traces(
    app: App, incident: str | None, path: Path | None, fmt: str | None = None, *,
    source: str | None = None, service: str | None = None, since: str | None = None,
    until: str | None = None, record_it: bool = True,
) -> TracesReport:  # fmt: skip
    """Analyse a trace file (or a trace store's recent traces) and record what was found."""
    key = app.resolve_id(incident) if (record_it or source) else ""
    if path is not None and source is None:
        report = analyse(path, fmt)
    elif source is not None and path is None:
        report = _from_store(app, key, source, service, since, until)
    else:
        raise InvalidInput("give either a trace FILE or --source jaeger:URL (exactly one)")
    if not report.spans:
        return report
    if record_it:
        data = {**report.to_dict(), "summary": report.summary(), "hops": report.hops[:3]}
        data.pop("recorded_seq", None)
        now = app.clock()
        who = app.settings.actor
        event, _ = record(app, key, lambda _s: model.finding(model.EVIDENCE_TRACES, data, who, now))
        report = TracesReport(**{**report.__dict__, "seq": event.seq})
    return report
