"""The [levers] table of stanch.toml, parsed and checked once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from stanch.errors import InvalidInput

DEFAULTS: dict[str, Any] = {
    "recent_window_minutes": 360,
    "timeout_s": 120,
    "nodes": [],
    "repo": ".",
}


@dataclass(frozen=True)
class LiveSettings:
    """[levers.live]: which live sources `stanch levers` reads (all off unless configured)."""

    kubectl: bool = False
    helm: bool = False
    flags: bool = False  # live state from [levers.unleash] / [levers.launchdarkly]
    context: str | None = None  # kube context (kubectl --context, helm --kube-context)
    namespaces: tuple[str, ...] = ()  # empty: every namespace (-A)
    timeout_s: float = 20.0  # per read-only command or request

    @property
    def enabled(self) -> bool:
        return self.kubectl or self.helm or self.flags

    def forced(self) -> LiveSettings:
        """`--live`: every source on, the rest of the table kept."""
        return replace(self, kubectl=True, helm=True, flags=True)


@dataclass(frozen=True)
class LeverSettings:
    recent_window_minutes: int = 360  # a change this close before onset ranks its reversal first
    timeout_s: float = 120.0  # per command a lever runs
    nodes: tuple[str, ...] = ()  # nodes that may be cordoned or drained
    repo: str = "."  # the repository scanned when --repo is not given
    services: dict[str, dict[str, Any]] = field(default_factory=dict)  # unleash, launchdarkly
    live: LiveSettings = field(default_factory=LiveSettings)


_LIVE_KEYS = {"kubectl", "helm", "flags", "context", "namespaces", "timeout_s"}


def live_settings(table: Any) -> LiveSettings:
    """Parse [levers.live]; every source stays off unless it is set to true."""
    if table is None:
        return LiveSettings()
    if not isinstance(table, dict):
        raise InvalidInput("[levers.live] must be a table")
    unknown = set(table) - _LIVE_KEYS
    if unknown:
        raise InvalidInput(f"[levers.live]: unknown setting(s) {', '.join(sorted(unknown))}")
    for key in ("kubectl", "helm", "flags"):
        if not isinstance(table.get(key, False), bool):
            raise InvalidInput(f"[levers.live] {key} must be true or false")
    context = table.get("context")
    if context is not None and (not isinstance(context, str) or not context):
        raise InvalidInput("[levers.live] context must be a kube context name")
    names = table.get("namespaces", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise InvalidInput("[levers.live] namespaces must be a list of namespace names")
    timeout = table.get("timeout_s", 20)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise InvalidInput("[levers.live] timeout_s must be a positive number of seconds")
    return LiveSettings(table.get("kubectl", False), table.get("helm", False),
                        table.get("flags", False), context, tuple(names), float(timeout))  # fmt: skip


def lever_settings(raw: Mapping[str, Any]) -> LeverSettings:
    table = raw.get("levers", {})
    if not isinstance(table, dict):
        raise InvalidInput("[levers] must be a table")
    unknown = set(table) - set(DEFAULTS) - {"unleash", "launchdarkly", "live"}
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
    return LeverSettings(window, timeout, tuple(nodes), str(table.get("repo", ".")), services,
                         live_settings(table.get("live")))  # fmt: skip
