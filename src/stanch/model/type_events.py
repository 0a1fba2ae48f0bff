"""Decisions for the type-specific steps: change type, preserve evidence, stop the write path."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from stanch.errors import InvalidInput
from stanch.model import kinds
from stanch.model.clock import utc
from stanch.model.events import NewEvent
from stanch.model.incident import Incident
from stanch.model.types import (
    AFFECTED_COUNTED,
    EVIDENCE_PRESERVED,
    STATEMENT_PUBLISHED,
    WRITE_PATH_RESUMED,
    WRITE_PATH_STOPPED,
    IncidentType,
    type_of,
)

MAX_TEXT = 10_000


def _text(value: str, what: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidInput(f"{what} is empty")
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(f"{what} is longer than {MAX_TEXT} characters")
    return cleaned


def _event(kind: str, actor: str, at: datetime, now: datetime, data: dict[str, Any]) -> NewEvent:
    if utc(at) > utc(now):
        raise InvalidInput("that time is in the future")
    return NewEvent(kind, _text(actor, "actor").splitlines()[0][:100], utc(at), utc(now), data)


def change_type(state: Incident, target: IncidentType, reason: str, actor: str, at: datetime,
                now: datetime) -> NewEvent:  # fmt: skip
    """Reclassify the incident (e.g. an outage turns out to be unauthorized access)."""
    current = type_of(state)
    if target is current:
        raise InvalidInput(f"the incident is already of type {current.value}")
    data: dict[str, Any] = {"type": target.value, "from": current.value}
    if reason.strip():
        data["reason"] = _text(reason, "reason")
    data["summary"] = f"type {current.value} → {target.value}" + (
        f": {data['reason']}" if "reason" in data else ""
    )
    return _event(kinds.TYPE_CHANGED, actor, at, now, data)


def preserved(state: Incident, items: Sequence[dict[str, Any]], state_sha256: str, note: str,
              actor: str, at: datetime, now: datetime) -> NewEvent:  # fmt: skip
    """Evidence snapshot taken (files and commands with their hashes, and the state)."""
    if not items:
        raise InvalidInput("nothing to preserve: name a --file or a --command")
    names = ", ".join(str(item["name"]) for item in items[:5])
    more = f" and {len(items) - 5} more" if len(items) > 5 else ""
    data: dict[str, Any] = {
        "items": list(items), "state_sha256": state_sha256,
        "summary": f"preserved evidence: {names}{more}",
    }  # fmt: skip
    if note.strip():
        data["note"] = _text(note, "note")
    return _event(EVIDENCE_PRESERVED, actor, at, now, data)


def write_path(state: Incident, stop: bool, how: str, actor: str, at: datetime,
               now: datetime) -> NewEvent:  # fmt: skip
    """The write path was stopped (before any data repair) or resumed."""
    text = _text(how, "how")
    verb = "stopped" if stop else "resumed"
    data: dict[str, Any] = {"how": text, "summary": f"write path {verb}: {text}"}
    return _event(WRITE_PATH_STOPPED if stop else WRITE_PATH_RESUMED, actor, at, now, data)


def statement(state: Incident, text: str, actor: str, at: datetime, now: datetime) -> NewEvent:
    """A responder explicitly publishes a public statement for a restricted incident."""
    body = _text(text, "statement")
    data: dict[str, Any] = {"text": body, "summary": f"public statement approved: {body}"}
    return _event(STATEMENT_PUBLISHED, actor, at, now, data)


def affected(state: Incident, records: int | None, users: int | None, actor: str, at: datetime,
             now: datetime) -> NewEvent:  # fmt: skip
    """How many records and users wrong data reached (data integrity impact)."""
    if records is None and users is None:
        raise InvalidInput("count --records and/or --users")
    for value in (records, users):
        if value is not None and value < 0:
            raise InvalidInput("counts cannot be negative")
    parts = [f"{n} {what}" for n, what in ((records, "records"), (users, "users")) if n is not None]
    data: dict[str, Any] = {
        "records": records,
        "users": users,
        "summary": "affected: " + ", ".join(parts),
    }
    return _event(AFFECTED_COUNTED, actor, at, now, data)
