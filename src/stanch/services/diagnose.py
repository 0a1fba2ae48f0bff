"""`stanch diagnose`: the evidence recorded so far, in one screen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stanch.model import evidence as kinds
from stanch.model import hypothesis
from stanch.model.clock import iso
from stanch.model.events import Event
from stanch.services.context import App

TOP = 3


def summary_of(events: Iterable[Event]) -> dict[str, Any]:
    """Latest onset, suspects, failing hop and metric picture; every hypothesis."""
    seen = list(events)
    latest: dict[str, Event] = {}
    for event in seen:
        if event.kind.startswith("evidence."):
            latest[event.kind] = event

    def data(kind: str) -> dict[str, Any] | None:
        event = latest.get(kind)
        return (
            None
            if event is None
            else {**event.data, "seq": event.seq, "at": iso(event.occurred_at)}
        )

    onset, changes = data(kinds.EVIDENCE_ONSET), data(kinds.EVIDENCE_CHANGES)
    traces, metrics = data(kinds.EVIDENCE_TRACES), data(kinds.EVIDENCE_METRICS)
    found = hypothesis.fold(seen)
    return {
        "onset": onset
        and {k: onset.get(k) for k in ("onset", "responder_onset", "disagree", "query", "seq")},
        "suspects": (changes or {}).get("suspects", [])[:TOP],
        "failing_hop": (traces or {}).get("failing_hop"),
        "metrics": [
            {k: n.get(k) for k in ("name", "before", "after", "query")}
            for n in (metrics or {}).get("numbers", [])
        ],
        "hypotheses": {
            "open": [h.to_dict() for h in found if h.verdict == "open"],
            "decided": [h.to_dict() for h in found if h.verdict != "open"],
        },
        "missing": [
            name
            for name, got in (
                ("onset", onset),
                ("changes", changes),
                ("traces", traces),
                ("metrics", metrics),
            )
            if got is None
        ],
    }


def diagnose(app: App, incident: str | None) -> dict[str, Any]:
    key = app.resolve_id(incident)
    state = app.store.state(key)
    result = summary_of(app.store.iter_events(key))
    result["incident"] = key
    result["responder_onset"] = iso(state.onset_at)
    result["services"] = list(state.services)
    return result
