"""The `[server]` table of stanch.toml, read once and validated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from stanch.errors import InvalidInput
from stanch.model.alerts import DEFAULT_SEVERITY_LABELS
from stanch.model.severity import Severity
from stanch.model.timers import TimerPolicy

# Every [server] key and its meaning; docs/server.md is checked against this.
SERVER_SETTINGS: dict[str, str] = {
    "group_by": "alert labels whose values put alerts in one incident (default alertname, service)",
    "severity_labels": "map of `severity` label values to SEV1–SEV4 / P0–P3",
    "default_severity": "severity of an alert without a recognised severity label (SEV3)",
    "rate_per_second": "inbound webhook requests allowed per second per client (default 100)",
    "rate_burst": "requests a client may send at once above the rate (default 500)",
    "rate_scope": "shared: one allowance per client across replicas (default); replica: each",
    "status_title": "title of the public status page",
    "components": "services shown as components on the public status page",
    "public_url": "absolute URL of the server, used in the Atom feed",
    "scheduler": "run timers in this process (default true)",
    "tick_seconds": "how often the scheduler looks for due timers (default 5)",
    "lease_seconds": "how long a replica holds a timer it is firing (default 60)",
    "escalate_after_minutes": "SEV1 not mitigated after this long fires an escalation (15)",
    "update_every_minutes": "SEV1/SEV2 with no update for this long fires a reminder (30)",
    "change_lookback_minutes": "changes this long before onset are attached on declare (120)",
}


@dataclass(frozen=True)
class ServerConfig:
    group_by: tuple[str, ...] = ("alertname", "service")
    severity_labels: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEVERITY_LABELS))
    default_severity: Severity = Severity.SEV3
    rate_per_second: float = 100.0
    rate_burst: int = 500
    rate_scope: str = "shared"  # shared (through the store) | replica
    status_title: str = "Service status"
    components: tuple[str, ...] = ()
    public_url: str = ""
    scheduler: bool = True
    tick_seconds: float = 5.0
    lease_seconds: float = 60.0
    escalate_after_minutes: float = 15.0
    update_every_minutes: float = 30.0
    change_lookback_minutes: float = 120.0

    def policy(self) -> TimerPolicy:
        """The timer rules' windows."""
        return TimerPolicy(
            escalate_after=timedelta(minutes=self.escalate_after_minutes),
            update_every=timedelta(minutes=self.update_every_minutes),
        )


def _strings(raw: Mapping[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = raw.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"[server] {key} must be a list of strings")
    return tuple(value)


def _number(raw: Mapping[str, Any], key: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InvalidInput(f"[server] {key} must be a positive number")
    return float(value)


def _choice(raw: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = raw.get(key, allowed[0])
    if value not in allowed:
        raise InvalidInput(f"[server] {key} must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


def load_server_config(raw: Mapping[str, Any]) -> ServerConfig:
    """Parse `settings.raw["server"]`; bad values name the key."""
    table = raw.get("server", {})
    if not isinstance(table, dict):
        raise InvalidInput("[server] must be a table")
    unknown = sorted(set(table) - set(SERVER_SETTINGS))
    if unknown:
        raise InvalidInput(f"[server] unknown setting {unknown[0]!r}")
    labels = table.get("severity_labels", DEFAULT_SEVERITY_LABELS)
    if not isinstance(labels, dict):
        raise InvalidInput("[server] severity_labels must be a table")
    mapping = {str(k).lower(): str(v) for k, v in labels.items()}
    for value in mapping.values():
        Severity.parse(value)
    return ServerConfig(
        group_by=_strings(table, "group_by", ("alertname", "service")),
        severity_labels=mapping,
        default_severity=Severity.parse(str(table.get("default_severity", "SEV3"))),
        rate_per_second=_number(table, "rate_per_second", 100.0),
        rate_burst=int(_number(table, "rate_burst", 500)),
        rate_scope=_choice(table, "rate_scope", ("shared", "replica")),
        status_title=str(table.get("status_title", "Service status")),
        components=_strings(table, "components", ()),
        public_url=str(table.get("public_url", "")).rstrip("/"),
        scheduler=bool(table.get("scheduler", True)),
        tick_seconds=_number(table, "tick_seconds", 5.0),
        lease_seconds=_number(table, "lease_seconds", 60.0),
        escalate_after_minutes=_number(table, "escalate_after_minutes", 15.0),
        update_every_minutes=_number(table, "update_every_minutes", 30.0),
        change_lookback_minutes=_number(table, "change_lookback_minutes", 120.0),
    )
