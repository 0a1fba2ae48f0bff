"""The postmortem meeting: when (within the window after resolution) and who (from the timeline)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from stanch.errors import GuardRefused, InvalidInput
from stanch.model.clock import iso, utc
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.model.people import Roster, involved

MEETING_PROPOSED: Final = "meeting.proposed"  # {"start", "end", "attendees", "file", "calendar"}
REST: Final = timedelta(hours=12)  # responders sleep before they sit down to the postmortem
SYSTEM_ACTORS: Final = frozenset({"stanch", "system", "alertmanager", "webhook"})


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str | None  # None: not in the roster with an e-mail address


@dataclass(frozen=True)
class Invite:
    """A proposed postmortem meeting, before any calendar sees it."""

    incident_id: str
    uid: str
    title: str
    description: str
    start: datetime
    end: datetime
    organizer: Attendee | None
    attendees: tuple[Attendee, ...]
    private: bool = False


def slot(resolved_at: datetime, within: timedelta, hour_utc: int,
         length: timedelta) -> tuple[datetime, datetime]:  # fmt: skip
    """The first `hour_utc` start after a night's rest that ends inside the window.

    Weekdays are preferred; when none fits, any day; when no such hour fits at all (a
    short window), the middle of the window on the hour.
    """
    resolved = utc(resolved_at)
    deadline = resolved + within
    day = resolved.replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    candidates = [day + timedelta(days=n) for n in range(int(within / timedelta(days=1)) + 2)]
    fitting = [c for c in candidates if c >= resolved + REST and c + length <= deadline]
    weekdays = [c for c in fitting if c.weekday() < 5]
    if weekdays or fitting:
        start = (weekdays or fitting)[0]
    else:
        start = (resolved + within / 2).replace(minute=0, second=0, microsecond=0)
        start = max(start, resolved)
    return start, start + length


def attendees(incident: Incident, events: Iterable[Event], roster: Roster) -> tuple[Attendee, ...]:
    """Everyone involved, as the roster knows them, each once."""
    found: dict[str, Attendee] = {}
    for name in involved(incident, events):
        if name.lower() in SYSTEM_ACTORS:
            continue
        person = roster.find(name)
        key = person.name if person else name
        found.setdefault(key, Attendee(key, person.email if person else None))
    return tuple(found.values())


def meeting_proposed(invite: Invite, file: str, calendar: str, actor: str,
                     now: datetime) -> NewEvent:  # fmt: skip
    """The event that records a proposed meeting."""
    data: dict[str, Any] = {
        "start": iso(invite.start), "end": iso(invite.end), "file": file, "calendar": calendar,
        "attendees": [a.name for a in invite.attendees],
        "summary": f"postmortem meeting proposed for {iso(invite.start)} "
        f"with {len(invite.attendees)} attendees",
    }  # fmt: skip
    return NewEvent(MEETING_PROPOSED, actor, utc(now), utc(now), data)


def check_resolved(incident: Incident) -> datetime:
    """The meeting is proposed on resolution; before it, there is nothing to review."""
    if incident.resolved_at is None:
        raise GuardRefused(
            f"{incident.id} is not resolved: the postmortem meeting is proposed on resolution"
        )
    return incident.resolved_at


def check_window(invite: Invite, resolved_at: datetime, within: timedelta) -> None:
    if not resolved_at <= invite.start <= resolved_at + within:
        raise InvalidInput(
            f"the meeting must start within {within} of resolution ({iso(resolved_at)})"
        )
