"""A tiny local HTTP server for contract-enforcing SaaS fakes (PagerDuty, Slack …).

Each fake implements `handle(request) -> Response`; the base adds what every provider
can do to a client: be down (5xx), rate limit (429 + Retry-After), and log each call.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.http import serving as http_serving


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode())

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass
class Response:
    status: int
    body: Any = None  # dict/list → JSON, str → text/plain
    headers: dict[str, str] = field(default_factory=dict)


def problem(status: int, body: Any, **headers: str) -> Response:
    return Response(status, body, dict(headers))


class Fake:
    """Base: outages, throttling and a call log; subclasses speak one contract."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[Request] = []
        self.outage = 0  # the next N requests fail with `outage_status`
        self.outage_status = 503
        self.throttle = 0  # the next N requests get 429
        self.retry_after = "7"
        self.url = ""

    def reset(self) -> None:
        self.calls.clear()
        self.outage = 0
        self.throttle = 0

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def throttled(self) -> Response:
        return problem(
            429, {"message": "Request Limit Exceeded"}, **{"Retry-After": self.retry_after}
        )

    def dispatch(self, request: Request) -> Response:
        with self.lock:
            self.calls.append(request)
            if self.outage > 0:
                self.outage -= 1
                return problem(self.outage_status, "upstream unavailable")
            if self.throttle > 0:
                self.throttle -= 1
                return self.throttled()
            return self.handle(request)


def _handler(fake: Fake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = Request(
                self.command, parts.path, parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length),
            )  # fmt: skip
            response = fake.dispatch(request)
            if isinstance(response.body, str):
                payload, kind = response.body.encode(), "text/plain"
            else:
                payload, kind = json.dumps(response.body).encode(), "application/json"
            self.send_response(response.status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(fake: Fake) -> Iterator[Fake]:
    """Run the fake on 127.0.0.1 on a free port for the duration of the block."""
    with http_serving(_handler(fake)) as url:
        fake.url = url
        yield fake
