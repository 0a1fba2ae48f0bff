"""The streamable-HTTP app serves the same tools, with the same refusals, as stdio."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from mcp import Client

from stanch.mcp.server import http_app
from stanch.services.context import App
from tests.mcp.support import structured
from tests.watch.servers import free_port


@pytest.fixture
def served(app: App) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(http_app(app), host="127.0.0.1", port=port, log_level="error",
                            lifespan="on")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}/mcp"
    server.should_exit = True
    thread.join(timeout=10)


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
