"""The application context a door builds once: settings, store, files, clock."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from stanch.errors import Ambiguous, NotFound
from stanch.model.clock import Clock, system_clock
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.services import access
from stanch.settings import Settings
from stanch.store.sql import SqlStore, Within
from stanch.timeline.writer import TimelineWriter


@dataclass
class App:
    settings: Settings
    clock: Clock = system_clock
    viewer: str | None = None  # who reads; None: the settings' actor (services/access.py)
    _store: SqlStore | None = field(default=None, repr=False)

    @property
    def store(self) -> SqlStore:
        # Opened on first use: `stanch --help` never touches the database.
        if self._store is None:
            self._store = SqlStore(self.settings.database_url, lock_dir=self.settings.data_dir)
        return self._store

    @property
    def files(self) -> TimelineWriter:
        return TimelineWriter(self.settings.incidents_dir, self.settings.severity_scheme)

    def source(self, incident_id: str) -> Callable[[], Iterable[Event]]:
        return lambda: self.store.iter_events(incident_id)

    def resolve_id(self, incident_id: str | None) -> str:
        """The given id, or the only open incident when none is given (as the viewer sees them)."""
        if incident_id:
            access.check_read(self, incident_id)
            return incident_id
        open_ = access.visible(self, self.store.incidents(open_only=True))
        if len(open_) == 1:
            return open_[0].id
        if not open_:
            raise NotFound("no open incident: name one (stanch list --all)")
        names = ", ".join(i.id for i in open_[:5])
        raise Ambiguous(f"{len(open_)} incidents are open ({names}): name one")

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def record(
    app: App,
    incident_id: str,
    decide: Callable[[Incident], NewEvent],
    *,
    within: Within | None = None,
) -> tuple[Event, Incident]:
    """Check, record in the store, then project into the file. `within` writes its own
    rows in the event's transaction (a local store only)."""
    app.files.preflight()
    if within is None:
        event, state = app.store.append(incident_id, decide)
    else:
        event, state = app.store.append_within(incident_id, decide, within)
    app.files.append(state, event, app.source(incident_id))
    return event, state
