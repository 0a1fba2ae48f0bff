"""A Jaeger query service stand-in enforcing the `/api/traces` contract (logs-traces.md §4)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.http import serving as http_serving


class FakeJaeger:
    def __init__(self, traces: list[dict[str, Any]]) -> None:
        self.traces = traces
        self.queries: list[dict[str, str]] = []

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        if path != "/api/traces":
            return 404, {"data": None, "errors": [{"code": 404, "msg": "404 page not found"}]}
        params = {k: v[0] for k, v in query.items()}
        self.queries.append(params)
        if not params.get("service"):
            return 400, {
                "data": None,
                "errors": [{"code": 400, "msg": "parameter 'service' is required"}],
            }
        for key in ("start", "end", "limit"):
            if key in params and not params[key].isdigit():
                return 400, {
                    "data": None,
                    "errors": [{"code": 400, "msg": f"unable to parse param '{key}'"}],
                }
        start, end = int(params.get("start", 0)), int(params.get("end", 2**62))
        if end < start:
            return 400, {
                "data": None,
                "errors": [{"code": 400, "msg": "start time is after end time"}],
            }
        found = [
            t for t in self.traces
            if any(p["serviceName"] == params["service"] for p in t["processes"].values())
            and any(start <= s["startTime"] <= end for s in t["spans"])
        ][: int(params.get("limit", 20))]  # fmt: skip
        return 200, {"data": found, "total": 0, "limit": 0, "offset": 0, "errors": None}


@contextmanager
def serving(fake: FakeJaeger) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            code, body = fake.answer(parts.path, parse_qs(parts.query))
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    with http_serving(Handler) as url:
        yield url
