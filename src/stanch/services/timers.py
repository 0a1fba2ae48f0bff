"""One pass of the timers, for a scheduler (the server) or a cron job.

For every open incident: deliver what the outbox has due, and when
`[comms.escalation] auto_page = true`, page the owner for triggers that fire by
themselves. A page answers its triggers, so the next pass does not page again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stanch.errors import NotFound
from stanch.services import escalation, outbox, updates
from stanch.services.context import App


@dataclass(frozen=True)
class Tick:
    incident_id: str
    paged: str | None  # the team paged on this pass, if any
    delivered: int
    agenda: updates.Agenda


def auto_page_enabled(app: App) -> bool:
    raw = app.settings.raw.get("comms", {})
    table = raw.get("escalation", {}) if isinstance(raw, dict) else {}
    return isinstance(table, dict) and bool(table.get("auto_page"))


def tick(app: App, notifiers: Any = None, actor: str = "stanch") -> list[Tick]:
    """Run every timer once, as of `app.clock()`."""
    done: list[Tick] = []
    auto = auto_page_enabled(app)
    for state in app.store.incidents(open_only=True):
        paged: str | None = None
        _, due = escalation.due_triggers(app, state.id)
        if auto and due:
            try:
                paged = escalation.escalate(app, state.id, actor=actor, deliver=False).team
            except NotFound:
                paged = None  # nobody known to page: `stanch show` keeps saying it is due
        attempts = outbox.deliver(app, state.id, notifiers, actor=actor)
        delivered = sum(1 for a in attempts if a.delivery.status.value == "ok")
        done.append(Tick(state.id, paged, delivered, updates.agenda(app, state.id)))
    return done
