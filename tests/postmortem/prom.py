"""A real Prometheus (Debian package) on a TSDB backfilled with promtool for a scripted outage."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from stanch.model.clock import from_iso

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def backfilled_prometheus(folder: Path) -> Iterator[str]:
    """Backfill the outage into a fresh TSDB, serve it, yield the base URL."""
    for tool in ("prometheus", "promtool"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is required (Debian package prometheus)")
    data = folder / "tsdb"
    source = folder / "outage.om"
    source.write_text(openmetrics())
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    config = folder / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1m\n")
    port = _free_port()
    log = (folder / "prometheus.log").open("w")
    proc = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={data}",
         f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=3650d"],
        stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "prometheus.log").read_text()[-2000:])
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
