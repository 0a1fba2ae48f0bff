"""REST for stakeholder updates: compose both texts, post them, what is owed (agenda)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from stanch.model.clock import iso
from stanch.server.acting import acting
from stanch.server.deps import Responder, Viewer
from stanch.server.forms import Csrf, Text, responder, run
from stanch.services import updates
from stanch.services.outbox import Attempt
from stanch.services.updates import Draft

api = APIRouter(prefix="/api", tags=["updates"])
ui = APIRouter(include_in_schema=False)


class Compose(BaseModel):
    did: str = Field("", max_length=2_000, description="What was done (default: from events).")
    next_step: str = Field("", max_length=2_000)
    message: str = Field("", max_length=2_000, description="Public message.")
    eta: str = Field("", max_length=200)
    title: str = Field("", max_length=200)


class Post(Compose):
    audience: str = Field("internal", max_length=10, description="internal, public or both.")
    text: str | None = Field(None, max_length=10_000, description="Edited internal text.")


def _draft(draft: Draft) -> dict[str, Any]:
    return {
        "id": draft.incident.id,
        "internal": draft.internal,
        "public": draft.public.to_dict(),
        "public_text": draft.public.text(),
        "next_update_at": iso(draft.next_update_at) if draft.next_update_at else None,
    }


def _attempts(attempts: list[Attempt]) -> list[dict[str, Any]]:
    return [{"provider": a.message.provider, "action": a.message.action,
             "target": a.message.target, "status": a.delivery.status.value,
             "detail": a.delivery.detail} for a in attempts]  # fmt: skip


@api.post("/incidents/{incident_id}/updates/compose", summary="Draft an update (nothing sent)")
def compose(request: Request, incident_id: str, body: Compose, who: Viewer) -> dict[str, Any]:
    draft = updates.compose(
        acting(request, who), incident_id, did=body.did, next_step=body.next_step,
        message=body.message, eta=body.eta, title=body.title,
    )  # fmt: skip
    return _draft(draft)


@api.post("/incidents/{incident_id}/updates", status_code=201, summary="Post an update")
def post(request: Request, incident_id: str, body: Post, who: Responder) -> dict[str, Any]:
    app = acting(request, who)
    draft = updates.compose(
        app, incident_id, did=body.did, next_step=body.next_step, message=body.message,
        eta=body.eta, title=body.title,
    )  # fmt: skip
    events, attempts = updates.post(
        app, draft, audience=body.audience, text=body.text, actor=who.name
    )
    return {
        **_draft(draft),
        "posted": [{"seq": e.seq, "audience": e.data.get("audience")} for e in events],
        "deliveries": _attempts(attempts),
    }


@api.get("/incidents/{incident_id}/agenda", summary="Updates owed, escalations due")
def agenda(request: Request, incident_id: str, who: Viewer) -> dict[str, Any]:
    return updates.agenda(acting(request, who), incident_id).to_dict()


@ui.post("/incidents/{incident_id}/updates/form")
def form(
    request: Request,
    incident_id: str,
    csrf: Csrf,
    audience: Annotated[str, Form(max_length=10)] = "internal",
    did: Text = "",
    next_step: Text = "",
    message: Text = "",
) -> RedirectResponse:
    """The updates panel: post an update composed from the events plus these words."""
    who, app = responder(request, csrf)

    def post_it() -> object:
        draft = updates.compose(app, incident_id, did=did, next_step=next_step, message=message)
        return updates.post(app, draft, audience=audience, actor=who.name)

    return run(incident_id, "updates", post_it)


router = APIRouter()
router.include_router(api)
router.include_router(ui)
