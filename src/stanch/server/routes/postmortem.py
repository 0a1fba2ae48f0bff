"""REST for the postmortem: show it as the events stand, draft it, make it final, waive it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from stanch.server.acting import acting
from stanch.server.deps import Responder, Viewer
from stanch.services import postmortem
from stanch.services.postmortem import Draft

router = APIRouter(prefix="/api", tags=["postmortem"])


class Waive(BaseModel):
    reason: str = Field(min_length=1, max_length=2_000)


def _out(draft: Draft) -> dict[str, Any]:
    section = next(
        (s.markdown for s in draft.incident.sections if s.key == postmortem.SECTION), None
    )
    return {**draft.to_dict(), "markdown": section}


@router.get("/incidents/{incident_id}/postmortem", summary="The postmortem as the events stand")
def show(request: Request, incident_id: str, who: Viewer) -> dict[str, Any]:
    return _out(postmortem.build(acting(request, who), incident_id))


@router.post(
    "/incidents/{incident_id}/postmortem/draft",
    status_code=201,
    summary="Draft (or redraft) the postmortem into the incident file",
)
def draft(request: Request, incident_id: str, who: Responder) -> dict[str, Any]:
    done, _path = postmortem.write(acting(request, who), incident_id, actor=who.name)
    return _out(done)


@router.post(
    "/incidents/{incident_id}/postmortem/final",
    status_code=201,
    summary="Mark it final (409 while the blameless check or a required part fails)",
    responses={409: {"description": "Not ready; `error` lists what is missing."}},
)
def final(request: Request, incident_id: str, who: Responder) -> dict[str, Any]:
    return _out(postmortem.finalize(acting(request, who), incident_id, actor=who.name))


@router.post("/incidents/{incident_id}/postmortem/waive", status_code=201, summary="Waive it")
def waive(request: Request, incident_id: str, body: Waive, who: Responder) -> dict[str, Any]:
    app = acting(request, who)
    postmortem.waive(app, incident_id, body.reason, actor=who.name)
    return _out(postmortem.build(app, incident_id))
