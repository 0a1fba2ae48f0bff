"""Request plumbing: the App, who is asking (token or session cookie), CSRF, errors."""

from __future__ import annotations

import base64
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
from stanch.services import tokens
from stanch.services.context import App
from stanch.services.tokens import Principal, Role

SESSION_COOKIE = "stanch_session"
CSRF_FIELD = "csrf_token"


def app_of(request: Request) -> App:
    app: App = request.app.state.stanch
    return app


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


def principal(request: Request) -> Principal | None:
    token = presented_token(request)
    return tokens.authenticate(app_of(request), token) if token else None


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
