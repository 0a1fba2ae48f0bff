"""The `[watch]` table of stanch.toml, parsed and validated once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from stanch.errors import InvalidInput
from stanch.model.severity import Severity
from stanch.model.watching import DEFAULT_WINDOWS, RecoveryPolicy, parse_duration

KEYS = {
    "prometheus_url": "base URL of the Prometheus HTTP API used by PromQL signals",
    "token_env": "environment variable holding a bearer token for Prometheus (optional)",
    "interval": "time between samples in `stanch watch` (default 30s)",
    "timeout": "time limit of one reading (default 10s)",
    "min_samples": "samples the recovery window needs at least (default 5)",
    "confirm_samples": "consecutive healthy samples that confirm a mitigation (default 3)",
    "relapse_samples": "consecutive unhealthy samples that mean a relapse (default 2)",
    "stale_after": "a last sample older than this cannot gate `resolved` (default 10m)",
    "require_signal": "refuse `resolved` for incidents without a signal (default false)",
    "recovery_window": 'table severity → window, e.g. SEV1 = "30m" (defaults 30m/20m/10m/5m)',
}


@dataclass(frozen=True)
class WatchSettings:
    prometheus_url: str = ""
    token_env: str = ""
    interval: timedelta = timedelta(seconds=30)
    timeout: timedelta = timedelta(seconds=10)
    require_signal: bool = False
    policy: RecoveryPolicy = field(default_factory=RecoveryPolicy)


def _count(table: Mapping[str, Any], key: str, default: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidInput(f"stanch.toml [watch] {key}: a whole number ≥ 1, not {value!r}")
    return value


def _duration(table: Mapping[str, Any], key: str, default: timedelta) -> timedelta:
    if key not in table:
        return default
    return parse_duration(table[key], f"stanch.toml [watch] {key}")


def _windows(table: Mapping[str, Any]) -> dict[Severity, timedelta]:
    windows = dict(DEFAULT_WINDOWS)
    raw = table.get("recovery_window", {})
    if not isinstance(raw, Mapping):
        raise InvalidInput('stanch.toml [watch] recovery_window: a table like SEV1 = "30m"')
    for label, value in raw.items():
        where = f"stanch.toml [watch.recovery_window] {label}"
        windows[Severity.parse(str(label))] = parse_duration(value, where)
    return windows


def load(raw: Mapping[str, Any]) -> WatchSettings:
    """Parse `settings.raw["watch"]`; unknown keys are refused so typos do not pass."""
    table = raw.get("watch", {})
    if not isinstance(table, Mapping):
        raise InvalidInput("stanch.toml [watch] must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise InvalidInput(f"stanch.toml [watch]: unknown key(s) {', '.join(unknown)}")
    min_samples = _count(table, "min_samples", 5)
    policy = RecoveryPolicy(
        windows=_windows(table),
        min_samples=min_samples,
        confirm_samples=_count(table, "confirm_samples", 3),
        relapse_samples=_count(table, "relapse_samples", 2),
        stale_after=_duration(table, "stale_after", timedelta(minutes=10)),
    )
    require = table.get("require_signal", False)
    if not isinstance(require, bool):
        raise InvalidInput("stanch.toml [watch] require_signal: true or false")
    return WatchSettings(
        prometheus_url=str(table.get("prometheus_url", "")),
        token_env=str(table.get("token_env", "")),
        interval=_duration(table, "interval", timedelta(seconds=30)),
        timeout=_duration(table, "timeout", timedelta(seconds=10)),
        require_signal=require,
        policy=policy,
    )
