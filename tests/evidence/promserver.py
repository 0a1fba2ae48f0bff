"""A real Prometheus for the tests: backfilled history with a fault, and a live scraped service.

History: `promtool tsdb create-blocks-from openmetrics` writes three hours of a checkout
service whose 5xx ratio steps from 0.5 % (errors exist before onset too) to ~20 % at a
known time, with latency and CPU moving at the same moment. Live: a prometheus-client
service in this process, scraped every second, whose fault a test switches on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, start_http_server

from tests.support.process import free_port
from tests.support.prometheus import running_prometheus as prometheus_server

__all__ = ["History", "LiveService", "PromServer", "free_port", "running_prometheus"]

STEP = 15
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, float("inf"))


@dataclass
class History:
    start: int
    fault: int
    end: int


def openmetrics(h: History) -> str:
    """Counters for checkout: ok and 5xx requests, latency buckets, CPU seconds."""
    series: dict[str, list[str]] = {}

    def add(name: str, labels: str, value: float, t: int) -> None:
        series.setdefault(f"{name}{{{labels}}}", []).append(f"{value:.3f} {t}")

    ok = err = cpu = 0.0
    buckets = dict.fromkeys(BUCKETS, 0.0)
    for t in range(h.start, h.end + 1, STEP):
        broken = t >= h.fault
        ok += STEP * (80 if broken else 100)
        err += STEP * (20 if broken else 0.5)
        cpu += STEP * (0.9 if broken else 0.3)
        shares = (0.2, 0.3, 0.2, 0.2, 0.1, 0.0) if broken else (0.6, 0.35, 0.05, 0.0, 0.0, 0.0)
        running = 0.0
        for bound, share in zip(BUCKETS, shares, strict=True):
            running += share
            buckets[bound] += STEP * 100 * running if bound != float("inf") else 0
        buckets[float("inf")] = ok + err
        add("http_requests_total", 'job="checkout",code="200"', ok, t)
        add("http_requests_total", 'job="checkout",code="500"', err, t)
        add("process_cpu_seconds_total", 'job="checkout"', cpu, t)
        for bound, count in buckets.items():
            le = "+Inf" if bound == float("inf") else f"{bound}"
            add("http_request_duration_seconds_bucket", f'job="checkout",le="{le}"', count, t)
    lines = []
    for key, values in series.items():
        lines += [f"{key} {v}" for v in values]
    return "\n".join(lines) + "\n# EOF\n"


class LiveService:
    """A prometheus-client service in a thread: 20 requests every 100 ms; `fault` turns half into 500s."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("live_requests", "requests", ["code"], registry=self.registry)
        self.fault = False
        self.fault_at: float | None = None
        self.port = free_port()
        self._stop = threading.Event()
        self.server, self.thread = start_http_server(
            self.port, addr="127.0.0.1", registry=self.registry
        )
        self.driver = threading.Thread(target=self._drive, daemon=True)
        self.driver.start()

    def _drive(self) -> None:
        while not self._stop.wait(0.1):
            bad = 10 if self.fault else 0
            self.requests.labels("500").inc(bad)
            self.requests.labels("200").inc(20 - bad)

    def inject(self) -> None:
        self.fault_at = time.time()
        self.fault = True

    def close(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


@dataclass
class PromServer:
    url: str
    history: History
    live: LiveService


@contextmanager
def running_prometheus(root: Path) -> Iterator[PromServer]:
    """Three hours of backfilled history with a fault, and the live service scraped every second."""
    now = int(time.time()) // STEP * STEP
    history = History(start=now - 4 * 3600, fault=now - 2 * 3600, end=now - 3600)
    live = LiveService()
    try:
        with prometheus_server(
            root, openmetrics=openmetrics(history), targets=[f"127.0.0.1:{live.port}"], job="live"
        ) as url:
            yield PromServer(url, history, live)
    finally:
        live.close()
