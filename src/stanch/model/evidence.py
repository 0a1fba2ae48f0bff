"""Changes before onset, ranked as suspects: pure scoring, no I/O.

A suspect's score mixes four things an SRE weighs at 3 a.m.: does the change touch
the affected service, how close before onset it landed, what kind of change it is
(binary and configuration pushes cause most outages), and how big it is. Touching
the affected service dominates on purpose: many unrelated recent changes are the
normal case, and proximity alone must not let them win.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from stanch.model.clock import iso, utc
from stanch.model.events import NewEvent

# event kinds this capability writes (data documented in docs/evidence.md)
EVIDENCE_CHANGES: Final = "evidence.changes"
EVIDENCE_TRACES: Final = "evidence.traces"
EVIDENCE_METRICS: Final = "evidence.metrics"
EVIDENCE_ONSET: Final = "evidence.onset"

# Share of outages by trigger (SRE Workbook, ch. "Postmortem culture"), by our change kinds.
TAXONOMY: Final[dict[str, tuple[str, float]]] = {
    "deploy": ("binary_push", 0.37),
    "code": ("binary_push", 0.37),
    "merge": ("binary_push", 0.37),
    "config": ("configuration_push", 0.31),
    "flag": ("configuration_push", 0.31),
    "infra": ("capacity_management", 0.05),
    "dependency": ("service_provider_change", 0.05),
    # An expiry breaks every handshake at once: when it lands at onset it is rarely innocent.
    "cert": ("other", 0.37),
    # So does a quota that runs out: the next pod, volume or request fails from that moment.
    "quota": ("capacity_management", 0.3),
    "test": ("other", 0.01),
    "docs": ("other", 0.005),
}
_MAX_PRIOR = 0.37

WEIGHTS: Final = {"service": 0.45, "proximity": 0.25, "kind": 0.2, "size": 0.1}
PROXIMITY_HALF_LIFE = timedelta(hours=2)
GRACE_AFTER_ONSET = timedelta(minutes=2)  # clocks of deployers and metrics disagree a little


@dataclass(frozen=True)
class Change:
    """One change from any source: a commit, a recorded deploy, a flag flip …"""

    kind: str
    id: str
    at: datetime
    summary: str
    source: str  # "git:<repo>", "event", "helm:<release>" …
    services: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    size: int = 0  # lines changed, when known
    undo: str | None = None
    author: str = ""
    reverted: bool = False  # a later change before onset already undid it


@dataclass(frozen=True)
class Suspect:
    rank: int
    change: Change
    score: float
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON of one suspect (docs/evidence.md)."""
        c = self.change
        return {
            "rank": self.rank,
            "kind": c.kind,
            "trigger": TAXONOMY.get(c.kind, ("other", 0.0))[0],
            "id": c.id,
            "at": iso(c.at),
            "summary": c.summary,
            "services": list(c.services),
            "score": round(self.score, 3),
            "undo": c.undo,
            "source": c.source,
            "files": list(c.files[:20]),
            "size": c.size,
            "reasons": list(self.reasons),
        }


def in_window(change: Change, onset: datetime, window: timedelta) -> bool:
    """Landed within `window` before onset (a little after is tolerated for clock skew)."""
    return onset - window <= change.at <= onset + GRACE_AFTER_ONSET


def _service_score(change: Change, affected: tuple[str, ...]) -> tuple[float, str]:
    if not affected:
        return 0.5, "affected service unknown"
    hit = [s for s in change.services if s in affected]
    if hit:
        return 1.0, f"touches {', '.join(hit)}"
    if not change.services:
        return 0.3, "service not known"
    return 0.0, f"touches only {', '.join(change.services[:3])}"


def _proximity(change: Change, onset: datetime) -> float:
    before = max((onset - change.at).total_seconds(), 0.0)
    return math.pow(0.5, before / PROXIMITY_HALF_LIFE.total_seconds())


def _size_score(change: Change) -> float:
    # 1 line → ~0.1, 1000 lines → 1.0; unknown size counts as medium.
    if change.size <= 0:
        return 0.4
    return min(1.0, math.log10(change.size + 1) / 3)


def score(change: Change, onset: datetime, affected: tuple[str, ...]) -> Suspect:
    """Score one change against the onset and the affected services."""
    service, why = _service_score(change, affected)
    prior = TAXONOMY.get(change.kind, ("other", 0.05))[1] / _MAX_PRIOR
    value = (
        WEIGHTS["service"] * service
        + WEIGHTS["proximity"] * _proximity(change, onset)
        + WEIGHTS["kind"] * prior
        + WEIGHTS["size"] * _size_score(change)
    )
    minutes = int((onset - change.at).total_seconds() // 60)
    reasons = [why, f"{minutes} min before onset" if minutes >= 0 else "at onset"]
    reasons.append(f"{change.kind} ({TAXONOMY.get(change.kind, ('other', 0))[0]})")
    if change.reverted:
        value *= 0.2
        reasons.append("already reverted")
    if change.undo is None:
        reasons.append("no known undo lever")
    return Suspect(0, change, value, tuple(reasons))


def rank(
    changes: list[Change], onset: datetime, window: timedelta, affected: tuple[str, ...]
) -> list[Suspect]:
    """Changes in the window before onset, best suspect first, ranks from 1."""
    scored = [score(c, onset, affected) for c in changes if in_window(c, onset, window)]
    scored.sort(key=lambda s: (-s.score, -s.change.at.timestamp(), s.change.id))
    return [Suspect(i, s.change, s.score, s.reasons) for i, s in enumerate(scored, start=1)]


def changes_summary(suspects: list[Suspect], onset: datetime) -> str:
    """One line for the timeline."""
    if not suspects:
        return f"changes before onset {iso(onset)}: none found"
    top = suspects[0].change
    return (
        f"changes before onset {iso(onset)}: {len(suspects)} found; top suspect "
        f"{top.kind} {top.id[:12]} ({top.summary[:80]}), undo: {top.undo or 'none known'}"
    )


def finding(
    kind: str, data: dict[str, Any], actor: str, now: datetime, at: datetime | None = None
) -> NewEvent:
    """The event recording a piece of evidence: what was asked, the window, the result."""
    if not str(data.get("summary", "")).strip():
        raise ValueError("evidence needs a one-line summary for the timeline")
    when = utc(at) if at is not None else utc(now)
    return NewEvent(kind, actor.strip()[:100] or "stanch", when, utc(now), dict(data))
