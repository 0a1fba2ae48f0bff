"""Tool modules, one per capability: each `stanch.mcp.tools.<area>` has `register(server, ctx)`."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any, cast

from mcp.server import MCPServer

from stanch.mcp.context import ToolContext


def tool_modules() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules(__path__))


def register_all(server: MCPServer[Any], ctx: ToolContext) -> None:
    for name in tool_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        register = cast(Callable[[MCPServer[Any], ToolContext], None], module.register)
        register(server, ctx)
