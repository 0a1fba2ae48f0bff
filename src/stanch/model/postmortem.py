"""The postmortem's facts as folds over events: milestones, durations, fields, why-tree.

Kinds written by the postmortem capability (data in the comment):
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from stanch.errors import InvalidInput
from stanch.model import kinds
from stanch.model.events import Event
from stanch.model.incident import Incident
from stanch.model.status import Status

PM_STATE: Final = "postmortem.state"  # {"state": draft|final|waived, "reason", "summary"}
PM_FIELD: Final = "postmortem.field"  # {"field", "value", "append": bool, "summary"}
WHY_ADDED: Final = "why.added"  # {"node", "parent", "text", "factor", "category", "summary"}
WHY_REMOVED: Final = "why.removed"  # {"node", "summary"}

# Google SRE Workbook, Appendix C (Tables C-1 and C-2): share of postmortems.
TRIGGERS: Final = {
    "binary_push": 0.37, "configuration_push": 0.31, "user_behavior_change": 0.09,
    "processing_pipeline": 0.06, "service_provider_change": 0.05, "performance_decay": 0.05,
    "capacity_management": 0.05, "hardware": 0.02, "other": 0.0,
}  # fmt: skip
ROOT_CAUSES: Final = {
    "software": 0.4135, "development_process_failure": 0.2023,
    "complex_system_behaviors": 0.1690, "deployment_planning": 0.0674,
    "network_failure": 0.0275, "other": 0.1203,
}  # fmt: skip
FACTORS: Final = ("trigger", "code", "config", "guardrail", "detection", "process", "other")
TEXT_FIELDS: Final = ("summary", "detection", "resolution", "revenue", "data_loss", "supporting")
NUMBER_FIELDS: Final = ("users_affected", "requests_affected", "error_ratio", "bad", "total")
LIST_FIELDS: Final = ("went_well", "went_badly", "lucky")
CATEGORY_FIELDS: Final = ("trigger", "root_cause")
FIELDS: Final = TEXT_FIELDS + NUMBER_FIELDS + LIST_FIELDS + CATEGORY_FIELDS


def check_category(kind: str, value: str) -> str:
    """A trigger or root-cause category from the taxonomy (or 'other')."""
    table = TRIGGERS if kind == "trigger" else ROOT_CAUSES
    cleaned = value.strip().lower().replace("-", "_").replace(" ", "_")
    if cleaned not in table:
        raise InvalidInput(f"unknown {kind} category {value!r}: use one of {', '.join(table)}")
    return cleaned


def check_field(name: str, value: str) -> object:
    """Validate one postmortem field; numbers are numbers, categories from the taxonomy."""
    if name not in FIELDS:
        raise InvalidInput(f"unknown postmortem field {name!r}: use one of {', '.join(FIELDS)}")
    if name in CATEGORY_FIELDS:
        return check_category(name, value)
    if name in NUMBER_FIELDS:
        try:
            number = float(value)
        except ValueError:
            raise InvalidInput(f"{name} must be a number, not {value!r}") from None
        if number < 0 or (name == "error_ratio" and number > 1):
            raise InvalidInput(f"{name} out of range: {value}")
        return int(number) if name in ("bad", "total") or number.is_integer() else number
    return value.strip()


@dataclass(frozen=True)
class Milestones:
    """When things happened, taken from events of every capability that are present."""

    onset: datetime
    detected: datetime
    declared: datetime
    acknowledged: datetime | None = None  # first page.acknowledged
    first_lever: datetime | None = None  # first lever.applied that was not a dry run
    mitigated: datetime | None = None  # first mitigation.confirmed or status → mitigated
    resolved: datetime | None = None
    levers_tried: int = 0


def _first(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate < current else current


def milestones(state: Incident, events: Iterable[Event]) -> Milestones:
    """Milestones from the state and the events; order of recording does not matter."""
    ack = lever = confirmed = None
    tried = 0
    for event in events:
        if event.kind == kinds.PAGE_ACKNOWLEDGED:
            ack = _first(ack, event.occurred_at)
        elif event.kind == kinds.LEVER_APPLIED and not event.data.get("dry_run"):
            lever = _first(lever, event.occurred_at)
            tried += 1
        elif event.kind == kinds.MITIGATION_CONFIRMED:
            confirmed = _first(confirmed, event.occurred_at)
    entered = state.entered.get(Status.MITIGATED.value)
    mitigated = confirmed if entered is None else _first(confirmed, entered)
    return Milestones(
        onset=state.onset_at,
        detected=state.detected_at,
        declared=state.declared_at,
        acknowledged=ack,
        first_lever=lever,
        mitigated=mitigated,
        resolved=state.resolved_at,
        levers_tried=tried,
    )


@dataclass(frozen=True)
class Durations:
    """Detection → mitigation → resolution; None until both ends are known."""

    to_detect: timedelta  # onset → detected (MTTD)
    to_declare: timedelta  # detected → declared
    to_acknowledge: timedelta | None  # declared → first acknowledgement (MTTA), 0 if earlier
    to_first_lever: timedelta | None  # onset → first lever applied
    to_mitigate: timedelta | None  # onset → mitigated (MTTM)
    to_resolve: timedelta | None  # onset → resolved (MTTR)
    mitigated_to_resolved: timedelta | None

    def to_dict(self) -> dict[str, int | None]:
        return {
            name: None if value is None else int(value.total_seconds())
            for name, value in self.__dict__.items()
        }


def durations(marks: Milestones) -> Durations:
    """Durations between milestones; an acknowledgement before declaration counts as 0."""

    def since(start: datetime, end: datetime | None) -> timedelta | None:
        return None if end is None else end - start

    ack = since(marks.declared, marks.acknowledged)
    return Durations(
        to_detect=marks.detected - marks.onset,
        to_declare=marks.declared - marks.detected,
        to_acknowledge=None if ack is None else max(ack, timedelta(0)),
        to_first_lever=since(marks.onset, marks.first_lever),
        to_mitigate=since(marks.onset, marks.mitigated),
        to_resolve=since(marks.onset, marks.resolved),
        mitigated_to_resolved=(
            marks.resolved - marks.mitigated if marks.resolved and marks.mitigated else None
        ),
    )


def outage_window(marks: Milestones, as_of: datetime) -> timedelta:
    """How long users were hurt: onset → mitigated (else resolved, else `as_of`)."""
    end = marks.mitigated or marks.resolved or as_of
    return max(end - marks.onset, timedelta(0))


@dataclass(frozen=True)
class WhyNode:
    node: str  # W1, W2 …
    parent: str | None
    text: str
    factor: str
    category: str | None


@dataclass(frozen=True)
class Facts:
    """Postmortem fields and the why-tree, folded from the postmortem's events."""

    fields: dict[str, object] = field(default_factory=dict)
    why: tuple[WhyNode, ...] = ()
    state: str = "none"

    def children(self, parent: str | None) -> list[WhyNode]:
        return [n for n in self.why if n.parent == parent]

    @property
    def trigger(self) -> str | None:
        given = self.fields.get("trigger")
        if given:
            return str(given)
        found = [n.category for n in self.why if n.factor == "trigger" and n.category]
        return found[0] if found else None

    @property
    def root_causes(self) -> list[str]:
        given = self.fields.get("root_cause")
        found = [n.category for n in self.why if n.factor != "trigger" and n.category]
        return list(dict.fromkeys(([str(given)] if given else []) + [c for c in found if c]))

    def texts(self) -> list[str]:
        """Every piece of prose a person wrote: what the blameless check reads."""
        out = [str(v) for k, v in self.fields.items() if k in TEXT_FIELDS and v]
        for name in LIST_FIELDS:
            out += [str(v) for v in self.fields.get(name, []) or []]  # type: ignore[attr-defined]
        return out + [n.text for n in self.why]


def facts(events: Iterable[Event]) -> Facts:
    """Fold the postmortem events: last value wins, list fields append, whys add/remove."""
    fields: dict[str, object] = {}
    why: dict[str, WhyNode] = {}
    state = "none"
    for event in events:
        d = event.data
        if event.kind == PM_FIELD:
            name = str(d["field"])
            if d.get("append"):
                fields[name] = [*list(fields.get(name, []) or []), d["value"]]  # type: ignore[call-overload]
            else:
                fields[name] = d["value"]
        elif event.kind == WHY_ADDED:
            why[str(d["node"])] = WhyNode(
                str(d["node"]), d.get("parent"), str(d["text"]), str(d["factor"]), d.get("category")
            )
        elif event.kind == WHY_REMOVED:
            _remove(why, str(d["node"]))
        elif event.kind == PM_STATE:
            state = str(d.get("state", "draft"))
    return Facts(fields, tuple(why.values()), state)


def _remove(why: dict[str, WhyNode], node: str) -> None:
    for child in [n.node for n in why.values() if n.parent == node]:
        _remove(why, child)
    why.pop(node, None)


def next_node(current: Facts, known: Iterable[Event]) -> str:
    """W1, W2 …; numbers are never reused, even after removal."""
    used = sum(1 for e in known if e.kind == WHY_ADDED)
    return f"W{max(used, len(current.why)) + 1}"
