"""A real Prometheus (Debian package) for tests: backfilled with promtool and/or scraping targets."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

from tests.support.process import ServerProcess, free_port, http_ready


def _require(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            raise RuntimeError(
                f"{tool} is required (make test installs the Debian package prometheus)"
            )


def backfill(openmetrics: str, data: Path) -> None:
    """Write OpenMetrics text (ending in `# EOF`) as TSDB blocks into `data`."""
    _require("promtool")
    source = data.parent / f"{data.name}.om"
    source.write_text(openmetrics)
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
                   check=True, capture_output=True, timeout=60)  # fmt: skip


def _config(targets: Sequence[str], job: str, interval: str) -> str:
    text = f"global:\n  scrape_interval: {interval}\n  evaluation_interval: {interval}\n"
    if targets:
        listed = ", ".join(f"'{target}'" for target in targets)
        text += f"scrape_configs:\n  - job_name: {job}\n    static_configs:\n      - targets: [{listed}]\n"
    return text


@contextlib.contextmanager
def running_prometheus(
    workdir: Path,
    *,
    openmetrics: str | None = None,
    targets: Sequence[str] = (),
    job: str = "scraped",
    scrape_interval: str = "1s",
    retention: str = "3650d",
) -> Iterator[str]:
    """Prometheus on a fresh TSDB in `workdir` (backfilled first if `openmetrics` is given),
    scraping `targets` (host:port) as `job`; yields its base URL and stops it afterwards."""
    _require("prometheus")
    data = workdir / "data"
    if openmetrics is not None:
        backfill(openmetrics, data)
    config = workdir / "prometheus.yml"
    config.write_text(_config(targets, job, scrape_interval))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}", f"--storage.tsdb.retention.time={retention}",
            "--log.level=warn"]  # fmt: skip
    with ServerProcess("prometheus", argv, ready=http_ready(f"{url}/-/ready", timeout=1),
                       log=workdir / "prometheus.log", stop_timeout=10):  # fmt: skip
        yield url


def wait_for_value(url: str, query: str, expected: float, timeout: float = 15) -> None:
    """Until Prometheus has scraped the value the target now reports."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = httpx.get(f"{url}/api/v1/query", params={"query": query}, timeout=2).json()
        result = body["data"]["result"]
        if result and abs(float(result[0]["value"][1]) - expected) < 1e-9:
            return
        time.sleep(0.2)
    raise AssertionError(f"Prometheus never saw {query} = {expected}")
