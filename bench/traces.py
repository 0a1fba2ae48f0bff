"""Failing-hop analysis speed on a large OTLP/JSON file, in spans per second.

Baseline: raw `orjson.loads` of the same file (parsing only, no analysis). Prints spans/s
for the baseline, for our analysis parsing the file whole (the default below 64 MiB) and
streaming it (the default above), and each as a ratio of the baseline.
Run: .venv/bin/python bench/traces.py [traces]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stanch.services.traces import analyse

SERVICES = ("frontend", "checkout", "payments", "inventory", "search", "users")
BASE_NS = 1_800_000_000 * 10**9


def _span(trace: str, span: str, parent: str, name: str, kind: int, start: int, ms: int,
          error: bool, peer: str) -> dict[str, object]:  # fmt: skip
    attrs = [{"key": "server.address", "value": {"stringValue": peer}},
             {"key": "http.request.method", "value": {"stringValue": "POST"}}]  # fmt: skip
    out: dict[str, object] = {
        "traceId": trace, "spanId": span, "parentSpanId": parent, "name": name, "kind": kind,
        "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + ms * 1_000_000),
        "attributes": attrs, "status": {"code": 2 if error else 0},
    }  # fmt: skip
    if error:
        attrs.append({"key": "error.type", "value": {"stringValue": "timeout"}})
    return out


def write(path: Path, traces: int) -> int:
    """`traces` traces of 8 spans over 6 services; 10 % fail at payments → bank."""
    rng = random.Random(7)
    by_service: dict[str, list[dict[str, object]]] = {s: [] for s in SERVICES}
    for n in range(traces):
        tid = f"{n:032x}"
        fail = rng.random() < 0.1
        t = BASE_NS + n * 5_000_000
        ids = [f"{n:08x}{i:08x}" for i in range(8)]
        chain = [
            ("frontend", ids[0], "", "GET /buy", 2, "frontend"),
            ("frontend", ids[1], ids[0], "POST", 3, "checkout"),
            ("checkout", ids[2], ids[1], "POST /checkout", 2, "checkout"),
            ("checkout", ids[3], ids[2], "GET", 3, "inventory"),
            ("inventory", ids[4], ids[3], "GET /stock", 2, "inventory"),
            ("checkout", ids[5], ids[2], "POST", 3, "payments"),
            ("payments", ids[6], ids[5], "POST /charge", 2, "payments"),
            ("payments", ids[7], ids[6], "POST", 3, "bank"),
        ]
        for depth, (svc, sid, parent, name, kind, peer) in enumerate(chain):
            error = fail and (depth in (0, 1, 2, 5, 6, 7))
            by_service[svc].append(
                _span(tid, sid, parent, name, kind, t + depth, 50 - depth, error, peer)
            )
    doc = {"resourceSpans": [
        {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": s}}]},
         "scopeSpans": [{"scope": {"name": "bench"}, "spans": spans}]}
        for s, spans in by_service.items()
    ]}  # fmt: skip
    path.write_bytes(orjson.dumps(doc))
    return traces * 8


def best_of(runs: int, work: object) -> float:
    assert callable(work)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    traces = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "traces.json"
        spans = write(path, traces)
        size = path.stat().st_size / 2**20
        hop = analyse(path).failing_hop
        assert hop is not None and hop["service"] == "payments" and hop["downstream"] == "bank"
        raw = best_of(3, lambda: orjson.loads(path.read_bytes()))
        whole = best_of(3, lambda: analyse(path, stream=False))
        streamed = best_of(3, lambda: analyse(path, stream=True))
    print(f"file: {spans:,} spans, {size:.1f} MiB OTLP/JSON")
    print(f"baseline, orjson.loads only:    {spans / raw:12,.0f} spans/s")
    print(
        f"failing hop, file parsed whole: {spans / whole:12,.0f} spans/s  ratio {raw / whole:.2f}"
    )
    print(
        f"failing hop, streamed (ijson):  {spans / streamed:12,.0f} spans/s  ratio {raw / streamed:.2f}"
    )
    print("ratio = our spans/s ÷ baseline spans/s (1.00 = as fast as parsing alone)")


if __name__ == "__main__":
    main()
