"""Stakeholder briefings: leadership and customer-facing teams, in business terms.

A third audience beside the internal channel and the public status page: business
impact, ETA and the decisions needed from them. Direct briefings run on a cadence for
the severities named in settings (SEV1 by default).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from stanch.errors import InvalidInput
from stanch.model import kinds
from stanch.model.clock import iso, utc
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.model.severity import Scheme, Severity

AUDIENCE: Final = "stakeholders"
MAX_FIELD = 2_000


@dataclass(frozen=True)
class Briefing:
    business_impact: str
    eta: str  # "unknown" is an honest ETA
    decisions: tuple[str, ...] = ()
    next_at: datetime | None = None


def _field(value: str, what: str) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise InvalidInput(f"{what} is empty")
    if len(cleaned) > MAX_FIELD:
        raise InvalidInput(f"{what} is longer than {MAX_FIELD} characters")
    return cleaned


def briefing_text(incident: Incident, brief: Briefing, scheme: Scheme = Scheme.SEV) -> str:
    """Plain text for leadership: what it costs, when it ends, what we need from you."""
    lines = [
        f"[{incident.severity.label(scheme)}] {incident.symptom} — {incident.status.value}",
        f"Business impact: {_field(brief.business_impact, 'business impact')}",
        f"ETA: {_field(brief.eta, 'ETA')}",
    ]
    if brief.decisions:
        lines.append("Decisions needed:")
        lines += [f"- {_field(d, 'decision')}" for d in brief.decisions]
    else:
        lines.append("Decisions needed: none")
    owner = incident.commander or "unassigned"
    lines.append(f"Incident commander: {owner}")
    if brief.next_at is not None:
        lines.append(f"Next briefing by: {iso(brief.next_at)}")
    return "\n".join(lines)


def briefed(incident: Incident, brief: Briefing, text: str, recipients: Sequence[str],
            channels: Sequence[str], actor: str, now: datetime) -> NewEvent:  # fmt: skip
    """The `update.posted` event of a stakeholder briefing."""
    data: dict[str, Any] = {
        "audience": AUDIENCE, "text": text, "channels": list(channels),
        "recipients": list(recipients), "business_impact": brief.business_impact,
        "eta": brief.eta, "decisions": list(brief.decisions),
        "summary": f"stakeholder briefing to {len(recipients)} recipient(s): "
        f"{brief.business_impact}; ETA {brief.eta}",
    }  # fmt: skip
    return NewEvent(kinds.UPDATE_POSTED, actor, utc(now), utc(now), data)


def last_briefing(events: Iterable[Event]) -> Event | None:
    found: Event | None = None
    for event in events:
        if event.kind == kinds.UPDATE_POSTED and event.data.get("audience") == AUDIENCE:
            found = event
    return found


def briefing_due(
    incident: Incident,
    events: Iterable[Event],
    now: datetime,
    *,
    cadence: timedelta,
    direct: Sequence[Severity] = (Severity.SEV1,),
) -> datetime | None:
    """When the next direct briefing is due (may be past), or None when none is owed."""
    if not incident.is_open or incident.severity not in direct:
        return None
    last = last_briefing(events)
    if last is None:
        return incident.declared_at
    return max(last.occurred_at, incident.declared_at) + cadence
