"""The `[mcp]` table of stanch.toml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from stanch.errors import InvalidInput
from stanch.model.approvals import DEFAULT_REQUIRED
from stanch.model.watching import parse_duration

KEYS = {
    "approval_required": "actions an agent may only take after a human approves "
    "(default: status:resolved, status:closed, signal, lever:apply, lever:undo)",
    "actor": "the name agents' events are recorded under (default agent:<actor>)",
    "approval_expires": 'how long a granted approval stands, e.g. "30m" (default: until used)',
}


@dataclass(frozen=True)
class McpSettings:
    approval_required: tuple[str, ...] = DEFAULT_REQUIRED
    actor: str = ""
    approval_expires: timedelta | None = None


def load(raw: Mapping[str, Any]) -> McpSettings:
    table = raw.get("mcp", {})
    if not isinstance(table, Mapping):
        raise InvalidInput("stanch.toml [mcp] must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise InvalidInput(f"stanch.toml [mcp]: unknown key(s) {', '.join(unknown)}")
    rules = table.get("approval_required", list(DEFAULT_REQUIRED))
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise InvalidInput("stanch.toml [mcp] approval_required: a list of action names")
    actor = table.get("actor", "")
    if not isinstance(actor, str):
        raise InvalidInput("stanch.toml [mcp] actor: a name")
    return McpSettings(tuple(rules), actor, _expires(table.get("approval_expires")))


def _expires(value: object) -> timedelta | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InvalidInput('stanch.toml [mcp] approval_expires: a duration such as "30m"')
    return parse_duration(value, "stanch.toml [mcp] approval_expires")
