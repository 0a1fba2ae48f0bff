"""Read log lines from Loki's `GET /loki/api/v1/query_range` (log queries only).

Pages forward through the window `limit` entries at a time; streams are merged by
time so the analysis sees one timeline per label set. Each label set is its own
stream (preceding lines stay within it); line numbers count entries per stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from stanch.errors import EnvironmentProblem, InvalidInput
from stanch.evidence.logs.sources import Line

PATH = "/loki/api/v1/query_range"
MAX_PAGES = 10_000


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
        with self._client() as client:
            for _ in range(MAX_PAGES):
                entries = self._page(client, query, cursor, stop)
                for stamp, stream, text in entries:
                    numbers[stream] = numbers.get(stream, 0) + 1
                    yield Line(stream, numbers[stream], _with_time(stamp, text))
                if len(entries) < self.limit:
                    return
                # Entries sharing the last nanosecond beyond the page are not re-read.
                cursor = entries[-1][0] + 1

    def _page(self, client: httpx.Client, query: str, start: int,
              end: int) -> list[tuple[int, str, str]]:  # fmt: skip
        params = {"query": query, "start": str(start), "end": str(end),
                  "limit": str(self.limit), "direction": "forward"}  # fmt: skip
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
