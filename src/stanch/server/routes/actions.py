"""REST for action items: across incidents (as the caller may read them), add, done."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from stanch.errors import InvalidInput
from stanch.model import actions as model
from stanch.server.acting import acting
from stanch.server.deps import Responder, Viewer
from stanch.server.forms import Csrf, Short, Text, back, responder, run
from stanch.services import access, actions
from stanch.services.actions import NewItem

api = APIRouter(prefix="/api", tags=["actions"])
ui = APIRouter(include_in_schema=False)


class Add(BaseModel):
    text: str = Field(min_length=1, max_length=2_000, description="Concrete, checkable.")
    owner: str = Field(min_length=1, max_length=100)
    priority: str = Field("P1", max_length=4, description="P0–P3.")
    due: str | None = Field(
        None, max_length=64, description="Date, or '14d' (default by priority)."
    )
    type: str = Field("prevent", max_length=20, description=", ".join(model.TYPES))
    kind: str = Field("fix", max_length=20, description=", ".join(model.KINDS))


class Done(BaseModel):
    note: str = Field("", max_length=2_000)


@api.get("/actions", summary="Action items across the incidents you may read, soonest due first")
def list_all(
    request: Request,
    who: Viewer,
    owner: str | None = Query(None, max_length=100),
    overdue: bool = False,
    all: bool = Query(False, description="Include done items."),
) -> list[dict[str, Any]]:
    app = acting(request, who)
    readable = {i.id for i in access.visible(app, app.store.incidents(open_only=False))}
    now = app.clock()
    found = actions.all_items(app, owner=owner, overdue=overdue, include_done=all, now=now)
    return [i.to_dict(now) for i in found if i.incident_id in readable]


@api.get("/incidents/{incident_id}/actions", summary="One incident's action items")
def of_incident(request: Request, incident_id: str, who: Viewer) -> list[dict[str, Any]]:
    app = acting(request, who)
    key = app.resolve_id(incident_id)
    now = app.clock()
    return [i.to_dict(now) for i in model.items(key, app.store.events(key))]


@api.post("/incidents/{incident_id}/actions", status_code=201, summary="Add an action item")
def add(request: Request, incident_id: str, body: Add, who: Responder) -> dict[str, Any]:
    app = acting(request, who)
    spec = NewItem(body.text, body.owner, body.priority, body.due, body.type, body.kind)
    return actions.add(app, incident_id, spec, actor=who.name).to_dict(app.clock())


@api.post("/incidents/{incident_id}/actions/{item}/done", status_code=201, summary="Mark one done")
def done(
    request: Request, incident_id: str, item: str, body: Done, who: Responder
) -> dict[str, Any]:
    app = acting(request, who)
    key = app.resolve_id(incident_id)
    if "#" in item:  # a full ref could name another incident than the path's
        raise InvalidInput(f"{item}: name the item by its number (A1) under its incident")
    found = actions.done(app, item, key, body.note, actor=who.name)
    return found.to_dict(app.clock())


@ui.post("/incidents/{incident_id}/actions/form")
def form(
    request: Request,
    incident_id: str,
    csrf: Csrf,
    action: Annotated[str, Form(max_length=20)],
    text: Text = "",
    owner: Short = "",
    priority: Annotated[str, Form(max_length=4)] = "P1",
    due: Short = "",
    item: Short = "",
) -> RedirectResponse:
    """The action items panel: add one, or mark one done."""
    who, app = responder(request, csrf)
    if action == "add":
        spec = NewItem(text, owner, priority, due.strip() or None)
        return run(incident_id, "actions", lambda: actions.add(app, incident_id, spec,
                                                               actor=who.name))  # fmt: skip
    if action == "done":
        if "#" in item:
            return back(incident_id, "actions", f"{item}: name the item by its number (A1)")
        return run(incident_id, "actions",
                   lambda: actions.done(app, item, incident_id, actor=who.name))  # fmt: skip
    raise HTTPException(400, f"unknown action {action!r}")


router = APIRouter()
router.include_router(api)
router.include_router(ui)
