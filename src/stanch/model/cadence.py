"""When the next update is due: at declaration, at each state change, and on a timer.

Pure: takes the incident, its events and `now`; the CLI, the server's scheduler and the
tests all ask the same question with their own clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from stanch.model.clock import iso
from stanch.model.events import Event, Kind
from stanch.model.incident import Incident
from stanch.model.kinds import UPDATE_POSTED
from stanch.model.severity import Severity

# State changes that call for an update (the process order of DESIGN.md).
ANNOUNCED_STATES = frozenset({"mitigating", "mitigated", "monitoring", "resolved"})


def _default_every() -> dict[Severity, timedelta]:
    return {Severity.SEV1: timedelta(minutes=30), Severity.SEV2: timedelta(minutes=30)}


@dataclass(frozen=True)
class CadencePolicy:
    """How often to update, per severity (absent = only at state changes)."""

    every: Mapping[Severity, timedelta] = field(default_factory=_default_every)
    public_within: timedelta = timedelta(minutes=15)  # first status-page post, customer-visible


@dataclass(frozen=True)
class Due:
    """One update that is owed: which audience, by when, and why."""

    audience: str  # "internal" or "public"
    due_at: datetime
    reason: str

    def overdue(self, now: datetime) -> bool:
        return now > self.due_at

    def to_dict(self, now: datetime) -> dict[str, object]:
        return {
            "audience": self.audience,
            "due_at": iso(self.due_at),
            "reason": self.reason,
            "overdue": self.overdue(now),
        }


def _posted(events: Iterable[Event]) -> tuple[list[datetime], list[datetime]]:
    internal: list[datetime] = []
    public: list[datetime] = []
    for event in events:
        if event.kind == UPDATE_POSTED:
            target = public if event.data.get("audience") == "public" else internal
            target.append(event.occurred_at)
    return internal, public


def _state_changes(events: Iterable[Event]) -> list[tuple[datetime, str]]:
    return [
        (e.occurred_at, str(e.data["to"]))
        for e in events
        if e.kind == Kind.STATUS and e.data.get("to") in ANNOUNCED_STATES
    ]


def owed(
    incident: Incident, events: Iterable[Event], policy: CadencePolicy, now: datetime
) -> list[Due]:
    """Every update currently owed, earliest first (empty when all caught up)."""
    history = list(events)
    internal, public = _posted(history)
    last = max(internal, default=None)
    due: list[Due] = []
    if last is None:
        due.append(Due("internal", incident.declared_at, "declaration"))
    changes = _state_changes(history)
    if changes:
        at, state = changes[-1]
        if last is None or last < at:
            due.append(Due("internal", at, f"status changed to {state}"))
    every = policy.every.get(incident.severity)
    if incident.is_open and every:
        since = last or incident.declared_at
        due.append(Due("internal", since + every, f"{incident.severity.label()} cadence"))
    if incident.customer_visible and not public:
        due.append(Due("public", incident.declared_at + policy.public_within, "customer-visible"))
    if incident.customer_visible and public and changes and max(public) < changes[-1][0]:
        due.append(Due("public", changes[-1][0], f"status changed to {changes[-1][1]}"))
    if not incident.is_open and last is not None and changes and last >= changes[-1][0]:
        due = [d for d in due if d.audience == "public"]
    return sorted(due, key=lambda d: (d.due_at, d.audience))


def next_update_at(
    incident: Incident, events: Iterable[Event], policy: CadencePolicy, now: datetime
) -> datetime | None:
    """When the next update is promised, counting from `now` (for the update's text)."""
    every = policy.every.get(incident.severity)
    if not incident.is_open:
        return None
    return now + (every or timedelta(hours=1))
