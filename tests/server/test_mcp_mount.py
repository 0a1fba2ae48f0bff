"""`/mcp` on the server: the SDK's client over real HTTP, a bearer token, incidents as it sees them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent

from stanch.server.app import create_app
from stanch.services import incidents, tokens
from stanch.services.context import App
from tests.server.running import running

SYMPTOM = "Unauthorized admin logins"
MISSING = "2026-01-01-no-such-thing"
INIT = {
    "jsonrpc": "2.0", "id": 1, "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {},
               "clientInfo": {"name": "probe", "version": "1"}},
}  # fmt: skip
ACCEPT = {"Accept": "application/json, text/event-stream"}


@dataclass
class Served:
    url: str
    app: App
    breach: str
    alice: str
    mallory: str
    vera: str


@pytest.fixture
def served(app: App) -> Iterator[Served]:
    app.viewer = "alice"
    breach = incidents.declare(app, SYMPTOM, severity=None, incident_type="security",
                               slug="breach", actor="alice").incident.id  # fmt: skip
    made = Served("", app, breach, tokens.create(app, "alice", "responder"),
                  tokens.create(app, "mallory", "responder"), tokens.create(app, "vera", "viewer"))  # fmt: skip
    with running(create_app(app), path="/mcp", log_level="error", lifespan="on") as url:
        made.url = url
        yield made


def _result(done: CallToolResult) -> tuple[bool, dict[str, Any] | str]:
    if done.is_error:
        first = done.content[0]
        return True, first.text if isinstance(first, TextContent) else ""
    return False, dict(done.structured_content or {})


async def _calls(url: str, token: str, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as http,
        Client(streamable_http_client(url, http_client=http)) as session,
    ):
        return [_result(await session.call_tool(name, args)) for name, args in calls]


def test_the_named_responder_reads_it_over_mcp(served: Served) -> None:
    [shown] = asyncio.run(_calls(served.url, served.alice, [("show", {"incident": served.breach})]))
    failed, body = shown
    assert not failed and isinstance(body, dict)
    assert body["incident"]["symptom"] == SYMPTOM


def test_another_responder_gets_the_missing_id_answer(served: Served) -> None:
    calls = [("show", {"incident": served.breach}), ("show", {"incident": MISSING}),
             ("log", {"text": "poking", "incident": served.breach})]  # fmt: skip
    hidden, missing, logged = asyncio.run(_calls(served.url, served.mallory, calls))
    assert hidden[0] and missing[0]
    assert hidden[1] == str(missing[1]).replace(MISSING, served.breach)
    assert SYMPTOM not in str(logged) and served.app.store.state(served.breach).last_seq == 1


def test_declare_over_mcp_records_the_incident(served: Served) -> None:
    [declared] = asyncio.run(_calls(served.url, served.mallory,
                                    [("declare", {"symptom": "Search times out",
                                                  "severity": "SEV2"})]))  # fmt: skip
    failed, body = declared
    assert not failed and isinstance(body, dict) and body["outcome"] == "ok"
    key = body["incident"]["id"]
    assert served.app.store.state(key).symptom == "Search times out"
    assert served.app.store.events(key)[0].actor == "agent:mallory"  # the token, on the record


def test_mcp_needs_a_responder_token_and_keeps_sessions_to_theirs(served: Served) -> None:
    with httpx.Client(timeout=10) as http:
        assert http.post(served.url, json=INIT, headers=ACCEPT).status_code == 401
        cookie = http.post(served.url, json=INIT,
                           headers={**ACCEPT, "Cookie": f"stanch_session={served.alice}"})  # fmt: skip
        assert cookie.status_code == 401  # a browser session never reaches MCP tools
        wrong = http.post(served.url, json=INIT, headers={**ACCEPT, "Authorization": "Bearer x"})
        assert wrong.status_code == 401
        viewer = http.post(served.url, json=INIT,
                           headers={**ACCEPT, "Authorization": f"Bearer {served.vera}"})  # fmt: skip
        assert viewer.status_code == 403
        opened = http.post(served.url, json=INIT,
                           headers={**ACCEPT, "Authorization": f"Bearer {served.alice}"})  # fmt: skip
        assert opened.status_code == 200
        session = opened.headers["mcp-session-id"]
        listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
        stolen = http.post(served.url, json=listing, headers={
            **ACCEPT, "Authorization": f"Bearer {served.mallory}", "mcp-session-id": session})  # fmt: skip
        assert stolen.status_code == 404


def test_the_incidents_resource_leaves_it_out(served: Served) -> None:
    async def read() -> str:
        headers = {"Authorization": f"Bearer {served.mallory}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            Client(streamable_http_client(served.url, http_client=http)) as session,
        ):
            return str(await session.read_resource("stanch://incidents"))

    assert SYMPTOM not in asyncio.run(read())
