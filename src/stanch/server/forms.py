"""The incident page's panel forms: who may post (responder + CSRF), and where to go back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Form, Request
from fastapi.responses import RedirectResponse

from stanch.errors import StanchError
from stanch.server.acting import acting
from stanch.server.deps import check_csrf, require
from stanch.services.context import App
from stanch.services.tokens import Principal, Role

Text = Annotated[str, Form(max_length=10_000)]
Short = Annotated[str, Form(max_length=300)]
Csrf = Annotated[str, Form(alias="csrf_token", max_length=200)]


def responder(request: Request, csrf: str) -> tuple[Principal, App]:
    """403 below responder or with a forged form; else the caller and their App."""
    who = require(Role.RESPONDER)(request)
    check_csrf(who, csrf)
    return who, acting(request, who)


def back(incident_id: str, panel: str, error: str = "") -> RedirectResponse:
    """To the panel, with the one-line refusal shown in it when there is one."""
    query = f"?panel={panel}&failed={quote(error)}" if error else ""
    return RedirectResponse(f"/incidents/{quote(incident_id)}{query}#{panel}", status_code=303)


def run(incident_id: str, panel: str, act: Callable[[], object]) -> RedirectResponse:
    """Do it; a refusal or bad input comes back as the panel's error line, never a trace."""
    try:
        act()
    except StanchError as exc:
        return back(incident_id, panel, " ".join(exc.message.split()))
    return back(incident_id, panel)
