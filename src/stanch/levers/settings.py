"""The [levers] table of stanch.toml, parsed and checked once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stanch.errors import InvalidInput

DEFAULTS: dict[str, Any] = {
    "recent_window_minutes": 360,
    "timeout_s": 120,
    "nodes": [],
    "repo": ".",
}


@dataclass(frozen=True)
class LeverSettings:
    recent_window_minutes: int = 360  # a change this close before onset ranks its reversal first
    timeout_s: float = 120.0  # per command a lever runs
    nodes: tuple[str, ...] = ()  # nodes that may be cordoned or drained
    repo: str = "."  # the repository scanned when --repo is not given
    services: dict[str, dict[str, Any]] = field(default_factory=dict)  # unleash, launchdarkly


def lever_settings(raw: Mapping[str, Any]) -> LeverSettings:
    table = raw.get("levers", {})
    if not isinstance(table, dict):
        raise InvalidInput("[levers] must be a table")
    unknown = set(table) - set(DEFAULTS) - {"unleash", "launchdarkly"}
    if unknown:
        raise InvalidInput(f"[levers]: unknown setting(s) {', '.join(sorted(unknown))}")
    try:
        window = int(table.get("recent_window_minutes", 360))
        timeout = float(table.get("timeout_s", 120))
    except (TypeError, ValueError):
        raise InvalidInput("[levers]: recent_window_minutes and timeout_s are numbers") from None
    nodes = table.get("nodes", [])
    if not isinstance(nodes, list) or not all(isinstance(n, str) for n in nodes):
        raise InvalidInput("[levers] nodes must be a list of node names")
    services = {}
    for name in ("unleash", "launchdarkly"):
        conf = table.get(name)
        if conf is None:
            continue
        if not isinstance(conf, dict):
            raise InvalidInput(f"[levers.{name}] must be a table")
        services[name] = {k: str(v) for k, v in conf.items()}
    return LeverSettings(window, timeout, tuple(nodes), str(table.get("repo", ".")), services)
