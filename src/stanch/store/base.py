"""The store protocol every backend implements."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident

Decide = Callable[[Incident], NewEvent]


class EventStore(Protocol):
    """Append-only events per incident, with the folded state kept beside them."""

    def create(self, base_id: str, make: Callable[[str], NewEvent]) -> tuple[Event, Incident]:
        """Declare: pick a free id (base, base-2, …) and record the first event atomically."""
        ...

    def append(self, incident_id: str, decide: Decide) -> tuple[Event, Incident]:
        """Under the incident's write lock: decide on the current state, record, fold."""
        ...

    def state(self, incident_id: str) -> Incident:
        """Current state (NotFound if unknown)."""
        ...

    def events(self, incident_id: str, after_seq: int = 0) -> list[Event]:
        """Events in sequence order."""
        ...

    def iter_events(self, incident_id: str, batch: int = 1000) -> Iterator[Event]:
        """Events in sequence order, streamed."""
        ...

    def incidents(self, *, open_only: bool = False) -> list[Incident]:
        """All incidents, newest declared first."""
        ...

    def ids(self) -> list[str]:
        """Every incident id."""
        ...

    def load(self, incident_id: str, events: Sequence[Event]) -> Incident:
        """Import a complete, verified event history for an incident not yet stored."""
        ...

    def close(self) -> None: ...
