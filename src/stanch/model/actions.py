"""Action items: owned, prioritised, dated; overdue ones escalate on a schedule.

Kinds (data in the comment):
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

from stanch.errors import InvalidInput
from stanch.model.clock import from_iso, human_duration, iso
from stanch.model.events import Event

ACTION_ADDED: Final = (
    "action.added"  # {"item","text","owner","priority","due","type","kind","summary"}
)
ACTION_DONE: Final = "action.done"  # {"item", "note", "summary"}
ACTION_ESCALATED: Final = "action.escalated"  # {"item","level","to","owner","overdue_s","summary"}
ACTION_SYNCED: Final = "action.synced"  # {"item", "tracker", "url", "summary"}

TYPES: Final = ("mitigate", "prevent", "process", "other")  # Google template's Type column
# What kind of change: the ones that make recurrence impossible or auto-detected come first.
KINDS: Final = ("guardrail", "alert", "test", "rollback", "automation", "fix", "docs", "other")
PRIORITIES: Final = ("P0", "P1", "P2", "P3")
DEFAULT_DUE: Final = {"P0": 7, "P1": 30, "P2": 90, "P3": 180}  # days after adding
_ITEM = re.compile(r"^[A-Za-z0-9][\w.-]*#A\d+$|^A\d+$")


@dataclass(frozen=True)
class ActionItem:
    incident_id: str
    item: str  # A1, A2 … within the incident
    text: str
    owner: str
    priority: str
    due: datetime
    type: str
    kind: str
    added_at: datetime
    done_at: datetime | None = None
    escalated: tuple[int, ...] = ()  # levels already escalated
    tracker_url: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.incident_id}#{self.item}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    def overdue_by(self, now: datetime) -> timedelta | None:
        """How long past due an open item is (None when not overdue)."""
        if not self.is_open or now <= self.due:
            return None
        return now - self.due

    def to_dict(self, now: datetime | None = None) -> dict[str, object]:
        late = self.overdue_by(now) if now else None
        return {
            "incident": self.incident_id, "item": self.item, "ref": self.ref,
            "text": self.text, "owner": self.owner, "priority": self.priority,
            "due": iso(self.due), "type": self.type, "kind": self.kind,
            "status": "open" if self.is_open else "done",
            "done_at": iso(self.done_at) if self.done_at else None,
            "overdue_s": int(late.total_seconds()) if late else None,
            "escalated": list(self.escalated), "tracker_url": self.tracker_url,
        }  # fmt: skip


def check_choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    cleaned = value.strip()
    lowered = cleaned.upper() if what == "priority" else cleaned.lower()
    if lowered not in allowed:
        raise InvalidInput(f"unknown {what} {value!r}: use one of {', '.join(allowed)}")
    return lowered


def items(incident_id: str, events: Iterable[Event]) -> list[ActionItem]:
    """The incident's action items, folded from its events, in the order they were added."""
    found: dict[str, ActionItem] = {}
    for event in events:
        d = event.data
        name = str(d.get("item", ""))
        if event.kind == ACTION_ADDED:
            found[name] = ActionItem(
                incident_id, name, str(d["text"]), str(d["owner"]), str(d["priority"]),
                from_iso(str(d["due"])), str(d.get("type", "other")), str(d.get("kind", "other")),
                event.occurred_at,
            )  # fmt: skip
        elif name in found and event.kind == ACTION_DONE:
            found[name] = replace(found[name], done_at=event.occurred_at)
        elif name in found and event.kind == ACTION_ESCALATED:
            levels = (*found[name].escalated, int(d["level"]))
            found[name] = replace(found[name], escalated=levels)
        elif name in found and event.kind == ACTION_SYNCED:
            found[name] = replace(found[name], tracker_url=str(d.get("url") or ""))
    return list(found.values())


def next_item(events: Iterable[Event]) -> str:
    return f"A{sum(1 for e in events if e.kind == ACTION_ADDED) + 1}"


def parse_item(ref: str) -> tuple[str | None, str]:
    """'A2' or '<incident>#A2' → (incident or None, 'A2')."""
    cleaned = ref.strip()
    if not _ITEM.match(cleaned):
        raise InvalidInput(f"bad action item {ref!r}: use A2 or <incident-id>#A2")
    incident, _, item = cleaned.rpartition("#")
    return (incident or None), item


@dataclass(frozen=True)
class EscalationPolicy:
    """Level 1 tells the owner when an item passes its due date; level 2 their lead later."""

    lead_after: timedelta = timedelta(days=3)
    leads: dict[str, str] | None = None  # owner → team lead / escalation target
    default_lead: str | None = None

    def target(self, owner: str, level: int) -> str | None:
        if level == 1:
            return owner
        return (self.leads or {}).get(owner) or self.default_lead


@dataclass(frozen=True)
class Escalation:
    item: ActionItem
    level: int
    to: str
    overdue: timedelta

    def statement(self) -> str:
        who = "owner" if self.level == 1 else "escalation target of " + self.item.owner
        return (
            f"OVERDUE: action item {self.item.ref} ({self.item.priority}, owner "
            f"{self.item.owner}) was due {iso(self.item.due)} and is "
            f"{human_duration(self.overdue)} overdue: {self.item.text} — notified {self.to} "
            f"({who})"
        )


def escalation_due(item: ActionItem, now: datetime, policy: EscalationPolicy) -> Escalation | None:
    """The next escalation this item needs at `now`, or None (not overdue, or already done)."""
    late = item.overdue_by(now)
    if late is None:
        return None
    level = 2 if late >= policy.lead_after else 1
    for step in range(1, level + 1):
        if step in item.escalated:
            continue
        target = policy.target(item.owner, step)
        if target:
            return Escalation(item, step, target, late)
    return None
