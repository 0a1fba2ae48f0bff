"""Check the diagnosis time-box and record the reminder when it fires."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stanch.errors import Conflict
from stanch.model.events import NewEvent
from stanch.model.incident import Incident
from stanch.model.timebox import Reminder, diagnosis_reminder, reminded
from stanch.services.context import App, record
from stanch.services.people_config import people_config


@dataclass(frozen=True)
class Checked:
    incident_id: str
    reminder: Reminder | None
    seq: int | None  # the recorded reminder's event, when one fired


def check(app: App, incident: str | None, *, levers: Iterable[str] = (),
          actor: str = "stanch") -> Checked:  # fmt: skip
    """Fire (and record) the reminder when diagnosis has run past the time-box."""
    key = app.resolve_id(incident)
    limit = people_config(app.settings).diagnosis_timebox
    now = app.clock()
    seen = app.store.state(key)
    found = diagnosis_reminder(seen, app.store.events(key), now, limit=limit, levers=tuple(levers))
    if found is None:
        return Checked(key, None, None)
    reminder = found

    def decide(state: Incident) -> NewEvent:
        # Several replicas may check at once: only the one that saw the latest state records.
        if state.last_seq != seen.last_seq:
            raise Conflict(f"{key} changed while checking the time-box; check again")
        return reminded(reminder, actor, now)

    event, _ = record(app, key, decide)
    return Checked(key, found, event.seq)
