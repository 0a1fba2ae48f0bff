"""The hand-off snapshot and the internal update: composed from the events, pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from stanch.model.clock import iso
from stanch.model.describe import describe
from stanch.model.events import Event, Kind
from stanch.model.incident import Incident
from stanch.model.kinds import LEVER_APPLIED, LEVER_UNDONE, MITIGATION_CONFIRMED, RELAPSE
from stanch.model.severity import Scheme

_TRIED = frozenset({LEVER_APPLIED, LEVER_UNDONE, MITIGATION_CONFIRMED, RELAPSE})
_BOOKKEEPING = ("notify.", "page.", "update.", "escalation.", "handoff.")


@dataclass(frozen=True)
class Snapshot:
    """What a new owner needs in one screen."""

    severity: str
    status: str
    impact: str
    tried: tuple[str, ...]
    hypothesis: str
    next_step: str
    owner: str

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity, "status": self.status, "impact": self.impact,
            "tried": list(self.tried), "hypothesis": self.hypothesis,
            "next": self.next_step, "owner": self.owner,
        }  # fmt: skip

    def text(self) -> str:
        tried = "; ".join(self.tried) or "nothing yet"
        return (
            f"Hand-off to {self.owner} — {self.severity}, {self.status}. Impact: {self.impact}. "
            f"Tried: {tried}. Hypothesis: {self.hypothesis or 'none yet'}. "
            f"Next: {self.next_step or 'to be decided by the new owner'}."
        )


def tried(events: Iterable[Event], scheme: Scheme = Scheme.SEV, limit: int = 8) -> tuple[str, ...]:
    """Levers and their results, and the logged actions, in order (the latest `limit`)."""
    found = [describe(e, scheme) for e in events if e.kind in _TRIED or e.kind == Kind.NOTE]
    return tuple(found[-limit:])


def hypothesis(events: Iterable[Event]) -> str:
    """The latest hypothesis any capability recorded (kinds containing 'hypothesis')."""
    latest = ""
    for e in events:
        if "hypothesis" in e.kind:
            latest = str(e.data.get("text") or e.data.get("hypothesis") or e.data.get("summary")
                         or "")  # fmt: skip
    return latest


def snapshot(incident: Incident, events: Iterable[Event], *, owner: str, next_step: str = "",
             hypothesis_text: str = "", scheme: Scheme = Scheme.SEV) -> Snapshot:  # fmt: skip
    history = list(events)
    return Snapshot(
        severity=incident.severity.label(scheme),
        status=incident.status.value,
        impact=incident.impact.summary(),
        tried=tried(history, scheme),
        hypothesis=hypothesis_text or hypothesis(history),
        next_step=next_step,
        owner=owner,
    )


def last_actions(events: Iterable[Event], since: datetime | None, limit: int = 3,
                 scheme: Scheme = Scheme.SEV) -> list[str]:  # fmt: skip
    """What we just did: the latest actions since the previous update."""
    found = [
        describe(e, scheme)
        for e in events
        if e.kind != Kind.DECLARED
        and not e.kind.startswith(_BOOKKEEPING)
        and (since is None or e.occurred_at > since)
    ]
    return found[-limit:]


def internal_text(incident: Incident, *, did: list[str], next_step: str,
                  next_update_at: datetime | None, pending: int,
                  scheme: Scheme = Scheme.SEV) -> str:  # fmt: skip
    """Precise, technical text for the incident channel."""
    lines = [
        f"[{incident.severity.label(scheme)}] {incident.symptom} — {incident.status.value}",
        f"Impact: {incident.impact.summary()}",
        "Just did: " + ("; ".join(did) if did else "investigating"),
        f"Next: {next_step or 'continue stabilizing'}",
        f"Commander: {incident.commander or 'unassigned'}",
    ]
    if next_update_at is not None:
        lines.append(f"Next update: {iso(next_update_at)}")
    if pending:
        lines.append(f"Delivery pending: {pending} notification(s)")
    return "\n".join(lines)
