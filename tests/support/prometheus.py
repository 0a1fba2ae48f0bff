"""A real Prometheus (Debian package) for tests: backfilled with promtool and/or scraping targets."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

READY_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    log = workdir / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={data}",
             f"--web.listen-address=127.0.0.1:{port}", f"--storage.tsdb.retention.time={retention}",
             "--log.level=warn"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"prometheus did not become ready in {READY_TIMEOUT_S:g} s")


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
