"""The guard: when a lever may be pulled. Pure rules over the incident's lever events.

Rules are plain functions in `RULES`; other capabilities append their own. Whether a
lever is destructive can be widened by incident type through `DESTRUCTIVE_BY_TYPE`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from stanch.model import kinds
from stanch.model.approvals import APPROVAL_GRANTED, APPROVAL_REQUESTED
from stanch.model.clock import utc
from stanch.model.events import Event, NewEvent

LEVER_APPROVED = "lever.approved"  # {"lever", "by", "note", "summary"}
LEVER_FAILED = "lever.failed"  # {"lever", "command", "results", "summary"}


def lever_event(kind: str, actor: str, now: datetime, data: dict[str, Any]) -> NewEvent:
    """A lever event happening now, by one named actor."""
    who = (actor or "").strip().splitlines()[0][:100] if (actor or "").strip() else "unknown"
    return NewEvent(kind, who, utc(now), utc(now), dict(data))


@dataclass
class LeverBook:
    """The fold of an incident's lever events."""

    plans: dict[str, dict[str, Any]] = field(default_factory=dict)  # latest plan per lever
    applied: dict[str, dict[str, Any]] = field(default_factory=dict)  # active (not undone)
    confirmed: set[str] = field(default_factory=set)
    approvals: dict[str, set[str]] = field(default_factory=dict)
    incident_type: str | None = None
    last_seq: int = 0

    def unconfirmed(self) -> list[str]:
        """Levers applied, not undone and not yet confirmed."""
        return [lever for lever in self.applied if lever not in self.confirmed]


def book(events: Iterable[Event]) -> LeverBook:
    """Fold lever-related events, in order."""
    out = LeverBook()
    asked: dict[str, str] = {}  # approval request -> the lever an agent asked to apply
    for event in events:
        out.last_seq = event.seq
        lever = str(event.data.get("lever", ""))
        _approval(event, asked, out)
        if event.kind == kinds.LEVER_PLANNED:
            out.plans[lever] = event.data
        elif event.kind == kinds.LEVER_APPLIED and not event.data.get("dry_run"):
            out.applied[lever] = event.data
            out.confirmed.discard(lever)
            out.approvals.pop(lever, None)  # an approval is good for one application
        elif event.kind == kinds.LEVER_UNDONE:
            out.applied.pop(lever, None)
            out.confirmed.discard(lever)
        elif event.kind == kinds.MITIGATION_CONFIRMED:
            out.confirmed.update([lever] if lever else out.unconfirmed())
        elif event.kind == LEVER_APPROVED:
            out.approvals.setdefault(lever, set()).add(str(event.data.get("by", "")))
        elif event.kind == "incident.declared" and event.data.get("type"):
            out.incident_type = str(event.data["type"])
        elif event.kind == kinds.TYPE_CHANGED:
            out.incident_type = str(event.data.get("type") or "") or None
    return out


def _approval(event: Event, asked: dict[str, str], out: LeverBook) -> None:
    """A person granting an agent's `lever:apply` request approves that lever, once."""
    request = str(event.data.get("request", ""))
    if event.kind == APPROVAL_REQUESTED and event.data.get("action") == "lever:apply":
        asked[request] = str((event.data.get("args") or {}).get("lever", ""))
    elif event.kind == APPROVAL_GRANTED and asked.get(request):
        out.approvals.setdefault(asked[request], set()).add(event.actor)


# An incident type may make more levers destructive (a rollback during a data-integrity
# incident can destroy evidence or data). Keys are incident types, values predicates on a plan.
DESTRUCTIVE_BY_TYPE: dict[str, Callable[[dict[str, Any]], bool]] = {}


def is_destructive(plan: dict[str, Any], incident_type: str | None) -> bool:
    """Destructive by nature, by being irreversible, or by the incident's type."""
    if plan.get("destructive") or not plan.get("reversible", True):
        return True
    widen = DESTRUCTIVE_BY_TYPE.get(incident_type or "")
    return bool(widen and widen(plan))


@dataclass(frozen=True)
class ApplyRequest:
    """Who wants to pull which lever, with what confirmations."""

    lever: str
    actor: str
    confirm_destructive: bool = False
    typed: str = ""  # the typed confirmation: must equal the lever's target
    destructive_for_type: bool = False  # the incident's type makes this lever destructive


Rule = Callable[[ApplyRequest, LeverBook], str | None]


def _planned_and_viable(req: ApplyRequest, b: LeverBook) -> str | None:
    plan = b.plans.get(req.lever)
    if plan is None:
        return f"{req.lever} has no recorded plan: run `stanch mitigate ID {req.lever}` first"
    if plan.get("rollback") is None:
        return f"{req.lever} has no rollback: never apply a change without a way back"
    if not plan.get("viable"):
        why = plan.get("viability_detail") or "the viability check did not pass"
        return f"the rollback of {req.lever} is not verified viable ({why})"
    return None


def _one_at_a_time(req: ApplyRequest, b: LeverBook) -> str | None:
    pending = b.unconfirmed()
    if pending:
        return (
            f"{', '.join(pending)} is applied and not yet confirmed: one change at a time "
            "(confirm it with `stanch mitigate ID --confirmed EVIDENCE` or `stanch watch`, or undo it with `stanch mitigate ID --undo`)"
        )
    if req.lever in b.applied:
        return f"{req.lever} is already applied"
    return None


def _second_confirmation(req: ApplyRequest, b: LeverBook) -> str | None:
    plan = b.plans.get(req.lever)
    if plan is None:
        return None
    if not (is_destructive(plan, b.incident_type) or req.destructive_for_type):
        return None
    others = b.approvals.get(req.lever, set()) - {req.actor}
    if others:
        return None
    target = str(plan.get("target", ""))
    if req.confirm_destructive and req.typed == target:
        return None
    return (
        f"{req.lever} is destructive or irreversible: pass --confirm-destructive and type "
        f"the target exactly (--typed {target!r}), or have a second responder approve it"
    )


RULES: list[Rule] = [_planned_and_viable, _one_at_a_time, _second_confirmation]


def refusals(req: ApplyRequest, b: LeverBook) -> list[str]:
    """Every reason the guard refuses; empty means the lever may be applied."""
    return [reason for rule in RULES if (reason := rule(req, b)) is not None]


def who_confirmed(req: ApplyRequest, b: LeverBook) -> list[str]:
    """The second confirmation(s) that let a destructive lever through, for the record."""
    plan = b.plans.get(req.lever) or {}
    if not (is_destructive(plan, b.incident_type) or req.destructive_for_type):
        return []
    approvers = sorted(b.approvals.get(req.lever, set()) - {req.actor})
    if approvers:
        return approvers
    return [f"{req.actor} (typed confirmation)"]
