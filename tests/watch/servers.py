"""Real servers for the watch tests: a service exposing metrics and health, and Prometheus."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.support.http import serving
from tests.support.process import free_port
from tests.support.prometheus import running_prometheus as prometheus_server
from tests.support.prometheus import wait_for_value

__all__ = ["Service", "free_port", "running_prometheus", "running_service", "wait_for_value"]


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
    with serving(_handler(service)) as url:
        service.port = int(url.rsplit(":", 1)[1])
        yield service


@contextlib.contextmanager
def running_prometheus(target: Service, workdir: Path) -> Iterator[str]:
    """A real Prometheus scraping the service every second; yields its base URL."""
    with prometheus_server(workdir, targets=[f"127.0.0.1:{target.port}"], job="checkout") as url:
        yield url
