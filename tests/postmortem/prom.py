"""A real Prometheus (Debian package) on a TSDB backfilled with promtool for a scripted outage."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from stanch.model.clock import from_iso
from tests.support.prometheus import running_prometheus

START = from_iso("2026-11-22T08:00:00Z")
END = from_iso("2026-11-22T13:00:00Z")
OUTAGE = (from_iso("2026-11-22T09:40:00Z"), from_iso("2026-11-22T10:25:00Z"))
PER_MINUTE, ERRORS_PER_MINUTE = 1000, 50  # 5 % errors during the outage


def openmetrics() -> str:
    """Counters sampled every minute: all requests, and 5xx ones during the outage only."""
    lines = ["# TYPE http_requests counter"]
    total = errors = 0
    moment: datetime = START
    rows: list[tuple[int, int, int]] = []
    while moment <= END:
        if OUTAGE[0] < moment <= OUTAGE[1]:
            errors += ERRORS_PER_MINUTE
        rows.append((int(moment.timestamp()), total, errors))
        total += PER_MINUTE
        moment += timedelta(minutes=1)
    lines += [
        f'http_requests_total{{service="checkout",code="200"}} {t - e} {ts}' for ts, t, e in rows
    ]
    lines += [f'http_requests_total{{service="checkout",code="500"}} {e} {ts}' for ts, _, e in rows]
    return "\n".join([*lines, "# EOF", ""])


@contextmanager
def backfilled_prometheus(folder: Path) -> Iterator[str]:
    """Backfill the outage into a fresh TSDB, serve it, yield the base URL."""
    with running_prometheus(folder, openmetrics=openmetrics(), scrape_interval="1m") as url:
        yield url
