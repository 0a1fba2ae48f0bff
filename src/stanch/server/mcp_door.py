"""The MCP streamable-HTTP door at `/mcp`: bearer token required, incidents as that token sees them.

One MCP server serves every token. Its App reads the requesting token's name from a
context variable, so restricted incidents stay hidden exactly as in the REST API; the
session an MCP client opens keeps the name of the token that opened it, and a session
id presented with another token is refused like an unknown one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from mcp.server.transport_security import TransportSecuritySettings
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from stanch.mcp.server import build_server
from stanch.server.deps import ANONYMOUS, viewer_name
from stanch.services import tokens
from stanch.services.context import App
from stanch.services.tokens import Principal, Role
from stanch.settings import Settings

SESSION_HEADER = "mcp-session-id"
_viewer: ContextVar[str] = ContextVar("stanch_mcp_viewer", default=ANONYMOUS)


class TokenApp(App):
    """An App whose reader, and actor, is the token of the MCP request being served."""

    _settings_by_actor: dict[str, Settings]

    @property
    def viewer(self) -> str | None:
        return _viewer.get()

    @viewer.setter
    def viewer(self, _value: str | None) -> None:
        """Set per request by the door, never by hand."""

    @property
    def settings(self) -> Settings:
        """The server's settings, with the token's name as the actor (`agent:<token>`)."""
        who = _viewer.get()
        base = self._settings_by_actor[""]
        if who == ANONYMOUS:
            return base
        if who not in self._settings_by_actor:
            self._settings_by_actor[who] = dataclasses.replace(base, actor=who)
        return self._settings_by_actor[who]

    @settings.setter
    def settings(self, value: Settings) -> None:
        self._settings_by_actor = {"": value}


def _token_app(app: App) -> TokenApp:
    app.store  # noqa: B018 — open once, so both share it
    values = {f.name: getattr(app, f.name) for f in dataclasses.fields(app) if f.init}
    return TokenApp(**values)


def _bearer(request: Request) -> str | None:
    """Only the Authorization header: a browser's session cookie never reaches MCP tools."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def _refusal(status: int, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": message, "hint": None}, status_code=status, headers=headers)


class McpDoor:
    """The ASGI app behind the `/mcp` route."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.sessions: dict[str, str] = {}  # session id -> the token name that opened it
        self._started = False
        self._build()

    def _build(self) -> None:
        self.server = build_server(_token_app(self.app))
        # A token is required on every request, so the localhost-only Host check the SDK
        # applies by default would only stop the server working behind a load balancer.
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
        self.asgi = self.server.streamable_http_app(transport_security=security)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The MCP session manager, for the server's lifespan (a fresh one per start)."""
        if self._started:  # the SDK's manager runs once; an app started again gets a new one
            self._build()
            self.sessions.clear()
        self._started = True
        async with self.server.session_manager.run():
            yield

    def _who(self, request: Request) -> Principal | None:
        token = _bearer(request)
        return tokens.authenticate(self.app, token) if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        who = await run_in_threadpool(self._who, request)
        if who is None:
            return await _refusal(401, "a valid API token is required")(scope, receive, send)
        if who.role < Role.RESPONDER:
            refused = _refusal(403, f"MCP needs the responder role; this token is {who.role.label}")
            return await refused(scope, receive, send)
        session = request.headers.get(SESSION_HEADER)
        if session and self.sessions.get(session, who.name) != who.name:
            return await _refusal(404, "unknown MCP session")(scope, receive, send)
        reset = _viewer.set(viewer_name(who))
        try:
            await self.asgi(scope, receive, self._remember(who.name, send))
        finally:
            _viewer.reset(reset)

    def _remember(self, name: str, send: Send) -> Send:
        """Note which token opened a session, from the response's session header."""

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = message.get("headers", [])
                for key, value in headers:
                    if key.decode().lower() == SESSION_HEADER:
                        self.sessions.setdefault(value.decode(), name)
            await send(message)

        return sending
