"""A local Loki `query_range` server that enforces shared/contracts/logs-traces.md §1.

It refuses what real Loki refuses: a missing or unparsable `query` (400, plain-text
body), a bad `start`/`end`/`limit`/`direction` (400), `limit` above
`max_entries_limit_per_query` (400), a missing tenant header when multi-tenant (401).
Log queries answer `resultType: "streams"` with `[<ns string>, <line>]` values (plus a
structured-metadata object on some entries, as Loki 3.x does); metric queries answer a
`matrix`. Label matchers (`=`) and line filters (`|=`) are honoured.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.http import serving

PATH = "/loki/api/v1/query_range"
MAX_ENTRIES = 5000
_SELECTOR = re.compile(r'^\{\s*(?P<matchers>[a-zA-Z_]\w*\s*(?:=|!=|=~|!~)\s*"[^"]*"'
                       r'(?:\s*,\s*[a-zA-Z_]\w*\s*(?:=|!=|=~|!~)\s*"[^"]*")*)\s*\}'
                       r'(?P<filters>(?:\s*(?:\|=|!=|\|~|!~)\s*"[^"]*")*)\s*$')  # fmt: skip
_MATCHER = re.compile(r'([a-zA-Z_]\w*)\s*(=|!=|=~|!~)\s*"([^"]*)"')
_FILTER = re.compile(r'(\|=|!=|\|~|!~)\s*"([^"]*)"')
_METRIC = re.compile(r"^\s*(sum|rate|count_over_time|avg|max|min|topk)\b")


@dataclass
class Entry:
    labels: dict[str, str]
    ns: int
    line: str


@dataclass
class FakeLoki:
    """The data and rules of one fake server; `requests` records what clients sent."""

    entries: list[Entry] = field(default_factory=list)
    tenant: str | None = None
    fail_with: int | None = None  # answer every request with this status (429, 503 …)
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def add(self, labels: dict[str, str], at: datetime, line: str) -> None:
        ns = int(at.timestamp()) * 1_000_000_000 + at.microsecond * 1000
        self.entries.append(Entry(labels, ns, line))


class BadRequest(Exception):
    pass


def _time(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    if re.fullmatch(r"\d+", value):
        number = int(value)
        return number if number > 10**12 else number * 1_000_000_000
    if re.fullmatch(r"\d+\.\d+", value):
        return int(float(value) * 1_000_000_000)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f'invalid parameter "start/end": cannot parse "{value}"') from None
    if moment.tzinfo is None:
        raise BadRequest(f'invalid parameter "start/end": cannot parse "{value}"')
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


def _matches(entry: Entry, matchers: list[tuple[str, str, str]],
             filters: list[tuple[str, str]]) -> bool:  # fmt: skip
    for name, op, value in matchers:
        have = entry.labels.get(name, "")
        ok = {
            "=": have == value, "!=": have != value,
            "=~": re.fullmatch(value, have) is not None, "!~": re.fullmatch(value, have) is None,
        }[op]  # fmt: skip
        if not ok:
            return False
    for op, text in filters:
        ok = {"|=": text in entry.line, "!=": text not in entry.line,
              "|~": re.search(text, entry.line) is not None,
              "!~": re.search(text, entry.line) is None}[op]  # fmt: skip
        if not ok:
            return False
    return True


def answer(loki: FakeLoki, params: dict[str, list[str]]) -> dict[str, Any]:
    """The query_range body for valid params; raises BadRequest like Loki's 400."""
    query = _one(params, "query")
    if not query:
        raise BadRequest("query parameter is required")
    now = time.time_ns()
    end = _time(_one(params, "end"), now)
    start = _time(_one(params, "start"), end - 3600 * 1_000_000_000)
    if end < start:
        raise BadRequest("invalid query, through < from")
    limit_text = _one(params, "limit") or "100"
    if not limit_text.isdigit() or int(limit_text) <= 0:
        raise BadRequest(f'invalid parameter "limit": {limit_text}')
    limit = int(limit_text)
    if limit > MAX_ENTRIES:
        raise BadRequest(
            f"max entries limit per query exceeded, limit > max_entries_limit ({limit} > {MAX_ENTRIES})"
        )
    direction = _one(params, "direction") or "backward"
    if direction not in ("forward", "backward"):
        raise BadRequest(f'invalid parameter "direction": {direction}')
    if _METRIC.match(query):
        return {"status": "success", "data": {"resultType": "matrix", "result": []}}
    selector = _SELECTOR.match(query)
    if selector is None:
        raise BadRequest("parse error at line 1, col 1: syntax error: unexpected IDENTIFIER")
    matchers = _MATCHER.findall(selector["matchers"])
    filters = _FILTER.findall(selector["filters"] or "")
    chosen = [e for e in loki.entries if start <= e.ns < end and _matches(e, matchers, filters)]
    chosen.sort(key=lambda e: e.ns, reverse=direction == "backward")
    chosen = chosen[:limit]
    streams: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(chosen):
        key = json.dumps(entry.labels, sort_keys=True)
        stream = streams.setdefault(key, {"stream": entry.labels, "values": []})
        value: list[Any] = [str(entry.ns), entry.line]
        if index % 3 == 2:
            value.append({"detected_level": "unknown"})  # Loki 3.x structured metadata
        stream["values"].append(value)
    return {"status": "success",
            "data": {"resultType": "streams", "result": list(streams.values()),
                     "stats": {"summary": {"totalEntriesReturned": len(chosen)}}}}  # fmt: skip


def _handler(loki: FakeLoki) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # silence
            pass

        def _reply(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _serve(self, params: dict[str, list[str]]) -> None:
            loki.requests.append({k: v[-1] for k, v in params.items()}
                                 | {"X-Scope-OrgID": self.headers.get("X-Scope-OrgID", "")})  # fmt: skip
            if urlsplit(self.path).path != PATH:
                self._reply(404, b"404 page not found\n", "text/plain")
            elif loki.tenant and self.headers.get("X-Scope-OrgID") != loki.tenant:
                self._reply(401, b"no org id\n", "text/plain")
            elif loki.fail_with:
                self._reply(loki.fail_with, b"too many outstanding requests\n", "text/plain")
            else:
                try:
                    body = json.dumps(answer(loki, params)).encode()
                except BadRequest as exc:
                    self._reply(400, f"{exc}\n".encode(), "text/plain; charset=utf-8")
                    return
                self._reply(200, body, "application/json")

        def do_GET(self) -> None:
            self._serve(parse_qs(urlsplit(self.path).query, keep_blank_values=True))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = self.rfile.read(length).decode()
            self._serve(parse_qs(form, keep_blank_values=True))

    return Handler


@contextmanager
def running(loki: FakeLoki) -> Iterator[FakeLoki]:
    """Serve `loki` on a free local port for the duration of the block."""
    with serving(_handler(loki)) as url:
        loki.url = url
        yield loki
