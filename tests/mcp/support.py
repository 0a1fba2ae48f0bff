"""Drive `stanch mcp` over stdio with the SDK's own client."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.types import CallToolResult

CONFIG = """
[watch]
min_samples = 3
confirm_samples = 2
relapse_samples = 2
stale_after = "1h"
[watch.recovery_window]
SEV2 = "2s"
"""


def server_params(project: Path) -> StdioServerParameters:
    env = {"HOME": os.environ["HOME"], "STANCH_ACTOR": "oncall", "PATH": os.environ["PATH"]}
    return StdioServerParameters(command=sys.executable, args=["-m", "stanch", "mcp"],
                                 env=env, cwd=str(project))  # fmt: skip


def client(project: Path) -> Client:
    return Client(server_params(project), read_timeout_seconds=60)


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return dict(result.structured_content)
