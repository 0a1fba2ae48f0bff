"""Action items across incidents: add, complete, list, and escalate the overdue ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from stanch.errors import Conflict, GuardRefused, InvalidInput, NotFound
from stanch.model import actions as model
from stanch.model.actions import ActionItem, Escalation
from stanch.model.blameless import vague_action
from stanch.model.clock import iso, utc
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.model.timeparse import parse_when
from stanch.postmortem.config import load
from stanch.services import access
from stanch.services.context import App, record

_ATTEMPTS = 5


class Nothing(Exception):
    """A decision found nothing to record (e.g. another replica escalated already)."""


def record_seen(
    app: App, key: str, build: Callable[[Incident, list[Event]], NewEvent]
) -> tuple[Event, Incident]:
    """Record a decision taken on the events as read; retried if another writer got in first.

    The store's lock serialises writers; comparing `last_seq` under that lock makes the
    decision safe across processes and server replicas.
    """
    for _ in range(_ATTEMPTS):
        events = app.store.events(key)
        seen = events[-1].seq if events else 0

        def decide(state: Incident, events: list[Event] = events, seen: int = seen) -> NewEvent:
            if state.last_seq != seen:
                raise Conflict(f"{key} changed while deciding")
            return build(state, events)

        try:
            return record(app, key, decide)
        except Conflict:
            continue
    raise Conflict(f"{key} kept changing; try again")


def new_event(
    kind: str, actor: str, at: datetime, now: datetime, data: dict[str, object]
) -> NewEvent:
    return NewEvent(kind, actor.strip().splitlines()[0][:100] or "stanch", utc(at), utc(now), data)


def parse_due(text: str | None, priority: str, now: datetime) -> datetime:
    """'2026-12-01' (end of that UTC day), ISO time, '14d' / '14 days', or the priority's default."""
    if not text:
        return utc(now) + timedelta(days=model.DEFAULT_DUE[priority])
    raw = text.strip()
    if raw[:1].isdigit() and raw.rstrip("days ").isdigit():
        return utc(now) + timedelta(days=int(raw.rstrip("days ")))
    if len(raw) == 10:
        raw = f"{raw}T23:59:59Z"
    return parse_when(raw, now, allow_future=True)


@dataclass(frozen=True)
class NewItem:
    text: str
    owner: str
    priority: str = "P1"
    due: str | None = None
    type: str = "prevent"
    kind: str = "fix"


def add(app: App, incident: str | None, spec: NewItem, *, actor: str | None = None) -> ActionItem:
    """Add a concrete, owned, dated action item; vague ones are refused."""
    key = app.resolve_id(incident)
    now = app.clock()
    who = actor or app.settings.actor
    text = spec.text.strip()
    if problem := vague_action(text):
        raise InvalidInput(f"action item not concrete: {problem}")
    if not spec.owner.strip():
        raise InvalidInput("an action item needs an owner")
    priority = model.check_choice(spec.priority, model.PRIORITIES, "priority")
    data: dict[str, object] = {
        "text": text, "owner": spec.owner.strip(), "priority": priority,
        "due": iso(parse_due(spec.due, priority, now)),
        "type": model.check_choice(spec.type, model.TYPES, "type"),
        "kind": model.check_choice(spec.kind, model.KINDS, "kind"),
    }  # fmt: skip

    def build(_: Incident, events: list[Event]) -> NewEvent:
        name = model.next_item(events)
        summary = f"action item {name} ({priority}, {data['owner']}, due {data['due']}): {text}"
        return new_event(
            model.ACTION_ADDED, who, now, now, {"item": name, **data, "summary": summary}
        )

    event, _ = record_seen(app, key, build)
    return _find(app, key, str(event.data["item"]))


def _find(app: App, key: str, name: str) -> ActionItem:
    for item in model.items(key, app.store.events(key)):
        if item.item == name:
            return item
    raise NotFound(f"no action item {name} on {key}")


def done(app: App, ref: str, incident: str | None = None, note: str = "", *,
         actor: str | None = None) -> ActionItem:  # fmt: skip
    """Mark an action item done."""
    given, name = model.parse_item(ref)
    key = app.resolve_id(given or incident)
    now = app.clock()
    who = actor or app.settings.actor

    def build(_: Incident, events: list[Event]) -> NewEvent:
        found = [i for i in model.items(key, events) if i.item == name]
        if not found:
            raise NotFound(f"no action item {name} on {key}")
        if not found[0].is_open:
            raise GuardRefused(f"{found[0].ref} is already done")
        data: dict[str, object] = {"item": name, "summary": f"action item {name} done"}
        if note.strip():
            data["note"] = note.strip()
            data["summary"] = f"action item {name} done: {note.strip()}"
        return new_event(model.ACTION_DONE, who, now, now, data)

    record_seen(app, key, build)
    return _find(app, key, name)


def all_items(app: App, *, owner: str | None = None, overdue: bool = False,
              include_done: bool = False, now: datetime | None = None,
              hidden_too: bool = False) -> list[ActionItem]:  # fmt: skip
    """Action items across every incident the viewer may read (all: `hidden_too`), soonest due first."""
    moment = now or app.clock()
    found: list[ActionItem] = []
    states = app.store.incidents()
    for state in states if hidden_too else access.visible(app, states):
        found += model.items(state.id, app.store.iter_events(state.id))
    if not include_done and not overdue:
        found = [i for i in found if i.is_open]
    if owner:
        found = [i for i in found if i.owner.lower() == owner.lower()]
    if overdue:
        found = [i for i in found if i.overdue_by(moment)]
    return sorted(found, key=lambda i: (i.due, i.ref))


def escalate_overdue(
    app: App,
    *,
    actor: str = "stanch-scheduler",
    notify: Callable[[Escalation], None] | None = None,
) -> list[Escalation]:
    """One tick of the overdue schedule: record each escalation that is due now, once.

    Safe to run from several processes or replicas at once: each escalation is decided
    under the incident's write lock, so a level is never recorded twice — and `notify`
    (the server passes its chat or pager sender) is called only for the one that recorded it.
    """
    now = app.clock()
    policy = load(app.settings.raw).escalation
    done_now: list[Escalation] = []
    for item in all_items(app, overdue=True, now=now, hidden_too=True):  # the schedule sees all
        for _ in range(2):  # owner, then lead: both may be due in one tick
            step = _escalate_once(app, item, now, policy, actor)
            if step is None:
                break
            done_now.append(step)
            if notify is not None:
                notify(step)
    return done_now


def _escalate_once(app: App, item: ActionItem, now: datetime, policy: model.EscalationPolicy,
                   actor: str) -> Escalation | None:  # fmt: skip
    picked: list[Escalation] = []

    def build(_: Incident, events: list[Event]) -> NewEvent:
        fresh = [i for i in model.items(item.incident_id, events) if i.item == item.item]
        step = model.escalation_due(fresh[0], now, policy) if fresh else None
        if step is None:
            raise Nothing
        picked[:] = [step]
        return new_event(model.ACTION_ESCALATED, actor, now, now, {
            "item": item.item, "level": step.level, "to": step.to, "owner": item.owner,
            "overdue_s": int(step.overdue.total_seconds()), "summary": step.statement(),
        })  # fmt: skip

    try:
        record_seen(app, item.incident_id, build)
    except Nothing:
        return None
    return picked[0]
