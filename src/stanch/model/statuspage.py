"""The public status page: only public fields, in Statuspage's vocabulary. Pure.

Shown: customer-visible incidents (title = the user-visible symptom, public status,
impact level, affected components, public updates). Never shown: impact text, notes,
roles, channel, alerts, levers, evidence or anything else internal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from stanch.model.clock import iso
from stanch.model.events import Event, Kind
from stanch.model.incident import Incident
from stanch.model.kinds import UPDATE_POSTED
from stanch.model.severity import Severity
from stanch.model.status import Status

COMPONENT_STATES = (
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
)
PUBLIC_AUDIENCES = ("public", "status", "status_page", "customers", "external")
RECENT = timedelta(days=7)

_PUBLIC_STATUS = {
    Status.INVESTIGATING: "investigating",
    Status.MITIGATING: "identified",
    Status.MITIGATED: "monitoring",
    Status.MONITORING: "monitoring",
    Status.RESOLVED: "resolved",
    Status.CLOSED: "resolved",
}
_STOCK_TEXT = {
    "investigating": "We are investigating this issue.",
    "identified": "The cause has been identified and a fix is being applied.",
    "monitoring": "A fix has been applied and we are monitoring the results.",
    "resolved": "This incident has been resolved.",
}
_IMPACT = {
    Severity.SEV1: "critical",
    Severity.SEV2: "major",
    Severity.SEV3: "minor",
    Severity.SEV4: "minor",
}
_COMPONENT = {
    Severity.SEV1: "major_outage",
    Severity.SEV2: "partial_outage",
    Severity.SEV3: "degraded_performance",
    Severity.SEV4: "degraded_performance",
}


@dataclass(frozen=True)
class PublicUpdate:
    at: datetime
    status: str
    text: str


def _updates(events: Sequence[Event]) -> list[PublicUpdate]:
    out: list[PublicUpdate] = []
    status = "investigating"
    for event in events:
        if event.kind == Kind.DECLARED:
            out.append(PublicUpdate(event.occurred_at, status, _STOCK_TEXT[status]))
        elif event.kind == Kind.STATUS:
            new = _PUBLIC_STATUS[Status(event.data["to"])]
            if new != status:
                status = new
                out.append(PublicUpdate(event.occurred_at, status, _STOCK_TEXT[status]))
        elif event.kind == UPDATE_POSTED and event.data.get("audience") in PUBLIC_AUDIENCES:
            text = str(event.data.get("text") or "").strip()
            if text:
                out.append(PublicUpdate(event.occurred_at, status, text))
    return sorted(out, key=lambda u: u.at, reverse=True)


def _component_state(incident: Incident) -> str:
    if incident.status in (Status.MITIGATED, Status.MONITORING):
        return "degraded_performance"
    return _COMPONENT[incident.severity]


def public_view(
    incidents: Sequence[Incident],
    events: Mapping[str, Sequence[Event]],
    components: Sequence[str],
    title: str,
    now: datetime,
) -> dict[str, Any]:
    """The whole page as JSON-able data: overall state, components, incidents."""
    shown = [
        i
        for i in incidents
        if i.customer_visible and (i.is_open or (i.resolved_at and i.resolved_at >= now - RECENT))
    ]
    states = dict.fromkeys(components, "operational")
    for incident in shown:
        if not incident.is_open or incident.status is Status.RESOLVED:
            continue
        for service in incident.services:
            if service in states:
                worse = max(states[service], _component_state(incident), key=COMPONENT_STATES.index)
                states[service] = worse
    live = [i for i in shown if i.is_open and i.status is not Status.RESOLVED]
    worst = min((i.severity for i in live), default=None)
    return {
        "title": title,
        "updated_at": iso(now),
        "indicator": "none" if worst is None else _IMPACT[worst],
        "description": "All systems operational" if worst is None else "Active incident",
        "components": [{"name": name, "status": state} for name, state in states.items()],
        "incidents": [_incident(i, events.get(i.id, ()), components) for i in shown],
    }


def _incident(
    incident: Incident, events: Sequence[Event], components: Sequence[str]
) -> dict[str, Any]:
    return {
        "id": incident.id,
        "name": incident.symptom,
        "status": _PUBLIC_STATUS[incident.status],
        "impact": _IMPACT[incident.severity],
        "started_at": iso(incident.declared_at),
        "resolved_at": iso(incident.resolved_at) if incident.resolved_at else None,
        "components": [s for s in incident.services if s in components],
        "updates": [
            {"at": iso(u.at), "status": u.status, "body": u.text} for u in _updates(events)
        ],
    }
