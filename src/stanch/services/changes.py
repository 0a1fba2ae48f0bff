"""Deploy and change events posted by CI: kept for correlation, recorded on open incidents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from stanch.errors import InvalidInput
from stanch.model.clock import from_iso, iso, utc
from stanch.model.events import NewEvent
from stanch.model.incident import Incident
from stanch.model.kinds import CHANGE_RECORDED
from stanch.services.context import App, record
from stanch.store.engine import WRITE, translated
from stanch.store.schema import server_changes as table

KINDS = ("deploy", "rollback", "config", "flag", "infra", "schema", "certificate", "other")


@dataclass(frozen=True)
class Change:
    kind: str
    ref: str
    service: str
    at: datetime
    summary: str

    def data(self) -> dict[str, Any]:
        """The `change.recorded` data of model/kinds.py."""
        return {
            "kind": self.kind,
            "ref": self.ref,
            "service": self.service,
            "at": iso(self.at),
            "summary": self.summary,
        }


def checked(kind: str, ref: str, service: str, at: datetime, summary: str, now: datetime) -> Change:
    if kind not in KINDS:
        raise InvalidInput(f"unknown change kind {kind!r}: use one of {', '.join(KINDS)}")
    if not ref.strip() or len(ref) > 200:
        raise InvalidInput("ref must be 1–200 characters (commit, version, flag …)")
    if len(service) > 100 or len(summary) > 2000:
        raise InvalidInput("service (100) or summary (2000) too long")
    if utc(at) > utc(now) + timedelta(minutes=5):
        raise InvalidInput(f"change time {iso(at)} is in the future")
    text = summary.strip() or f"{kind} {ref.strip()}" + (f" of {service}" if service else "")
    return Change(kind, ref.strip(), service.strip(), utc(at), text)


def _recorded(change: Change, actor: str, now: datetime) -> Callable[[Incident], NewEvent]:
    """The decision for `change.recorded`: when it happened, as posted."""
    return lambda _state: NewEvent(CHANGE_RECORDED, actor[:100], change.at, now, change.data())


def _touches(incident: Incident, change: Change) -> bool:
    return not change.service or not incident.services or change.service in incident.services


def post(app: App, change: Change, actor: str) -> list[str]:
    """Keep the change and record it on every open incident of its service; their ids."""
    with (
        translated(app.store.url),
        app.store.engine.connect().execution_options(**{WRITE: True}) as conn,
        conn.begin(),
    ):
        conn.execute(insert(table).values(actor=actor[:100], **change.data()))
    now = app.clock()
    touched = []
    for incident in app.store.incidents(open_only=True):
        if _touches(incident, change):
            record(app, incident.id, _recorded(change, actor, now))
            touched.append(incident.id)
    return touched


def recent(app: App, since: datetime, until: datetime) -> list[Change]:
    with translated(app.store.url), app.store.engine.connect() as conn:
        rows = conn.execute(
            select(table)
            .where(table.c.at >= iso(since), table.c.at <= iso(until))
            .order_by(table.c.at, table.c.id)
        ).all()
    return [Change(r.kind, r.ref, r.service, from_iso(r.at), r.summary) for r in rows]


def attach_recent(app: App, incident: Incident, lookback_minutes: float) -> int:
    """On declaration: record the changes before onset that touch its services."""
    since = incident.onset_at - timedelta(minutes=lookback_minutes)
    found = [c for c in recent(app, since, incident.declared_at) if _touches(incident, c)]
    now = app.clock()
    for change in found:
        record(app, incident.id, _recorded(change, "stanch", now))
    return len(found)
