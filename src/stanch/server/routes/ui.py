"""Web UI: incident list, declare, incident page with a live timeline (SSE), forms with CSRF."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from stanch.errors import StanchError
from stanch.model.clock import iso
from stanch.model.describe import describe
from stanch.model.events import Event
from stanch.model.status import Status
from stanch.model.timers import wanted
from stanch.server import panels
from stanch.server.acting import acting
from stanch.server.deps import (
    CSRF_FIELD,
    SESSION_COOKIE,
    app_of,
    check_csrf,
    csrf_token,
    principal,
    require,
)
from stanch.services import access, incidents, records, tokens
from stanch.services.context import App
from stanch.services.tokens import Principal, Role

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")
POLL_SECONDS = 0.5
KEEPALIVE_POLLS = 30
Field = Annotated[str, Form(max_length=10_000)]


def _app(request: Request) -> App:
    return app_of(request)  # as the session's token sees it: restricted incidents hidden


def _page(
    request: Request, name: str, who: Principal | None, status: int = 200, **context: Any
) -> HTMLResponse:
    context.update(
        who=who,
        static="/static",
        csrf=csrf_token(who) if who else "",
        scheme=_app(request).settings.severity_scheme,
    )
    return templates.TemplateResponse(request, name, context, status_code=status)


def _viewer(request: Request) -> Principal | None:
    who = principal(request)
    return who if who and who.role >= Role.VIEWER else None


def _login_redirect() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


def _line(event: Event, app: App) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": iso(event.occurred_at),
        "actor": event.actor,
        "kind": event.kind,
        "text": describe(event, app.settings.severity_scheme),
    }


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return _page(request, "login.html", None, error="")


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=200)]) -> Response:
    who = tokens.authenticate(_app(request), token.strip())
    if who is None:
        return _page(request, "login.html", None, status=401, error="That token is not valid.")
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token.strip(),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=12 * 3600,
    )
    return response


@router.post("/logout")
def logout() -> Response:
    response = _login_redirect()
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def index(request: Request, all: bool = False) -> Response:
    who = _viewer(request)
    if who is None:
        return _login_redirect()
    found = records.listing(_app(request), include_closed=all)
    return _page(request, "list.html", who, incidents=found, show_all=all, error="")


@router.post("/incidents")
def declare(
    request: Request,
    symptom: Field,
    severity: Annotated[str, Form(max_length=10)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)],
    impact: Field = "",
    service: Annotated[str, Form(max_length=100)] = "",
    customer_visible: Annotated[bool, Form()] = False,
) -> Response:
    who = require(Role.RESPONDER)(request)
    check_csrf(who, csrf_token)
    app = _app(request)
    try:
        done = incidents.declare(
            app,
            symptom,
            severity=severity,
            impact=impact,
            services=[service] if service.strip() else None,
            customer_visible=customer_visible,
            actor=who.name,
        )
    except StanchError as exc:
        found = records.listing(app)
        return _page(
            request,
            "list.html",
            who,
            status=422,
            incidents=found,
            show_all=False,
            error=exc.message,
        )
    return RedirectResponse(f"/incidents/{done.incident.id}", status_code=303)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: str) -> Response:
    who = _viewer(request)
    if who is None:
        return _login_redirect()
    app = _app(request)
    shown = records.show(app, incident_id, verify=False)
    lines = [_line(e, app) for e in shown.events]
    now = app.clock()
    due = [
        {"summary": d.summary, "at": iso(d.due_at), "overdue": d.due_at <= now}
        for d in wanted(shown.incident, shown.events, request.app.state.config.policy())
    ]
    return _page(
        request,
        "incident.html",
        who,
        incident=shown.incident,
        lines=lines,
        due=due,
        statuses=[s.value for s in Status],
        error=request.query_params.get("error", ""),
        panels=panels.build(acting(request, who), shown.incident, shown.events),
        panel_error=(request.query_params.get("panel", ""), request.query_params.get("failed", "")),
    )


@router.post("/incidents/{incident_id}/act")
def act(
    request: Request,
    incident_id: str,
    action: Annotated[str, Form(max_length=20)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)],
    text: Field = "",
    target: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """One form endpoint for note, status and severity (each button names its action)."""
    who = require(Role.RESPONDER)(request)
    check_csrf(who, csrf_token)
    app = _app(request)
    try:
        if action == "note":
            incidents.log(app, incident_id, text, actor=who.name)
        elif action == "status":
            incidents.set_status(app, incident_id, target, text, actor=who.name)
        elif action == "severity":
            incidents.set_severity(app, incident_id, target, text, actor=who.name)
        else:
            raise HTTPException(400, f"unknown action {action!r}")
    except StanchError as exc:
        return RedirectResponse(
            f"/incidents/{incident_id}?error={quote(exc.message)}#act", status_code=303
        )
    return RedirectResponse(f"/incidents/{incident_id}#timeline", status_code=303)


def _still_readable(app: App, incident_id: str) -> bool:
    return access.can_read(app, app.store.state(incident_id))


@router.get("/incidents/{incident_id}/stream")
async def stream(request: Request, incident_id: str, after: int = 0) -> StreamingResponse:
    """Server-sent events: one `message` per new timeline entry (resumes at Last-Event-ID)."""
    who = await run_in_threadpool(_viewer, request)
    if who is None:
        raise HTTPException(401, "log in first")
    app = _app(request)
    # 404 before the stream starts, the same for a missing and a hidden incident
    await run_in_threadpool(access.check_read, app, incident_id)
    last = int(request.headers.get("last-event-id") or after or 0)

    async def events() -> AsyncIterator[str]:
        seq, idle = last, 0
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            new = await run_in_threadpool(app.store.events, incident_id, seq)
            if new and not await run_in_threadpool(_still_readable, app, incident_id):
                return  # access revoked (or the type became restricted): the stream ends
            for event in new:
                seq = event.seq
                yield f"id: {seq}\ndata: {json.dumps(_line(event, app))}\n\n"
            idle = 0 if new else idle + 1
            if idle and idle % KEEPALIVE_POLLS == 0:
                yield ": keep-alive\n\n"  # proxies close quiet connections
            await asyncio.sleep(POLL_SECONDS)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
