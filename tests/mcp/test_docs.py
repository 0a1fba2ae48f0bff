"""Every MCP tool and setting is documented in docs/mcp.md."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from mcp import Client

from stanch.mcp.prompts import PROCEDURE
from stanch.mcp.server import build_server
from stanch.mcp.settings import KEYS as MCP_KEYS
from stanch.services.context import App
from stanch.watch.settings import KEYS as WATCH_KEYS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_tool_and_setting_is_documented(app: App) -> None:
    async def names() -> list[str]:
        async with Client(build_server(app)) as session:
            return [tool.name for tool in (await session.list_tools()).tools]

    text = (DOCS / "mcp.md").read_text()
    found = asyncio.run(names())
    assert found
    for name in found:
        assert f"| `{name}` |" in text, name
    for key in MCP_KEYS:
        assert f"| `{key}` |" in text, key
    watch = (DOCS / "watch.md").read_text()
    for key in WATCH_KEYS:
        assert f"| `{key}` |" in watch, key


def test_the_procedure_names_only_tools_that_exist(app: App) -> None:
    async def names() -> set[str]:
        async with Client(build_server(app)) as session:
            return {tool.name for tool in (await session.list_tools()).tools}

    named: set[str] = set()
    for group in re.findall(r"\(tools?: ([^)]*)\)", " ".join(PROCEDURE.split())):
        named.update(name.strip() for name in group.split(","))
    assert {"lever_apply", "evidence_logs", "escalate", "update_post"} <= named
    assert named <= asyncio.run(names())
