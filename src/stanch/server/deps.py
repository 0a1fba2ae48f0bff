"""Request plumbing: the App, who is asking (token or session cookie), CSRF, errors."""

from __future__ import annotations

import base64
import dataclasses
import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from stanch.errors import (
    Ambiguous,
    Conflict,
    EnvironmentProblem,
    GuardRefused,
    IllegalTransition,
    NotFound,
    StanchError,
    UserError,
)
from stanch.server.config import ServerConfig
from stanch.services import access, tokens
from stanch.services.context import App
from stanch.services.tokens import Principal, Role

SESSION_COOKIE = "stanch_session"
CSRF_FIELD = "csrf_token"


ANONYMOUS = "stanch:anonymous"  # the reader of a request without a valid token


def base_app(request: Request) -> App:
    """The server's own App: every door reads through `app_of` instead."""
    app: App = request.app.state.stanch
    return app


def viewer_name(who: Principal | None) -> str:
    """The person a request reads as: its token's name (never the scheduler's own name)."""
    if who is None or who.name == access.SYSTEM:
        return ANONYMOUS
    return who.name


def app_of(request: Request) -> App:
    """The App as this request's token sees it: restricted incidents it is not named on
    do not exist for it (services/access.py), through every route at once."""
    base = base_app(request)
    base.store  # noqa: B018 — open once, so the per-request copies share it
    return dataclasses.replace(base, viewer=viewer_name(principal(request)))


def config_of(request: Request) -> ServerConfig:
    config: ServerConfig = request.app.state.config
    return config


def presented_token(request: Request) -> str | None:
    """Bearer header, HTTP basic password (Alertmanager's basic_auth), or the session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return request.cookies.get(SESSION_COOKIE)


def readable(app: App, ids: list[str]) -> list[str]:
    """Of these incident ids, those the request's reader may know exist."""
    return [key for key in ids if access.can_read(app, app.store.state(key))]


def principal(request: Request) -> Principal | None:
    """Who presented a valid token (looked up once per request)."""
    cached: tuple[Principal | None] | None = getattr(request.state, "stanch_principal", None)
    if cached is not None:
        return cached[0]
    token = presented_token(request)
    found = tokens.authenticate(base_app(request), token) if token else None
    request.state.stanch_principal = (found,)
    return found


def require(role: Role) -> Callable[[Request], Principal]:
    """A dependency: 401 without a valid token, 403 below `role`."""

    def check(request: Request) -> Principal:
        who = principal(request)
        if who is None:
            raise HTTPException(
                401, "a valid API token is required", headers={"WWW-Authenticate": "Bearer"}
            )
        if who.role < role:
            raise HTTPException(403, f"needs the {role.label} role; this token is {who.role.label}")
        return who

    return check


Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Responder = Annotated[Principal, Depends(require(Role.RESPONDER))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


def csrf_token(who: Principal) -> str:
    """Tied to the session's token digest: any replica can check it, nothing to store."""
    return hmac.new(who.digest.encode(), b"stanch-csrf", "sha256").hexdigest()


def check_csrf(who: Principal, presented: str | None) -> None:
    if not presented or not hmac.compare_digest(presented, csrf_token(who)):
        raise HTTPException(403, "form expired or forged (CSRF check failed); reload the page")


def status_code(exc: StanchError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Ambiguous | IllegalTransition | GuardRefused | Conflict):
        return 409
    if isinstance(exc, UserError):
        return 422
    if isinstance(exc, EnvironmentProblem):
        return 503
    return 500


async def stanch_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StanchError)
    return JSONResponse(
        {"error": " ".join(exc.message.split()), "hint": exc.hint}, status_code=status_code(exc)
    )
