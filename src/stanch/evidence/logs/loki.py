"""Read log lines from Loki's `GET /loki/api/v1/query_range` (log queries only).

Pages forward through the window `limit` entries at a time; each page starts at the
last timestamp of the one before, skipping entries already read at it, so entries that
share a nanosecond across a page boundary are neither missed nor repeated. Streams are
merged by time so the analysis sees one timeline per label set. Each label set is its own
stream (preceding lines stay within it); line numbers count entries per stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from stanch.errors import EnvironmentProblem, InvalidInput
from stanch.evidence.logs.sources import Line

PATH = "/loki/api/v1/query_range"
MAX_PAGES = 10_000
MAX_LIMIT = 5000  # Loki's default max_entries_limit_per_query


class LokiUnavailable(EnvironmentProblem):
    """Loki cannot be reached or is overloaded (429, 5xx)."""


class LogSource(Protocol):
    """Anything that yields log lines for a window."""

    def lines(self, query: str, start: datetime, end: datetime) -> Iterator[Line]: ...


@dataclass
class LokiSource:
    """A Loki server; `transport` lets tests and proxies stand in."""

    base_url: str
    tenant: str | None = None
    username: str | None = None
    password: str | None = None
    limit: int = 5000
    timeout: float = 30.0
    transport: httpx.BaseTransport | None = None

    def _client(self) -> httpx.Client:
        headers = {"X-Scope-OrgID": self.tenant} if self.tenant else {}
        auth = (self.username, self.password or "") if self.username else None
        return httpx.Client(
            base_url=self.base_url.rstrip("/"), headers=headers, auth=auth,
            timeout=self.timeout, transport=self.transport,
        )  # fmt: skip

    def lines(self, query: str, start: datetime, end: datetime) -> Iterator[Line]:
        """Every entry in [start, end), oldest first, page by page."""
        cursor = _ns(start)
        stop = _ns(end)
        numbers: dict[str, int] = {}
        seen = _Boundary()
        with self._client() as client:
            for _ in range(MAX_PAGES):
                entries = self._page(client, query, cursor, stop)
                fresh = [entry for entry in entries if not seen.holds(entry)]
                yield from (_line(entry, numbers) for entry in fresh)
                if len(entries) < self.limit:
                    return
                seen.note(entries)
                if entries[0][0] == entries[-1][0]:  # a whole page at one nanosecond
                    yield from self._rest_at(client, query, seen, numbers)
                    cursor = seen.at + 1
                else:
                    # The next page starts AT the last timestamp, so entries sharing it
                    # beyond this page are read too; those already read are skipped.
                    cursor = seen.at
                if cursor >= stop:
                    return

    def _rest_at(self, client: httpx.Client, query: str, seen: _Boundary,
                 numbers: dict[str, int]) -> Iterator[Line]:  # fmt: skip
        """All entries at `seen.at` not yet read, in one page of Loki's default cap."""
        entries = self._page(client, query, seen.at, seen.at + 1, MAX_LIMIT)
        if len(entries) >= MAX_LIMIT:
            raise InvalidInput(
                f"more than {MAX_LIMIT} Loki entries share one nanosecond ({seen.at}): "
                "narrow the query"
            )
        yield from (_line(entry, numbers) for entry in entries if not seen.holds(entry))

    def _page(self, client: httpx.Client, query: str, start: int, end: int,
              limit: int | None = None) -> list[tuple[int, str, str]]:  # fmt: skip
        params = {"query": query, "start": str(start), "end": str(end),
                  "limit": str(limit or self.limit), "direction": "forward"}  # fmt: skip
        try:
            response = client.get(PATH, params=params)
        except httpx.HTTPError as exc:
            raise LokiUnavailable(f"Loki at {self.base_url}: {exc}") from None
        if response.status_code == 400:
            raise InvalidInput(f"Loki refused the query: {_first_line(response.text)}")
        if response.status_code in (401, 403):
            raise InvalidInput(f"Loki refused the credentials ({response.status_code})")
        if response.status_code != 200:
            raise LokiUnavailable(
                f"Loki at {self.base_url} answered {response.status_code}: "
                f"{_first_line(response.text)}"
            )
        return _entries(response)


@dataclass
class _Boundary:
    """The entries already read at the nanosecond the next page starts from."""

    at: int = -1
    keys: set[tuple[str, str]] = field(default_factory=set)

    def holds(self, entry: tuple[int, str, str]) -> bool:
        return entry[0] == self.at and (entry[1], entry[2]) in self.keys

    def note(self, entries: list[tuple[int, str, str]]) -> None:
        last = entries[-1][0]
        if last != self.at:
            self.at, self.keys = last, set()
        self.keys.update((stream, text) for stamp, stream, text in entries if stamp == last)


def _entries(response: httpx.Response) -> list[tuple[int, str, str]]:
    try:
        body: Any = response.json()
        data = body["data"]
        if body.get("status") != "success":
            raise InvalidInput(f"Loki answered status {body.get('status')!r}")
        if data.get("resultType") != "streams":
            raise InvalidInput("not a log query: Loki returned a metric result; query logs")
        found = []
        for item in data["result"]:
            stream = _labels(item.get("stream") or {})
            for value in item["values"]:
                found.append((int(value[0]), stream, str(value[1])))
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise LokiUnavailable(
            f"Loki answered something that is not query_range JSON ({exc})"
        ) from None
    found.sort(key=lambda entry: entry[0])
    return found


def _line(entry: tuple[int, str, str], numbers: dict[str, int]) -> Line:
    """A Line of its stream, numbered by entries read from that stream so far."""
    stamp, stream, text = entry
    numbers[stream] = numbers.get(stream, 0) + 1
    return Line(stream, numbers[stream], _with_time(stamp, text))


def _labels(stream: dict[str, Any]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(stream.items())) + "}"


def _ns(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def _with_time(stamp: int, text: str) -> str:
    """Prefix Loki's own timestamp so lines without one still land in the window."""
    moment = datetime.fromtimestamp(stamp // 1_000_000_000, UTC)
    micros = (stamp % 1_000_000_000) // 1000
    return f"{moment.replace(microsecond=micros).isoformat().replace('+00:00', 'Z')} {text}"


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or ["(empty body)"])[0][:200]
