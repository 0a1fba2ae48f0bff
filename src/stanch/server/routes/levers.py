"""REST for levers: list, plan, apply under the CLI's guard, undo, approve, confirm.

Every write goes through `services.levers`, so the guard, the typed confirmation and
the second-responder approval are the very ones `stanch mitigate` enforces; a refusal
is a 409 with the guard's one-line reason. The repository scanned is the configured
`[levers] repo`: a request never names a path on the server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from stanch.errors import StanchError
from stanch.model.lever_guard import book
from stanch.server.acting import acting
from stanch.server.deps import Responder, Viewer, csrf_token, principal
from stanch.server.forms import Csrf, Short, Text, responder, run
from stanch.server.routes.ui import templates
from stanch.services import levers
from stanch.services.tokens import Role

api = APIRouter(prefix="/api", tags=["levers"])
ui = APIRouter(include_in_schema=False)

LeverId = Field(min_length=1, max_length=300, description="Lever id or rank from the list.")


class Pick(BaseModel):
    lever: str = LeverId


class Pull(BaseModel):
    lever: str = LeverId
    confirm_destructive: bool = Field(False, description="Allow a destructive lever.")
    typed: str = Field("", max_length=300, description="Typed confirmation: the lever's target.")


class Undo(BaseModel):
    lever: str | None = Field(None, max_length=300, description="Default: the only applied one.")


class Approve(BaseModel):
    lever: str = LeverId
    note: str = Field("", max_length=2_000)


class Confirm(BaseModel):
    lever: str | None = Field(None, max_length=300, description="Default: the only unconfirmed.")
    evidence: str = Field(min_length=1, max_length=2_000, description="What shows it worked.")


@api.get("/levers", summary="Levers of the configured repository, fastest reversible first")
def list_levers(
    request: Request,
    who: Viewer,
    incident: str | None = Query(None, max_length=200, description="Rank by its onset."),
) -> dict[str, Any]:
    return levers.scan(acting(request, who), None, incident).to_dict()


@api.get("/incidents/{incident_id}/levers", summary="Planned, applied and confirmed levers")
def lever_state(request: Request, incident_id: str, who: Viewer) -> dict[str, Any]:
    app = acting(request, who)
    key = app.resolve_id(incident_id)
    found = book(app.store.iter_events(key))
    return {
        "incident": key,
        "planned": found.plans,
        "applied": found.applied,
        "unconfirmed": found.unconfirmed(),
        "confirmed": sorted(found.confirmed),
        "approvals": {k: sorted(v) for k, v in found.approvals.items()},
    }


@api.post("/incidents/{incident_id}/levers/plan", status_code=201, summary="Plan (dry run)")
def plan(request: Request, incident_id: str, body: Pick, who: Responder) -> dict[str, Any]:
    done = levers.plan(acting(request, who), incident_id, body.lever, actor=who.name)
    return done.plan


@api.post(
    "/incidents/{incident_id}/levers/apply",
    status_code=201,
    summary="Apply a planned lever under the guard",
    responses={409: {"description": "The guard refused; `error` says why."}},
)
def apply(request: Request, incident_id: str, body: Pull, who: Responder) -> dict[str, Any]:
    done = levers.apply(
        acting(request, who),
        incident_id,
        body.lever,
        actor=who.name,
        confirm_destructive=body.confirm_destructive,
        typed=body.typed,
    )
    return {**done.data, "incident": done.incident.id, "status": done.incident.status.value}


@api.post("/incidents/{incident_id}/levers/undo", status_code=201, summary="Run the rollback")
def undo(request: Request, incident_id: str, body: Undo, who: Responder) -> dict[str, Any]:
    done = levers.undo(acting(request, who), incident_id, body.lever, actor=who.name)
    return {**done.data, "incident": done.incident.id, "status": done.incident.status.value}


@api.post(
    "/incidents/{incident_id}/levers/approve",
    status_code=201,
    summary="Approve a destructive lever as a second responder",
)
def approve(request: Request, incident_id: str, body: Approve, who: Responder) -> dict[str, Any]:
    state = levers.approve(acting(request, who), incident_id, body.lever, by=who.name,
                           note=body.note)  # fmt: skip
    return {"incident": state.id, "lever": body.lever, "approved_by": who.name}


@api.post(
    "/incidents/{incident_id}/levers/confirm",
    status_code=201,
    summary="Confirm the applied lever worked",
)
def confirm(request: Request, incident_id: str, body: Confirm, who: Responder) -> dict[str, Any]:
    state = levers.confirm(
        acting(request, who), incident_id, body.lever, by=who.name, evidence=body.evidence
    )
    return {"incident": state.id, "status": state.status.value}


@ui.post("/incidents/{incident_id}/levers/form")
def form(
    request: Request,
    incident_id: str,
    csrf: Csrf,
    action: Annotated[str, Form(max_length=20)],
    lever: Short = "",
    typed: Short = "",
    evidence: Text = "",
    confirm_destructive: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """The levers panel's buttons: plan, apply, approve, confirm, undo."""
    who, app = responder(request, csrf)
    chosen = lever.strip() or None
    steps: dict[str, Callable[[], object]] = {
        "plan": lambda: levers.plan(app, incident_id, lever.strip(), actor=who.name),
        "apply": lambda: levers.apply(app, incident_id, lever.strip(), actor=who.name,
                                      confirm_destructive=confirm_destructive, typed=typed),
        "approve": lambda: levers.approve(app, incident_id, lever.strip(), by=who.name),
        "confirm": lambda: levers.confirm(app, incident_id, chosen, by=who.name,
                                          evidence=evidence),
        "undo": lambda: levers.undo(app, incident_id, chosen, actor=who.name),
    }  # fmt: skip
    step = steps.get(action)
    if step is None:
        raise HTTPException(400, f"unknown action {action!r}")
    return run(incident_id, "levers", step)


@ui.get("/incidents/{incident_id}/levers", response_class=HTMLResponse)
def find_page(request: Request, incident_id: str) -> Response:
    """The ranked levers of the configured repository, each with a Plan button."""
    who = principal(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    app = acting(request, who)
    context: dict[str, Any] = {"incident_id": incident_id, "error": ""}
    try:
        found = levers.scan(app, None, incident_id)
    except StanchError as exc:
        context["error"] = exc.message
    else:
        context.update(
            repo=str(found.discovery.root),
            files=found.discovery.files,
            levers=[{**lever.to_dict(), "command_text": lever.command.text(),
                     "rollback_text": lever.rollback.text() if lever.rollback else "none"}
                    for lever in found.levers],
        )  # fmt: skip
    context.update(who=who, static="/static", csrf=csrf_token(who),
                   can_write=who.role >= Role.RESPONDER)  # fmt: skip
    return templates.TemplateResponse(request, "levers_find.html", context)


router = APIRouter()
router.include_router(api)
router.include_router(ui)
