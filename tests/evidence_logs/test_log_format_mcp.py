"""The `evidence_logs` MCP tool takes `log_format` and `time_format` like the command."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from mcp import Client

from stanch.mcp.server import build_server
from stanch.services.context import App
from tests.mcp.support import structured


def _look(app: App, **arguments: Any) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        async with Client(build_server(app)) as session:
            return structured(await session.call_tool("evidence_logs", arguments))

    return asyncio.run(go())


def test_agents_give_the_header_layout(app: App, tmp_path: Path) -> None:
    path = tmp_path / "pay.log"
    path.write_text("22/11/2026 09:58:00 web-3 INFO request ok id=2\n"
                    "22/11/2026 10:00:05 web-3 ERROR payment declined code=51\n")  # fmt: skip
    window = {"files": [str(path)], "start": "2026-11-22T09:55:00Z",
              "end": "2026-11-22T10:05:00Z", "onset": "2026-11-22T10:00:00Z", "pin": False}  # fmt: skip
    found = _look(app, **window, log_format="<Date> <Time> <Host> <Level> <Content>",
                  time_format="%d/%m/%Y %H:%M:%S")  # fmt: skip
    assert found["outcome"] == "ok", found
    top = found["report"]["signatures"][0]
    assert (top["template"], top["level"], top["change"]) == (
        "payment declined code=<*>",
        "ERROR",
        "new",
    )
    bad = _look(app, **window, log_format="<Date> <Time> <Level>")
    assert bad["outcome"] == "refused"
    assert bad["message"].startswith("--log-format: no message in the format")
