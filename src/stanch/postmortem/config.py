"""The `[postmortem]` table of stanch.toml, parsed and validated once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from stanch.errors import InvalidInput
from stanch.model.actions import EscalationPolicy
from stanch.model.slo import DEFAULT_PERIOD, Slo, exact


@dataclass(frozen=True)
class PostmortemSettings:
    due_after: timedelta = timedelta(hours=48)  # postmortem due after resolution
    roster: tuple[str, ...] = ()  # people's names the blameless check looks for
    escalation: EscalationPolicy = field(default_factory=EscalationPolicy)
    slos: dict[str, Slo] = field(default_factory=dict)
    prometheus_url: str | None = None
    ratio_queries: dict[str, str] = field(default_factory=dict)  # service → PromQL with {window}


def _table(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise InvalidInput(f"stanch.toml: [postmortem.{key}] must be a table")
    return value


def _hours(raw: Mapping[str, Any], key: str, default: float) -> timedelta:
    value = raw.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise InvalidInput(f"stanch.toml: postmortem {key} must be a positive number of hours")
    return timedelta(hours=float(value))


def _slo(entry: Any) -> Slo:
    if not isinstance(entry, Mapping) or "service" not in entry or "objective" not in entry:
        raise InvalidInput("stanch.toml: each [[postmortem.slo]] needs service and objective")
    days = entry.get("period_days", DEFAULT_PERIOD.days)
    if not isinstance(days, int | float) or days <= 0:
        raise InvalidInput("stanch.toml: postmortem.slo period_days must be positive")
    objective = exact(entry["objective"])
    if objective >= 1 and objective < 100:  # written as a percentage, e.g. 99.9
        objective /= 100
    return Slo(str(entry["service"]), objective, timedelta(days=float(days)))


def load(raw_settings: Mapping[str, Any]) -> PostmortemSettings:
    """Read `[postmortem]`; every bad value names its key."""
    raw = raw_settings.get("postmortem", {})
    if not isinstance(raw, Mapping):
        raise InvalidInput("stanch.toml: [postmortem] must be a table")
    roster = raw.get("roster", [])
    if not isinstance(roster, list) or not all(isinstance(n, str) for n in roster):
        raise InvalidInput("stanch.toml: postmortem roster must be a list of names")
    esc = _table(raw, "escalation")
    leads = esc.get("leads", {})
    if not isinstance(leads, Mapping):
        raise InvalidInput("stanch.toml: [postmortem.escalation.leads] must be a table")
    policy = EscalationPolicy(
        lead_after=_hours(esc, "lead_after_hours", 72),
        leads={str(k): str(v) for k, v in leads.items()},
        default_lead=str(esc["default"]) if esc.get("default") else None,
    )
    entries = raw.get("slo", [])
    if isinstance(entries, Mapping):
        entries = [entries]
    slos = {s.service: s for s in (_slo(e) for e in entries)}
    queries = {str(e["service"]): str(e["error_ratio"]) for e in entries if e.get("error_ratio")}
    for service, expr in queries.items():
        if "{window}" not in expr:
            raise InvalidInput(
                f"stanch.toml: postmortem.slo error_ratio for {service} needs {{window}}"
            )
    url = raw.get("prometheus_url")
    return PostmortemSettings(
        _hours(raw, "due_hours", 48), tuple(roster), policy, slos,
        str(url).rstrip("/") if url else None, queries,
    )  # fmt: skip
