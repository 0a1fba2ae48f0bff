"""Learning across incidents: MTTx per severity and service, trigger and root-cause mix."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from stanch.model import actions as action_model
from stanch.model import postmortem as pm
from stanch.model.incident import Incident
from stanch.services.context import App

MEASURES = ("to_detect", "to_acknowledge", "to_mitigate", "to_resolve")
NAMES = {"to_detect": "MTTD", "to_acknowledge": "MTTA", "to_mitigate": "MTTM", "to_resolve": "MTTR"}


@dataclass(frozen=True)
class Row:
    """One incident's measured facts."""

    incident: Incident
    durations: pm.Durations
    trigger: str | None
    root_causes: list[str]
    items: list[action_model.ActionItem]


def _mean(values: list[timedelta]) -> int | None:
    return round(sum(v.total_seconds() for v in values) / len(values)) if values else None


def mttx(rows: list[Row]) -> dict[str, Any]:
    """Mean seconds per measure, with how many incidents each mean is over."""
    out: dict[str, Any] = {"incidents": len(rows)}
    for measure in MEASURES:
        values = [getattr(r.durations, measure) for r in rows]
        known = [v for v in values if v is not None]
        out[NAMES[measure]] = {"mean_s": _mean(known), "n": len(known)}
    return out


def distribution(found: list[str], baseline: dict[str, float]) -> list[dict[str, Any]]:
    """Our share per category next to the Google SRE baseline share."""
    counts = Counter(found)
    total = sum(counts.values())
    return [
        {"category": name, "count": counts.get(name, 0),
         "share": round(counts.get(name, 0) / total, 4) if total else 0.0, "baseline": share}
        for name, share in baseline.items()
    ]  # fmt: skip


def rows(app: App, since: datetime | None = None) -> list[Row]:
    out = []
    for state in app.store.incidents():
        if since and state.declared_at < since:
            continue
        events = app.store.events(state.id)
        f = pm.facts(events)
        marks = pm.milestones(state, events)
        items = action_model.items(state.id, events)
        out.append(Row(state, pm.durations(marks), f.trigger, f.root_causes, items))
    return out


def report(app: App, since: datetime | None = None) -> dict[str, Any]:
    """The whole report as JSON-ready data."""
    now = app.clock()
    found = rows(app, since)
    scheme = app.settings.severity_scheme
    by_sev: dict[str, list[Row]] = defaultdict(list)
    by_service: dict[str, list[Row]] = defaultdict(list)
    for row in found:
        by_sev[row.incident.severity.label(scheme)].append(row)
        for service in row.incident.services or ("(none)",):
            by_service[service].append(row)
    items = [i for r in found for i in r.items]
    done = sum(1 for i in items if not i.is_open)
    return {
        "since": since.isoformat() if since else None,
        "overall": mttx(found),
        "by_severity": {k: mttx(v) for k, v in sorted(by_sev.items())},
        "by_service": {k: mttx(v) for k, v in sorted(by_service.items())},
        "triggers": distribution([r.trigger for r in found if r.trigger], pm.TRIGGERS),
        "root_causes": distribution([c for r in found for c in r.root_causes], pm.ROOT_CAUSES),
        "action_items": {
            "total": len(items),
            "done": done,
            "completion_rate": round(done / len(items), 4) if items else None,
            "overdue": sum(1 for i in items if i.overdue_by(now)),
        },
    }
