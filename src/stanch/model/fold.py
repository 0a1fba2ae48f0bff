"""State is a fold over events: apply() one event, fold() many."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

from stanch.errors import InvalidInput
from stanch.model import kinds
from stanch.model.clock import from_iso
from stanch.model.events import Event, Kind
from stanch.model.incident import Impact, Incident, Section
from stanch.model.severity import Severity
from stanch.model.status import Status


def _declared(_: Incident | None, event: Event) -> Incident:
    d = event.data
    status = Status.INVESTIGATING
    return Incident(
        id=event.incident_id,
        slug=d["slug"],
        symptom=d["symptom"],
        impact=Impact.from_dict(d.get("impact") or {}),
        severity=Severity(int(d["severity"])),
        status=status,
        onset_at=from_iso(d["onset_at"]),
        detected_at=from_iso(d["detected_at"]),
        declared_at=event.occurred_at,
        channel=d["channel"],
        services=tuple(d.get("services") or ()),
        customer_visible=bool(d.get("customer_visible")),
        roles={k: tuple(v) for k, v in (d.get("roles") or {}).items() if v},
        entered={status.value: event.occurred_at},
        type=str(d.get("type") or "outage"),
    )


def _status(state: Incident, event: Event) -> Incident:
    target = Status(event.data["to"])
    entered = dict(state.entered)
    entered.setdefault(target.value, event.occurred_at)
    if target is Status.RESOLVED:
        resolved_at: datetime | None = event.occurred_at
    elif target.is_open:
        resolved_at = None  # reopened, or never resolved
    else:
        resolved_at = state.resolved_at
    return replace(state, status=target, entered=entered, resolved_at=resolved_at)


def _severity(state: Incident, event: Event) -> Incident:
    return replace(state, severity=Severity(int(event.data["to"])))


def _role(state: Incident, event: Event) -> Incident:
    roles = dict(state.roles)
    people = tuple(event.data.get("people") or ())
    if people:
        roles[event.data["role"]] = people
    else:
        roles.pop(event.data["role"], None)
    return replace(state, roles=roles)


def _amended(state: Incident, event: Event) -> Incident:
    d = event.data
    changes: dict[str, object] = {}
    if "symptom" in d:
        changes["symptom"] = d["symptom"]
    if "impact" in d:
        changes["impact"] = Impact.from_dict(d["impact"])
    if "onset_at" in d:
        changes["onset_at"] = from_iso(d["onset_at"])
    if "detected_at" in d:
        changes["detected_at"] = from_iso(d["detected_at"])
    if "services" in d:
        changes["services"] = tuple(d["services"])
    if "customer_visible" in d:
        changes["customer_visible"] = bool(d["customer_visible"])
    return replace(state, **changes)  # type: ignore[arg-type]


def _type(state: Incident, event: Event) -> Incident:
    return replace(state, type=str(event.data["type"]))


def _postmortem(state: Incident, event: Event) -> Incident:
    return replace(state, postmortem=str(event.data.get("state", "draft")))


def _section(state: Incident, event: Event) -> Incident:
    key = str(event.data["section"])
    markdown = str(event.data.get("markdown") or "")
    title = str(event.data.get("title") or key.replace("_", " ").capitalize())
    kept = [s for s in state.sections if s.key != key]
    if markdown.strip():
        position = next((i for i, s in enumerate(state.sections) if s.key == key), len(kept))
        kept.insert(position, Section(key, title, markdown))
    return replace(state, sections=tuple(kept))


_APPLY: dict[str, Callable[[Incident, Event], Incident]] = {
    Kind.STATUS: _status,
    Kind.SEVERITY: _severity,
    Kind.ROLE: _role,
    Kind.AMENDED: _amended,
    Kind.SECTION: _section,
    "postmortem.state": _postmortem,
    kinds.TYPE_CHANGED: _type,
}


def apply(state: Incident | None, event: Event) -> Incident:
    """Apply one event. Kinds the core does not know leave the state as it is."""
    if event.kind == Kind.DECLARED:
        if state is not None:
            raise InvalidInput(f"event {event.seq}: incident {event.incident_id} declared twice")
        new = _declared(None, event)
    elif state is None:
        raise InvalidInput(f"event {event.seq}: {event.kind} before the incident was declared")
    else:
        handler = _APPLY.get(event.kind)
        new = handler(state, event) if handler else state
    latest = event.occurred_at
    if new.last_event_at is not None and new.last_event_at > latest:
        latest = new.last_event_at
    return replace(new, last_seq=event.seq, last_event_at=latest)


def fold(events: Iterable[Event]) -> Incident:
    """The state after all events, in sequence order."""
    state: Incident | None = None
    for event in events:
        state = apply(state, event)
    if state is None:
        raise InvalidInput("no events: nothing was declared")
    return state
