"""The raw event API behind `STANCH_URL` remote mode: the CLI decides, the server records.

The client runs the same pure decision on the state it read and sends the event with the
sequence number it saw; the server records it only if nothing came in between (else
409 and the client decides again). The actor is always the token's name.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import AwareDatetime, BaseModel, Field

from stanch.errors import Conflict
from stanch.model.clock import utc
from stanch.model.events import Event, Kind, NewEvent
from stanch.model.incident import Incident
from stanch.model.types import IncidentType
from stanch.server.deps import Responder, Viewer, app_of
from stanch.services import access, incidents
from stanch.services.context import App, record

router = APIRouter(prefix="/api/incidents", tags=["remote mode"])
STALE = "stale: the incident changed since it was read"


class RawEvent(BaseModel):
    kind: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.-]*$")
    occurred_at: AwareDatetime
    data: dict[str, Any] = Field(default_factory=dict)
    expect_seq: int = Field(0, ge=0, description="The last sequence number the client saw.")


def _written(event: Event, state: Incident) -> dict[str, Any]:
    return {"event": event.to_record(), "state": state.to_dict()}


def _new(body: RawEvent, actor: str, now: datetime) -> NewEvent:
    return NewEvent(body.kind, actor[:100], utc(body.occurred_at), now, dict(body.data))


@router.get("/{incident_id}/state", summary="Folded state of one incident")
def state(request: Request, incident_id: str, _who: Viewer) -> dict[str, Any]:
    app = app_of(request)
    access.check_read(app, incident_id)  # a hidden incident reads as a missing one
    return app.store.state(incident_id).to_dict()


@router.get("/{incident_id}/events", summary="Events after a sequence number")
def events(
    request: Request, incident_id: str, _who: Viewer, after: int = 0
) -> list[dict[str, Any]]:
    app = app_of(request)
    access.check_read(app, incident_id)  # 404 for an unknown or hidden incident
    return [e.to_record() for e in app.store.events(incident_id, max(0, after))]


@router.post(
    "/{incident_id}/events", status_code=201, summary="Record an event decided by a client"
)
def append(request: Request, incident_id: str, body: RawEvent, who: Responder) -> dict[str, Any]:
    if body.kind == Kind.DECLARED:
        raise HTTPException(422, "declare with POST /api/incidents/{id}/create")
    app = app_of(request)
    access.check_read(app, incident_id)

    def decide(current: Incident) -> NewEvent:
        if current.last_seq != body.expect_seq:
            raise Conflict(STALE)
        return _new(body, who.name, app.clock())

    return _written(*record(app, incident_id, decide))


@router.post("/{incident_id}/create", status_code=201, summary="Declare with a client-made event")
def create(request: Request, incident_id: str, body: RawEvent, who: Responder) -> dict[str, Any]:
    """An id already taken gets the next free one (`-2`, `-3` …), named in the answer: the
    same whether the incident holding it is one the caller may read or a hidden one."""
    if body.kind != Kind.DECLARED:
        raise HTTPException(422, "the first event must be incident.declared")
    app = app_of(request)
    app.files.preflight()
    event, made = app.store.create(
        incident_id, lambda new_id: _declared(app, body, who.name, incident_id, new_id)
    )
    app.files.regenerate(made.id, app.source(made.id))
    return _written(event, made)


def _declared(app: App, body: RawEvent, actor: str, asked: str, new_id: str) -> NewEvent:
    """The client's declaration; under another id than asked, its channel is named anew."""
    new = _new(body, actor, app.clock())
    if new_id == asked:
        return new
    data = dict(new.data)
    kind = IncidentType.parse(str(data.get("type") or IncidentType.OUTAGE.value))
    slug = str(data.get("slug") or new_id)
    data["channel"] = incidents.channel_for(app, kind, new_id, slug, new.occurred_at)
    return replace(new, data=data)
