"""Who may read an incident: the one check every door calls (CLI, API, UI, MCP, status page).

A restricted incident (security, by default) is readable only by the people named on
it and the standing readers. To anyone else it does not exist: the refusal is the very
"no incident" message a missing id gets, so an id cannot be confirmed by guessing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from stanch.errors import NotFound
from stanch.model.incident import Incident
from stanch.model.people import may_read
from stanch.model.types import type_of
from stanch.services.people_config import PeopleConfig, people_config

if TYPE_CHECKING:
    from stanch.services.context import App

# The server's own jobs (timers, sampling) read every incident. A token cannot carry
# this name (token names are letters, digits, '-' and '_').
SYSTEM = "stanch:system"


def viewer_of(app: App) -> str:
    """Who is reading: the App's viewer (a server sets it per request) or the local actor."""
    return app.viewer or app.settings.actor


def can_read(app: App, incident: Incident, viewer: str | None = None,
             config: PeopleConfig | None = None) -> bool:  # fmt: skip
    """May this viewer read this incident?"""
    config = config or people_config(app.settings)
    if not config.rules[type_of(incident)].restricted:
        return True
    who = viewer or viewer_of(app)
    if who == SYSTEM:
        return True
    events = app.store.iter_events(incident.id)
    return may_read(who, incident, events, config.roster, config.readers, config.reader_teams)


def not_found(incident_id: str) -> NotFound:
    """Exactly what a missing id raises (store.state), so both read the same."""
    return NotFound(f"no incident {incident_id!r}")


def check_read(app: App, incident_id: str, viewer: str | None = None) -> None:
    """Raise the missing-id NotFound for a missing id and for one the viewer may not read.

    Both fail here, before any command-specific check, so no command answers a hidden
    id differently from a missing one.
    """
    try:
        state = app.store.state(incident_id)
    except NotFound:
        raise not_found(incident_id) from None
    if not can_read(app, state, viewer):
        raise not_found(incident_id)


def visible(app: App, incidents: Iterable[Incident], viewer: str | None = None) -> list[Incident]:
    """The incidents this viewer may read, in the given order."""
    config = people_config(app.settings)
    return [state for state in incidents if can_read(app, state, viewer, config)]


def outbound_recipients(app: App, incident: Incident, names: Iterable[str]) -> list[str]:
    """Of the people a notification would reach, those who may read this incident."""
    config = people_config(app.settings)
    return [name for name in names if can_read(app, incident, name, config)]
