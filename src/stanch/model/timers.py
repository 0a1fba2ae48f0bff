"""Timer rules: pure functions from an incident, its events and now to the timers it needs.

The scheduler stores each timer once (by id) and fires it when due, if its rule still
wants it then. Capabilities add their own rules with `register_rule`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from stanch.model.clock import iso
from stanch.model.events import Event, Kind
from stanch.model.incident import Incident
from stanch.model.kinds import UPDATE_POSTED
from stanch.model.severity import Severity
from stanch.model.status import Status

TIMER_FIRED: Final = "timer.fired"  # {"timer", "rule", "due_at", "summary"}


@dataclass(frozen=True)
class TimerPolicy:
    escalate_after: timedelta = timedelta(minutes=15)
    update_every: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class Due:
    """A timer an incident needs: a stable id, its rule, when, and what firing says."""

    id: str
    rule: str
    due_at: datetime
    summary: str


Rule = Callable[[Incident, Sequence[Event], TimerPolicy], list[Due]]


def escalation(incident: Incident, _events: Sequence[Event], policy: TimerPolicy) -> list[Due]:
    """A SEV1 not mitigated within the window escalates (DESIGN: escalate early)."""
    if incident.severity is not Severity.SEV1:
        return []
    if incident.status not in (Status.INVESTIGATING, Status.MITIGATING):
        return []
    minutes = int(policy.escalate_after.total_seconds() // 60)
    return [
        Due(
            f"{incident.id}:escalate-sev1",
            "escalation",
            incident.declared_at + policy.escalate_after,
            f"SEV1 not mitigated after {minutes} min: escalate to the owning on-call",
        )
    ]


def update_cadence(incident: Incident, events: Sequence[Event], policy: TimerPolicy) -> list[Due]:
    """SEV1/SEV2 while live: an update at least every `update_every`."""
    if not incident.is_open or incident.severity > Severity.SEV2:
        return []
    if incident.status is Status.RESOLVED:
        return []
    last = incident.declared_at
    for event in events:
        if event.kind in (UPDATE_POSTED, Kind.STATUS):
            last = max(last, event.occurred_at)
    minutes = int(policy.update_every.total_seconds() // 60)
    return [
        Due(
            f"{incident.id}:update:{iso(last)}",
            "update-cadence",
            last + policy.update_every,
            f"no update for {minutes} min: post one (impact, done, next, next update)",
        )
    ]


RULES: list[Rule] = [escalation, update_cadence]


def register_rule(rule: Rule) -> Rule:
    """Add a rule (overdue action items, postmortem due dates …); usable as a decorator."""
    if rule not in RULES:
        RULES.append(rule)
    return rule


def wanted(incident: Incident, events: Sequence[Event], policy: TimerPolicy) -> list[Due]:
    """Every timer the incident needs now."""
    out: list[Due] = []
    for rule in RULES:
        out.extend(rule(incident, events, policy))
    return out
