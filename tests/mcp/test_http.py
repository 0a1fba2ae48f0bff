"""The streamable-HTTP app serves the same tools, with the same refusals, as stdio."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client

from stanch.mcp.server import http_app
from stanch.services.context import App
from tests.mcp.support import structured
from tests.server.running import running


@pytest.fixture
def served(app: App) -> Iterator[str]:
    with running(http_app(app), path="/mcp", log_level="error", lifespan="on") as url:
        yield url


def test_streamable_http_declares_and_refuses(served: str, app: App) -> None:
    async def go() -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        async with Client(served) as session:
            tools = [t.name for t in (await session.list_tools()).tools]
            declared = structured(await session.call_tool(
                "declare", {"symptom": "Search times out", "severity": "P1"}))  # fmt: skip
            refused = structured(await session.call_tool("status", {"target": "resolved"}))
            return declared, refused, tools

    declared, refused, tools = asyncio.run(go())
    assert "watch" in tools
    assert declared["outcome"] == "ok"
    assert app.store.state(declared["incident"]["id"]).severity.label() == "SEV2"
    assert refused["outcome"] == "refused"
    assert "cannot go from investigating to resolved" in refused["message"]
