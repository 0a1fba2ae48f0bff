"""Escalation triggers: pure policy over incident state, its events and a clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from stanch.model.clock import iso
from stanch.model.events import Event
from stanch.model.incident import Incident
from stanch.model.kinds import CHANGE_RECORDED, LEVER_APPLIED, LEVER_PLANNED, PAGE_SENT
from stanch.model.severity import Severity
from stanch.model.status import Status

# A responder says "this is beyond me" with this kind: {"trigger", "reason"}.
ESCALATION_FLAGGED = "escalation.flagged"
ESCALATED = "escalation.requested"  # {"to", "reason", "triggers", "summary"}
HANDOFF = (
    "handoff.recorded"  # {"to", "severity", "impact", "tried", "hypothesis", "next", "summary"}
)
FLAG_TRIGGERS = ("scope", "access", "no_lever", "destructive", "foreign_cause")

_UNMITIGATED = frozenset({Status.INVESTIGATING, Status.MITIGATING})


def _default_unmitigated() -> dict[Severity, timedelta]:
    return {Severity.SEV1: timedelta(minutes=15), Severity.SEV2: timedelta(minutes=30)}


@dataclass(frozen=True)
class EscalationPolicy:
    """Thresholds per severity and what we own."""

    unmitigated_after: Mapping[Severity, timedelta] = field(default_factory=_default_unmitigated)
    no_lever_after: Mapping[Severity, timedelta] = field(default_factory=dict)
    owned_services: frozenset[str] = frozenset()  # empty: ownership is not judged


@dataclass(frozen=True)
class Trigger:
    """One reason to page now, and since when it holds."""

    code: str
    reason: str
    since: datetime

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "reason": self.reason, "since": iso(self.since)}


def _unmitigated(incident: Incident, policy: EscalationPolicy, now: datetime) -> list[Trigger]:
    limit = policy.unmitigated_after.get(incident.severity)
    if limit is None or incident.status not in _UNMITIGATED:
        return []
    since = incident.declared_at + limit
    if now < since:
        return []
    label = incident.severity.label()
    minutes = int(limit.total_seconds() // 60)
    return [Trigger("unmitigated", f"{label} not mitigated {minutes} min after declaration", since)]


def _no_lever(incident: Incident, events: list[Event], policy: EscalationPolicy,
              now: datetime) -> list[Trigger]:  # fmt: skip
    limit = policy.no_lever_after.get(incident.severity)
    if limit is None or incident.status is not Status.INVESTIGATING:
        return []
    if any(e.kind in (LEVER_PLANNED, LEVER_APPLIED) for e in events):
        return []
    since = incident.declared_at + limit
    return [Trigger("no_lever", "no lever planned or applied yet", since)] if now >= since else []


def _destructive(events: list[Event]) -> list[Trigger]:
    return [
        Trigger(
            "destructive", f"planned lever {e.data.get('lever', '?')} is destructive", e.occurred_at
        )
        for e in events
        if e.kind == LEVER_PLANNED and e.data.get("destructive")
    ]


def _foreign(incident: Incident, events: list[Event], policy: EscalationPolicy) -> list[Trigger]:
    if not policy.owned_services:
        return []
    found: list[Trigger] = []
    for service in incident.services:
        if service not in policy.owned_services:
            found.append(Trigger("foreign_cause", f"affected service {service} is not ours",
                                 incident.declared_at))  # fmt: skip
    for e in events:
        service = str(e.data.get("service") or "")
        if e.kind == CHANGE_RECORDED and service and service not in policy.owned_services:
            found.append(Trigger("foreign_cause", f"suspect change in {service}, not ours",
                                 e.occurred_at))  # fmt: skip
    return found


def _flagged(events: list[Event]) -> list[Trigger]:
    return [
        Trigger(
            str(e.data.get("trigger")),
            str(e.data.get("reason") or e.data.get("trigger")),
            e.occurred_at,
        )
        for e in events
        if e.kind == ESCALATION_FLAGGED
    ]


def triggers(
    incident: Incident, events: Iterable[Event], policy: EscalationPolicy, now: datetime
) -> list[Trigger]:
    """Every trigger that holds now and has not been answered by a page since."""
    if not incident.is_open:
        return []
    history = list(events)
    paged = [e.occurred_at for e in history if e.kind in (PAGE_SENT, ESCALATED)]
    found = (
        _unmitigated(incident, policy, now)
        + _no_lever(incident, history, policy, now)
        + _destructive(history)
        + _foreign(incident, history, policy)
        + _flagged(history)
    )
    last_page = max(paged, default=None)
    open_ = [t for t in found if last_page is None or last_page < t.since]
    unique = {(t.code, t.reason): t for t in open_}
    return sorted(unique.values(), key=lambda t: t.since)
