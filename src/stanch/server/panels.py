"""What the incident page shows about each capability, computed from the events.

One function per panel; each returns plain dicts for the templates. A panel that
cannot be computed (a broken `[comms]` table, say) says so in its own box instead of
taking the page down: the timeline must stay readable at 3 a.m.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from stanch.errors import StanchError
from stanch.evidence.logs.finding import EVIDENCE_LOGS
from stanch.model import actions as action_model
from stanch.model import kinds
from stanch.model.clock import human_duration, iso
from stanch.model.events import Event
from stanch.model.incident import Incident
from stanch.model.lever_guard import book, is_destructive
from stanch.model.levers import Action
from stanch.model.watching import fold_watch
from stanch.server.svgplot import Mark, Point, chart
from stanch.services import postmortem, updates
from stanch.services.context import App
from stanch.services.diagnose import summary_of

TOP_SIGNATURES = 5


def _text(action: Any) -> str:
    return "none" if not action else Action.from_json(action).text()


def levers(events: list[Event]) -> dict[str, Any]:
    found = book(events)
    rows = []
    for lever, plan in found.plans.items():
        applied = found.applied.get(lever)
        rows.append({
            "id": lever,
            "command": _text((applied or plan).get("command")),
            "rollback": _text((applied or plan).get("rollback")),
            "viable": bool(plan.get("viable")),
            "detail": str(plan.get("viability_detail") or ""),
            "destructive": is_destructive(plan, found.incident_type),
            "target": str(plan.get("target") or ""),
            "applied": applied is not None,
            "confirmed": lever in found.confirmed,
            "approvals": sorted(found.approvals.get(lever, set())),
        })  # fmt: skip
    return {"rows": rows, "unconfirmed": found.unconfirmed()}


def evidence(events: list[Event]) -> dict[str, Any]:
    found = summary_of(events)
    logs = next((e for e in reversed(events) if e.kind == EVIDENCE_LOGS), None)
    signatures = []
    if logs is not None:
        for sig in list(logs.data.get("signatures") or [])[:TOP_SIGNATURES]:
            signatures.append({
                "template": str(sig.get("template", "")), "change": str(sig.get("change", "")),
                "count": sig.get("count"), "before": sig.get("before_onset"),
                "after": sig.get("after_onset"),
                "first": (sig.get("first") or {}).get("at"),
            })  # fmt: skip
    return {
        "onset": found["onset"],
        "suspects": found["suspects"],
        "failing_hop": found["failing_hop"],
        "metrics": found["metrics"],
        "hypotheses": found["hypotheses"]["open"] + found["hypotheses"]["decided"],
        "signatures": signatures,
        "logs_summary": str(logs.data.get("summary", "")) if logs is not None else "",
        "missing": found["missing"],
    }


def updates_due(app: App, key: str) -> dict[str, Any]:
    owed = updates.agenda(app, key)
    now = owed.now
    return {
        "owed": [
            {
                "audience": d.audience,
                "at": iso(d.due_at),
                "reason": d.reason,
                "overdue": d.overdue(now),
            }
            for d in owed.owed
        ],
        "escalations": [t.to_dict() for t in owed.triggers],
        "failed": [
            m.provider + " " + m.action + ": " + (m.last_error or "failed")
            for m in owed.outbox.abandoned
        ],
    }


def postmortem_state(app: App, key: str) -> dict[str, Any]:
    draft = postmortem.build(app, key)
    late = draft.overdue_by
    return {
        "state": draft.facts.state,
        "due": iso(draft.due) if draft.due else None,
        "overdue": human_duration(late) if late else None,
        "missing": draft.missing,
        "ready": not draft.missing,
        "drafted": any(s.key == postmortem.SECTION for s in draft.incident.sections),
    }


def action_items(key: str, events: list[Event], now: datetime) -> list[dict[str, Any]]:
    found = action_model.items(key, events)
    return [
        {**i.to_dict(now), "overdue": human_duration(late) if (late := i.overdue_by(now)) else None}
        for i in found
    ]


def signal(events: list[Event]) -> dict[str, Any] | None:
    """The flagging metric's samples as an inline SVG, with levers applied and confirmed."""
    watch = fold_watch(events)
    if watch.signal is None:
        return None
    points = [Point(s.at, s.value, s.healthy) for s in watch.samples if s.value is not None]
    first = points[0].at if points else None
    marks = [
        Mark(e.occurred_at, "applied" if e.kind == kinds.LEVER_APPLIED else "confirmed")
        for e in events
        if e.kind in (kinds.LEVER_APPLIED, kinds.MITIGATION_CONFIRMED)
        and first is not None and e.occurred_at >= first
    ]  # fmt: skip
    title = f"{watch.signal.expr} (healthy when {watch.signal.rule()})"
    return {
        "describe": watch.signal.describe(),
        "svg": chart(title, points, watch.signal.threshold, marks),
        "samples": [{"at": iso(p.at), "value": p.value, "healthy": p.healthy} for p in points],
    }


def _safe(make: Callable[[], Any]) -> Any:
    try:
        return make()
    except StanchError as exc:
        return {"unavailable": exc.message}


def build(app: App, incident: Incident, events: list[Event]) -> dict[str, Any]:
    """Every panel for one incident page."""
    key = incident.id
    now = app.clock()
    return {
        "levers": _safe(lambda: levers(events)),
        "evidence": _safe(lambda: evidence(events)),
        "updates": _safe(lambda: updates_due(app, key)),
        "postmortem": _safe(lambda: postmortem_state(app, key)),
        "actions": _safe(lambda: action_items(key, events, now)),
        "signal": _safe(lambda: signal(events)),
    }
