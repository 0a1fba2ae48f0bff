"""An Unleash stand-in for `GET /api/admin/events` (deprecated but served by v4–v7).

Enforces what the real server does: the admin token raw in `Authorization` (401 with an
UnleashError body otherwise), GET only, the `project` filter; answers `eventsSchema`
(`version`, `events` with the required `id`, `createdAt`, `type`, `createdBy`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.http import serving as http_serving

REQUIRED = ("id", "createdAt", "type", "createdBy")


def _error(name: str, message: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "name": name, "message": message}


class FakeUnleash:
    def __init__(self, token: str, events: list[dict[str, Any]]) -> None:
        for event in events:
            missing = [k for k in REQUIRED if k not in event]
            if missing:
                raise ValueError(f"event without {missing}: the eventsSchema requires them")
        self.token = token
        self.events = events
        self.requests: list[dict[str, str]] = []

    def answer(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, Any]:
        url = urlsplit(path)
        self.requests.append({"method": method, "path": url.path, **headers})
        if headers.get("authorization") != self.token:
            return 401, _error("AuthenticationRequired", "You must log in to use Unleash.")
        if url.path != "/api/admin/events":
            return 404, _error("NotFoundError", "Could not find the resource.")
        if method != "GET":
            return 405, _error("MethodNotAllowed", "Method not allowed.")
        project = parse_qs(url.query).get("project", [None])[0]
        found = [e for e in self.events if project is None or e.get("project") == project]
        newest_first = sorted(found, key=lambda e: e["id"], reverse=True)
        return 200, {"version": 1, "events": newest_first, "totalEvents": len(newest_first)}


@contextmanager
def serving(fake: FakeUnleash) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, body = fake.answer(self.command, self.path, headers)
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _reply

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with http_serving(Handler) as url:
        yield url
