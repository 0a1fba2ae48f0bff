"""Flag a new incident that repeats a past one; open action items there raise severity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from stanch.model import decide
from stanch.model.actions import items
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.model.recurrence import RECURRENCE, already_flagged, fingerprint, matched_on
from stanch.model.severity import Severity
from stanch.services.actions import Nothing, new_event, record_seen
from stanch.services.context import App, record

ACTOR = "stanch-recurrence"


@dataclass(frozen=True)
class Recurrence:
    of: str
    matched_on: list[str]
    open_items: list[str]
    raised_to: Severity | None

    def to_dict(self) -> dict[str, object]:
        return {
            "of": self.of, "matched_on": self.matched_on, "open_items": self.open_items,
            "raised_to": int(self.raised_to) if self.raised_to else None,
        }  # fmt: skip


def at_declaration(app: App, state: Incident) -> Incident:
    """Run at declaration: flag repeats; returns the (possibly more severe) state."""
    if check(app, state.id, at=state.declared_at):
        return app.store.state(state.id)
    return state


def check(app: App, key: str, *, at: datetime | None = None) -> list[Recurrence]:
    """Compare the incident with every earlier one sharing a service; record new matches."""
    state = app.store.state(key)
    events = app.store.events(key)
    mine = fingerprint(state, events)
    flagged = already_flagged(events)
    found: list[Recurrence] = []
    for other in app.store.incidents():
        if other.id == key or other.id in flagged or other.declared_at > state.declared_at:
            continue
        if not set(other.services) & set(state.services):
            continue
        past = app.store.events(other.id)
        reasons = matched_on(mine, fingerprint(other, past))
        if reasons:
            still_open = [i.ref for i in items(other.id, past) if i.is_open]
            found.append(_flag(app, key, other.id, reasons, still_open, at))
    return found


def _flag(app: App, key: str, of: str, reasons: list[str], still_open: list[str],
          at: datetime | None) -> Recurrence:  # fmt: skip
    now = app.clock()
    moment = max(at or now, app.store.state(key).declared_at)
    link = app.files.path(of).name  # incident files sit side by side: a relative link works
    links = f"repeats {of} ({'; '.join(reasons)}), see {link}"
    if still_open:
        links += f"; its action items are still open: {', '.join(still_open)}"

    def build(_: Incident, events: list[Event]) -> NewEvent:
        if of in already_flagged(events):
            raise Nothing
        return new_event(RECURRENCE, ACTOR, moment, now, {
            "of": of, "link": link, "matched_on": reasons, "open_items": still_open,
            "summary": links,
        })  # fmt: skip

    try:
        record_seen(app, key, build)
    except Nothing:
        return Recurrence(of, reasons, still_open, None)
    raised = _raise(app, key, of, still_open, moment) if still_open else None
    return Recurrence(of, reasons, still_open, raised)


def _raise(app: App, key: str, of: str, still_open: list[str], at: datetime) -> Severity | None:
    state = app.store.state(key)
    if state.severity is Severity.SEV1:
        return None
    reason = (
        f"recurrence of {of} while its action items {', '.join(still_open)} are open: "
        "treated as one level more severe"
    )
    now = app.clock()
    target = state.severity.raised()
    record(app, key, lambda s: decide.change_severity(s, target, reason, ACTOR, at, now))
    return target
