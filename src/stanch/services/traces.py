"""Traces to the failing hop; the result (hop, share, example trace ids) goes on the timeline."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stanch.evidence.traces import read_spans
from stanch.model import evidence as model
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


def analyse(path: Path, fmt: str | None = None, *, stream: bool | None = None) -> TracesReport:
    """Group spans by trace, then find the failing hop (errors first, else latency)."""
    grouped: dict[str, list[Span]] = defaultdict(list)
    count = 0
    for span in read_spans(path, fmt, stream=stream):
        grouped[span.trace_id].append(span)
        count += 1
    traces = {trace_id: Trace.of(spans) for trace_id, spans in grouped.items()}
    hops, failing = analyse_errors(traces)
    latency = [] if hops else analyse_latency(traces)
    broken = sum(1 for t in traces.values() if t.broken)
    return TracesReport(str(path), count, len(traces), failing, broken, hops[:10], latency)


def traces(
    app: App, incident: str | None, path: Path, fmt: str | None = None, *, record_it: bool = True
) -> TracesReport:
    """Analyse a trace file and record what was found on the incident."""
    key = app.resolve_id(incident) if record_it else ""
    report = analyse(path, fmt)
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
