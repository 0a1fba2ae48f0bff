"""Lines other capabilities add under `stanch show` ("escalation due: …", "update due …").

Every `*_cmds` module may define `show_notices(app, incident_id) -> list[str]`; `show`
prints what they return, so a capability adds its notices without editing `show`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from stanch.cli.plugins import command_modules
from stanch.services.context import App

Notices = Callable[[App, str], list[str]]


def notices(app: App, incident_id: str) -> list[str]:
    """Every notice of every capability, in module order."""
    lines: list[str] = []
    for name in command_modules():
        module = importlib.import_module(f"stanch.cli.{name}")
        provider = getattr(module, "show_notices", None)
        if provider is not None:
            lines.extend(cast(Notices, provider)(app, incident_id))
    return lines
