"""Failing hop from traces: pure analysis over compact spans, no I/O.

A failing request is followed from its errored root down through errored children;
where no child explains the error, that span is the origin: the failing hop. A server
span's client calls whose response failed (though their status is not ERROR) explain
its error too, so the hop names the downstream service rather than stopping short. When
several errored children compete, the one whose error is rare in healthy traces wins,
so an error that also happens in good requests (a cache miss, a retried call) does not.
Without errors, the hop is the span whose exclusive latency grew most in slow traces
compared with the others; a span that is slow in healthy traces too does not win.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SERVER, CLIENT = 2, 3
EXAMPLES = 5


@dataclass(slots=True)
class Span:
    trace_id: str
    span_id: str
    parent_id: str
    service: str
    name: str
    kind: int
    start: int  # ns since epoch
    end: int
    error: bool
    error_type: str = ""
    peer: str = ""
    # A client call whose response says it failed (HTTP >= 400, a gRPC error, error.type,
    # an exception) although its span status is not ERROR, as some instrumentations leave it.
    call_failed: bool = False


Hop = tuple[str, str, str, str]  # service, operation, downstream, error


@dataclass
class Trace:
    spans: dict[str, Span]
    children: dict[str, list[Span]]
    roots: list[Span]
    broken: bool  # a parent is missing (partial trace)

    @classmethod
    def of(cls, spans: Iterable[Span]) -> Trace:
        by_id = {s.span_id: s for s in spans}
        children: dict[str, list[Span]] = defaultdict(list)
        roots: list[Span] = []
        broken = False
        for span in by_id.values():
            if span.parent_id and span.parent_id in by_id:
                children[span.parent_id].append(span)
            else:
                broken = broken or bool(span.parent_id)
                roots.append(span)
        return cls(by_id, children, roots, broken)

    @property
    def failing(self) -> bool:
        true_roots = [r for r in self.roots if not r.parent_id]
        if true_roots:
            return any(r.error for r in true_roots)
        return any(s.error for s in self.spans.values())

    @property
    def duration(self) -> int:
        return max((r.end - r.start for r in self.roots), default=0)


def downstream(trace: Trace, span: Span) -> str:
    """Whom the span was calling: the child server's service, else the peer it named."""
    if span.kind != CLIENT:
        return ""
    for child in trace.children.get(span.span_id, ()):
        if child.service and child.service != span.service:
            return child.service
    return span.peer


def hop_of(trace: Trace, span: Span) -> Hop:
    return (span.service, span.name, downstream(trace, span), span.error_type or "error")


def errored_hops(trace: Trace) -> set[Hop]:
    return {hop_of(trace, s) for s in trace.spans.values() if s.error or s.call_failed}


def _failed_calls(trace: Trace, span: Span) -> list[Span]:
    """A server span's own client calls that failed without an ERROR status."""
    if span.kind != SERVER:
        return []
    return [c for c in trace.children.get(span.span_id, ()) if c.kind == CLIENT and c.call_failed]


def origin(trace: Trace, background: dict[Hop, float]) -> Span | None:
    """Follow errored spans from the root to the deepest one no errored child explains."""
    current = next((r for r in trace.roots if r.error), None)
    if current is None:
        current = next((s for s in trace.spans.values() if s.error), None)
    seen: set[str] = set()
    while current is not None and current.span_id not in seen:
        seen.add(current.span_id)
        # a server span that failed because a call it made failed: the call is the hop
        bad = [c for c in trace.children.get(current.span_id, ()) if c.error]
        bad = bad or _failed_calls(trace, current)
        if not bad:
            return current
        current = min(
            bad, key=lambda c: (background.get(hop_of(trace, c), 0.0), -(c.end - c.start))
        )
    return current


@dataclass
class HopCount:
    hop: Hop
    traces: int = 0
    trace_ids: list[str] = field(default_factory=list)

    def to_dict(self, failing: int, background: float, kind: str) -> dict[str, Any]:
        service, operation, down, error = self.hop
        return {
            "kind": kind, "service": service, "operation": operation,
            "downstream": down or None, "error": error,
            "share": round(self.traces / failing, 3) if failing else 0.0,
            "traces": self.traces, "healthy_share": round(background, 3),
            "trace_ids": self.trace_ids[:EXAMPLES],
        }  # fmt: skip


def analyse_errors(traces: dict[str, Trace]) -> tuple[list[dict[str, Any]], int]:
    """Failing hops across failing traces, most common first; and the failing count."""
    healthy = [t for t in traces.values() if not t.failing]
    seen_in_healthy: Counter[Hop] = Counter(h for t in healthy for h in errored_hops(t))
    background = {h: n / len(healthy) for h, n in seen_in_healthy.items()} if healthy else {}
    counts: dict[Hop, HopCount] = {}
    failing = 0
    for trace_id, trace in traces.items():
        if not trace.failing:
            continue
        failing += 1
        span = origin(trace, background)
        if span is None:
            continue
        hop = hop_of(trace, span)
        entry = counts.setdefault(hop, HopCount(hop))
        entry.traces += 1
        if len(entry.trace_ids) < EXAMPLES:
            entry.trace_ids.append(trace_id)
    ranked = sorted(counts.values(), key=lambda c: (-c.traces, c.hop))
    return [c.to_dict(failing, background.get(c.hop, 0.0), "error") for c in ranked], failing


def exclusive(trace: Trace, span: Span) -> int:
    """Own time: duration minus the union of children clamped to the span (clock skew)."""
    intervals = sorted(
        (max(c.start, span.start), min(c.end, span.end))
        for c in trace.children.get(span.span_id, ())
    )
    covered, cursor = 0, span.start
    for begin, end in intervals:
        start = max(begin, cursor)
        if end > start:
            covered += end - start
            cursor = end
    return max(span.end - span.start - covered, 0)


def analyse_latency(traces: dict[str, Trace]) -> list[dict[str, Any]]:
    """Spans whose exclusive time grew most in the slowest tenth of traces."""
    ordered = sorted(traces.items(), key=lambda kv: kv[1].duration)
    if len(ordered) < 4:
        return []
    cut = max(1, len(ordered) // 10)
    slow, normal = ordered[-cut:], ordered[:-cut]
    slow_times = _exclusive_by_op(t for _, t in slow)
    normal_times = _exclusive_by_op(t for _, t in normal)
    found = []
    for key, values in slow_times.items():
        base = statistics.median(normal_times.get(key, [0]))
        regression = statistics.median(values) - base
        found.append((regression, key, base, statistics.median(values)))
    found.sort(key=lambda f: (-f[0], f[1]))
    ids = [trace_id for trace_id, _ in slow][:EXAMPLES]
    return [
        {
            "kind": "latency",
            "service": key[0],
            "operation": key[1],
            "downstream": key[2] or None,
            "error": None,
            "share": round(len(slow) / len(ordered), 3),
            "exclusive_ms_slow": round(after / 1e6, 3),
            "exclusive_ms_healthy": round(base / 1e6, 3),
            "regression_ms": round(regression / 1e6, 3),
            "trace_ids": ids,
        }
        for regression, key, base, after in found[:EXAMPLES]
        if regression > 0
    ]


def _exclusive_by_op(traces: Iterable[Trace]) -> dict[tuple[str, str, str], list[int]]:
    out: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for trace in traces:
        for span in trace.spans.values():
            out[(span.service, span.name, downstream(trace, span))].append(exclusive(trace, span))
    return out
