"""REST API for the incident core: declare, log, status, severity, assign, show, list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from stanch.server.deps import Responder, Viewer, app_of, config_of
from stanch.services import changes, incidents, records
from stanch.services.incidents import Recorded

router = APIRouter(prefix="/api", tags=["incidents"])


class Declare(BaseModel):
    symptom: str = Field(min_length=1, max_length=10_000, description="What users see.")
    severity: str = Field(description="SEV1–SEV4 or P0–P3.", max_length=10)
    impact: str = Field("", max_length=10_000)
    percent: float | None = Field(None, ge=0, le=100)
    regions: list[str] = Field(default_factory=list, max_length=100)
    tenants: list[str] = Field(default_factory=list, max_length=100)
    started: str | None = Field(None, max_length=64, description="Onset: ISO-8601 or '12 min ago'.")
    detected: str | None = Field(None, max_length=64)
    services: list[str] = Field(default_factory=list, max_length=100)
    customer_visible: bool = False
    commander: str | None = Field(None, max_length=100)
    scribe: str | None = Field(None, max_length=100)
    comms_lead: str | None = Field(None, max_length=100)
    slug: str | None = Field(None, max_length=80)
    at: str | None = Field(None, max_length=64)


class Note(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    at: str | None = Field(None, max_length=64)


class Move(BaseModel):
    to: str = Field(max_length=20, description="The new status or severity.")
    reason: str = Field("", max_length=10_000)
    at: str | None = Field(None, max_length=64)


class Assign(BaseModel):
    role: str = Field(max_length=20)
    people: list[str] = Field(min_length=1, max_length=50)
    add: bool = False
    at: str | None = Field(None, max_length=64)


class Written(BaseModel):
    id: str
    seq: int
    status: str
    severity: int


def _written(done: Recorded) -> Written:
    return Written(
        id=done.incident.id,
        seq=done.event.seq,
        status=done.incident.status.value,
        severity=int(done.incident.severity),
    )


@router.get("/incidents", summary="List incidents, newest first")
def list_incidents(
    request: Request,
    _who: Viewer,
    all: bool = Query(False, description="Include resolved and closed."),
) -> list[dict[str, Any]]:
    app = app_of(request)
    return [i.to_dict() for i in records.listing(app, include_closed=all)]


@router.get("/incidents/{incident_id}", summary="One incident: state and timeline")
def show(request: Request, incident_id: str, _who: Viewer) -> dict[str, Any]:
    app = app_of(request)
    return records.incident_json(app, records.show(app, incident_id))


@router.post("/incidents", status_code=201, summary="Declare an incident")
def declare(request: Request, body: Declare, who: Responder) -> Written:
    app = app_of(request)
    done = incidents.declare(
        app,
        body.symptom,
        severity=body.severity,
        impact=body.impact,
        percent=body.percent,
        regions=body.regions,
        tenants=body.tenants,
        started=body.started,
        detected=body.detected,
        services=body.services,
        customer_visible=body.customer_visible,
        commander=body.commander,
        scribe=body.scribe,
        comms_lead=body.comms_lead,
        slug=body.slug,
        actor=who.name,
        at=body.at,
    )
    changes.attach_recent(app, done.incident, config_of(request).change_lookback_minutes)
    return _written(done)


@router.post("/incidents/{incident_id}/log", status_code=201, summary="Log an action or note")
def log(request: Request, incident_id: str, body: Note, who: Responder) -> Written:
    return _written(
        incidents.log(app_of(request), incident_id, body.text, actor=who.name, at=body.at)
    )


@router.post("/incidents/{incident_id}/status", status_code=201, summary="Change status")
def status(request: Request, incident_id: str, body: Move, who: Responder) -> Written:
    done = incidents.set_status(
        app_of(request), incident_id, body.to, body.reason, actor=who.name, at=body.at
    )
    return _written(done)


@router.post("/incidents/{incident_id}/severity", status_code=201, summary="Change severity")
def severity(request: Request, incident_id: str, body: Move, who: Responder) -> Written:
    done = incidents.set_severity(
        app_of(request), incident_id, body.to, body.reason, actor=who.name, at=body.at
    )
    return _written(done)


@router.post("/incidents/{incident_id}/assign", status_code=201, summary="Assign a role")
def assign(request: Request, incident_id: str, body: Assign, who: Responder) -> Written:
    done = incidents.assign(
        app_of(request),
        incident_id,
        body.role,
        body.people,
        add=body.add,
        actor=who.name,
        at=body.at,
    )
    return _written(done)
