"""`serving`: a handler answers on a free loopback port, and nothing answers after the block."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from tests.support.http import serving


class Echo(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


def test_serves_the_handler_then_stops() -> None:
    with serving(Echo) as url:
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{url}/health").text == "/health"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/health", timeout=2)
