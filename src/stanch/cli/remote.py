"""`STANCH_URL` remote mode: the same commands against a stanch server instead of a store.

The store is replaced by an HTTP client of the server's raw event API; decisions still
run here (the same pure functions), and the server records them only if the incident did
not change in between. Incident files are the server's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine

from stanch.errors import Conflict, InvalidInput, NotFound, StoreUnavailable
from stanch.model.clock import iso
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.services.context import App
from stanch.settings import Settings
from stanch.store.base import Decide
from stanch.store.sql import SqlStore
from stanch.timeline.writer import EventSource, TimelineWriter, Verification

RETRIES = 5
STALE = "stale:"


def _raise(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        message = str(response.json().get("error") or response.json().get("detail"))
    except ValueError:
        message = response.text[:200]
    code = response.status_code
    if code == 404:
        raise NotFound(message)
    if code == 409:
        raise Conflict(message)
    if code in (401, 403):
        raise InvalidInput(
            f"the server refused the token: {message}", hint="set STANCH_TOKEN to a responder token"
        )
    if code < 500:
        raise InvalidInput(message)
    raise StoreUnavailable(f"server error {code}: {message}")


class RemoteStore(SqlStore):
    """The store interface over HTTP (no local database is opened)."""

    def __init__(self, url: str, token: str, transport: httpx.BaseTransport | None = None) -> None:
        self.url = url
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(
            base_url=url.rstrip("/"), headers=headers, timeout=30, transport=transport
        )

    @property
    def engine(self) -> Engine:  # type: ignore[override]
        raise InvalidInput("this command needs direct access to the store: unset STANCH_URL")

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"cannot reach the stanch server at {self.url}: {exc}") from None
        _raise(response)
        return response.json()

    @staticmethod
    def _body(new: NewEvent, expect: int = 0) -> dict[str, Any]:
        return {
            "kind": new.kind,
            "occurred_at": iso(new.occurred_at),
            "data": new.data,
            "expect_seq": expect,
        }

    @staticmethod
    def _result(incident_id: str, body: Mapping[str, Any]) -> tuple[Event, Incident]:
        state = Incident.from_dict(body["state"])
        return Event.from_record(state.id, body["event"]), state

    def create(self, base_id: str, make: Callable[[str], NewEvent]) -> tuple[Event, Incident]:
        for suffix in range(1, 100):
            candidate = base_id if suffix == 1 else f"{base_id}-{suffix}"
            try:
                body = self._call(
                    "POST", f"/api/incidents/{candidate}/create", json=self._body(make(candidate))
                )
            except Conflict:
                continue
            return self._result(candidate, body)
        raise Conflict(f"too many incidents named {base_id}")

    def append(self, incident_id: str, decide: Decide) -> tuple[Event, Incident]:
        for _ in range(RETRIES):
            state = self.state(incident_id)
            try:
                body = self._call(
                    "POST",
                    f"/api/incidents/{incident_id}/events",
                    json=self._body(decide(state), state.last_seq),
                )
            except Conflict as exc:
                if exc.message.startswith(STALE):
                    continue  # someone recorded meanwhile: decide again on the new state
                raise
            return self._result(incident_id, body)
        raise Conflict(f"{incident_id} keeps changing; try again")

    def load(self, incident_id: str, events: Any) -> Incident:
        raise InvalidInput("import needs a local store: unset STANCH_URL")

    def state(self, incident_id: str) -> Incident:
        return Incident.from_dict(self._call("GET", f"/api/incidents/{incident_id}/state"))

    def events(self, incident_id: str, after_seq: int = 0) -> list[Event]:
        rows = self._call(
            "GET", f"/api/incidents/{incident_id}/events", params={"after": after_seq}
        )
        return [Event.from_record(incident_id, row) for row in rows]

    def iter_events(
        self, incident_id: str, batch: int = 1000, after_seq: int = 0
    ) -> Iterator[Event]:
        yield from self.events(incident_id, after_seq)

    def incidents(self, *, open_only: bool = False) -> list[Incident]:
        rows = self._call("GET", "/api/incidents", params={"all": str(not open_only).lower()})
        return [Incident.from_dict(row) for row in rows]

    def ids(self) -> list[str]:
        return sorted(i.id for i in self.incidents())

    def chain(self, incident_id: str) -> tuple[int, str]:
        raise InvalidInput("the event chain is checked on the server: unset STANCH_URL")

    def count_events(self, incident_id: str) -> int:
        return len(self.events(incident_id))

    def close(self) -> None:
        self.http.close()


class ServerFiles(TimelineWriter):
    """Incident files live on the server; nothing is written here."""

    def __init__(self, server: str) -> None:
        super().__init__(Path(urlsplit(server).netloc or "server") / "incidents")

    def preflight(self) -> None:
        return

    def append(self, state: Incident, event: Event, source: EventSource) -> Path:
        return self.path(state.id)

    def regenerate(self, incident_id: str, source: EventSource) -> Path:
        return self.path(incident_id)

    def verify(self, incident_id: str, source: EventSource) -> Verification:
        return Verification(self.path(incident_id), True)


@dataclass
class RemoteApp(App):
    server: str = ""
    token: str = field(default="", repr=False)
    transport: httpx.BaseTransport | None = field(default=None, repr=False)

    @property
    def store(self) -> SqlStore:
        if self._store is None:
            self._store = RemoteStore(self.server, self.token, self.transport)
        return self._store

    @property
    def files(self) -> TimelineWriter:
        return ServerFiles(self.server)


def connect(settings: Settings, env: Mapping[str, str] | None = None) -> App:
    """A RemoteApp when STANCH_URL is set, else the local App."""
    env = os.environ if env is None else env
    url = env.get("STANCH_URL", "").strip()
    if not url:
        return App(settings)
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f"STANCH_URL must be an http(s) URL, not {url[:60]!r}")
    return RemoteApp(settings, server=url, token=env.get("STANCH_TOKEN", ""))
