"""An Unleash stand-in for `GET /api/admin/search/events` (v6+) and the legacy
`GET /api/admin/events` (v4–v7, newest 100 events only).

Enforces what the real server does: the admin token raw in `Authorization` (401 with an
UnleashError body otherwise), GET only. The search takes `IS:`-operator filters (`from`
and `to` as `IS:YYYY-MM-DD`, inclusive days; `project`), `offset` and `limit` (default 50,
at most 1000) and answers `{events, total}` newest first; the legacy list takes `project`
and answers `eventsSchema` (`version`, `events` with the required `id`, `createdAt`,
`type`, `createdBy`). `search=False` plays a server from before the search (404).
"""

from __future__ import annotations

import json
import re
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
    def __init__(self, token: str, events: list[dict[str, Any]], search: bool = True) -> None:
        for event in events:
            missing = [k for k in REQUIRED if k not in event]
            if missing:
                raise ValueError(f"event without {missing}: the eventsSchema requires them")
        self.token = token
        self.events = events
        self.search = search
        self.requests: list[dict[str, str]] = []

    def answer(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, Any]:
        url = urlsplit(path)
        self.requests.append({"method": method, "path": url.path, **headers})
        if headers.get("authorization") != self.token:
            return 401, _error("AuthenticationRequired", "You must log in to use Unleash.")
        searching = self.search and url.path == "/api/admin/search/events"
        if url.path != "/api/admin/events" and not searching:
            return 404, _error("NotFoundError", "Could not find the resource.")
        if method != "GET":
            return 405, _error("MethodNotAllowed", "Method not allowed.")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if searching:
            return self._search(query)
        project = query.get("project")
        found = [e for e in self.events if project is None or e.get("project") == project]
        newest_first = sorted(found, key=lambda e: e["id"], reverse=True)[:100]
        return 200, {"version": 1, "events": newest_first, "totalEvents": len(newest_first)}

    def _search(self, query: dict[str, str]) -> tuple[int, Any]:
        found = self.events
        for name, field in (("from", ">="), ("to", "<=")):
            if name not in query:
                continue
            day = query[name].removeprefix("IS:")
            if not query[name].startswith("IS:") or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                return 400, _error("ValidationError", f"{name}: expected IS:YYYY-MM-DD")
            found = [e for e in found
                     if (e["createdAt"][:10] >= day if field == ">=" else e["createdAt"][:10] <= day)]  # fmt: skip
        if "project" in query:
            found = [e for e in found if f"IS:{e.get('project')}" == query["project"]]
        limit = int(query.get("limit", 50))
        limit = limit if 0 < limit <= 1000 else 50
        offset = max(0, int(query.get("offset", 0)))
        newest_first = sorted(found, key=lambda e: (e["createdAt"], e["id"]), reverse=True)
        return 200, {"events": newest_first[offset : offset + limit], "total": len(found)}


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
