"""Real servers for the watch tests: a service exposing metrics and health, and Prometheus."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    """What the simulated service reports: its error ratio gauge and its health status."""

    error_ratio: float = 0.0
    health_status: int = 200
    port: int = 0
    hits: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _handler(service: Service) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            service.hits.append(self.path)
            if self.path == "/metrics":
                body = (
                    "# TYPE checkout_error_ratio gauge\n"
                    f'checkout_error_ratio{{region="eu"}} {service.error_ratio}\n'
                    f'checkout_error_ratio{{region="us"}} {service.error_ratio / 10}\n'
                ).encode()
                status = 200
            elif self.path == "/health":
                body, status = b"ok\n", service.health_status
            else:
                body, status = b"not found\n", 404
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    return Handler


@contextlib.contextmanager
def running_service() -> Iterator[Service]:
    service = Service()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))
    service.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def running_prometheus(target: Service, workdir: Path) -> Iterator[str]:
    """A real Prometheus scraping the service every second; yields its base URL."""
    binary = shutil.which("prometheus")
    if binary is None:
        raise RuntimeError("prometheus is required (make test installs the Debian package)")
    port = free_port()
    config = workdir / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: checkout\n    static_configs:\n"
        f"      - targets: ['127.0.0.1:{target.port}']\n"
    )
    process = subprocess.Popen(
        [binary, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("prometheus did not become ready in 30 s")


def wait_for_value(url: str, query: str, expected: float, timeout: float = 15) -> None:
    """Until Prometheus has scraped the value the service now reports."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = httpx.get(f"{url}/api/v1/query", params={"query": query}, timeout=2).json()
        result = body["data"]["result"]
        if result and abs(float(result[0]["value"][1]) - expected) < 1e-9:
            return
        time.sleep(0.2)
    raise AssertionError(f"Prometheus never saw {query} = {expected}")
