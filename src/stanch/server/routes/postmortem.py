"""REST for the postmortem: show it as the events stand, draft it, make it final, waive it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from stanch.server.acting import acting
from stanch.server.deps import Responder, Viewer
from stanch.server.forms import Csrf, responder, run
from stanch.services import postmortem
from stanch.services.postmortem import Draft

api = APIRouter(prefix="/api", tags=["postmortem"])
ui = APIRouter(include_in_schema=False)


class Waive(BaseModel):
    reason: str = Field(min_length=1, max_length=2_000)


def _out(draft: Draft) -> dict[str, Any]:
    section = next(
        (s.markdown for s in draft.incident.sections if s.key == postmortem.SECTION), None
    )
    return {**draft.to_dict(), "markdown": section}


@api.get("/incidents/{incident_id}/postmortem", summary="The postmortem as the events stand")
def show(request: Request, incident_id: str, who: Viewer) -> dict[str, Any]:
    return _out(postmortem.build(acting(request, who), incident_id))


@api.post(
    "/incidents/{incident_id}/postmortem/draft",
    status_code=201,
    summary="Draft (or redraft) the postmortem into the incident file",
)
def draft(request: Request, incident_id: str, who: Responder) -> dict[str, Any]:
    done, _path = postmortem.write(acting(request, who), incident_id, actor=who.name)
    return _out(done)


@api.post(
    "/incidents/{incident_id}/postmortem/final",
    status_code=201,
    summary="Mark it final (409 while the blameless check or a required part fails)",
    responses={409: {"description": "Not ready; `error` lists what is missing."}},
)
def final(request: Request, incident_id: str, who: Responder) -> dict[str, Any]:
    return _out(postmortem.finalize(acting(request, who), incident_id, actor=who.name))


@api.post("/incidents/{incident_id}/postmortem/waive", status_code=201, summary="Waive it")
def waive(request: Request, incident_id: str, body: Waive, who: Responder) -> dict[str, Any]:
    app = acting(request, who)
    postmortem.waive(app, incident_id, body.reason, actor=who.name)
    return _out(postmortem.build(app, incident_id))


@ui.post("/incidents/{incident_id}/postmortem/form")
def form(
    request: Request,
    incident_id: str,
    csrf: Csrf,
    action: Annotated[str, Form(max_length=20)],
) -> RedirectResponse:
    """The postmortem panel: draft (or redraft) it, or make it final."""
    who, app = responder(request, csrf)
    if action == "draft":
        return run(incident_id, "postmortem",
                   lambda: postmortem.write(app, incident_id, actor=who.name))  # fmt: skip
    if action == "final":
        return run(incident_id, "postmortem",
                   lambda: postmortem.finalize(app, incident_id, actor=who.name))  # fmt: skip
    raise HTTPException(400, f"unknown action {action!r}")


router = APIRouter()
router.include_router(api)
router.include_router(ui)
