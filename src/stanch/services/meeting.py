"""Propose the postmortem meeting: an .ics invite, handed to a calendar behind a Protocol."""

from __future__ import annotations

import enum
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from stanch.errors import StanchError, classify_os_error
from stanch.model.clock import human_duration, iso
from stanch.model.decide import note
from stanch.model.durations import durations
from stanch.model.incident import Incident
from stanch.model.meeting import (
    MEETING_PROPOSED,
    Attendee,
    Invite,
    attendees,
    check_resolved,
    check_window,
    meeting_proposed,
    slot,
)
from stanch.model.status import Status as IncidentStatus
from stanch.model.types import postmortem_private
from stanch.services import incidents, records
from stanch.services.context import App, record
from stanch.services.incidents import Recorded
from stanch.services.people_config import people_config


class Status(enum.StrEnum):
    OK = "ok"
    ERROR = "error"


@dataclass(frozen=True)
class CalendarResult:
    status: Status
    location: str  # where the invite went: a file path, a calendar event URL …
    detail: str = ""


class Calendar(Protocol):
    """Anything that can take a meeting invite (a file, a calendar service)."""

    name: str

    def propose(self, invite: Invite) -> CalendarResult: ...


def to_ics(invite: Invite, stamp: datetime) -> bytes:
    """The invite as an RFC 5545 calendar with one VEVENT."""
    from icalendar import Calendar as ICalendar
    from icalendar import Event as IEvent
    from icalendar import vCalAddress, vText

    def address(person: Attendee, role: str) -> vCalAddress:
        entry = vCalAddress(f"mailto:{person.email}")
        entry.params["cn"] = vText(person.name)
        entry.params["role"] = vText(role)
        return entry

    calendar = ICalendar()
    calendar.add("prodid", "-//stanch//postmortem meeting//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = IEvent()
    event.add("uid", invite.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", invite.start)
    event.add("dtend", invite.end)
    event.add("summary", invite.title)
    event.add("description", invite.description)
    event.add("class", "PRIVATE" if invite.private else "PUBLIC")
    if invite.organizer and invite.organizer.email:
        event.add("organizer", address(invite.organizer, "CHAIR"))
    for person in invite.attendees:
        if person.email:
            event.add("attendee", address(person, "REQ-PARTICIPANT"))
    calendar.add_component(event)
    return bytes(calendar.to_ical())


@dataclass
class IcsFileCalendar:
    """Writes the invite as `<incident>.postmortem.ics` beside the timeline file."""

    folder: Path
    stamp: datetime
    name: str = "ics-file"

    def propose(self, invite: Invite) -> CalendarResult:
        target = self.folder / f"{invite.incident_id}.postmortem.ics"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=self.folder, prefix=".ics-")
            with os.fdopen(handle, "wb") as out:
                out.write(to_ics(invite, self.stamp))
            os.replace(temp, target)
        except OSError as exc:
            raise classify_os_error(exc, f"cannot write {target}") from exc
        return CalendarResult(Status.OK, str(target))


def build_invite(app: App, state: Incident, start: datetime | None = None) -> Invite:
    """The invite for a resolved incident: slot in the window, everyone involved."""
    config = people_config(app.settings)
    resolved = check_resolved(state)
    events = app.store.events(state.id)
    people = attendees(state, events, config.roster)
    if start is None:
        begin, end = slot(resolved, config.meeting_within, config.meeting_hour_utc,
                          config.meeting_length)  # fmt: skip
    else:
        begin, end = start, start + config.meeting_length
    private = postmortem_private(state, config.rules)
    chair = config.roster.find(state.commander or "")
    chair_name = chair.name if chair else state.commander
    commander = next((p for p in people if p.name == chair_name), None)
    title = f"Postmortem: {state.id}" if private else f"Postmortem: {state.symptom}"
    times = "; ".join(f"{k} {human_duration(v)}" for k, v in durations(state, resolved).items())
    description = (
        f"Blameless postmortem review of {state.id} ({state.severity.label()}, resolved "
        f"{iso(resolved)}). Timeline: {app.files.path(state.id).name}. {times}."
    )
    invite = Invite(state.id, f"{state.id}-postmortem@stanch", title, description, begin, end,
                    commander, people, private)  # fmt: skip
    check_window(invite, resolved, config.meeting_within)
    return invite


@dataclass(frozen=True)
class Proposed:
    recorded: Recorded
    invite: Invite
    result: CalendarResult


def _resolved_id(app: App, incident: str | None) -> str:
    """The given id, or the only resolved (not yet closed) incident the viewer may see."""
    if incident:
        return app.resolve_id(incident)
    found = records.listing(app, status="resolved")
    if len(found) == 1:
        return found[0].id
    return app.resolve_id(None)  # names the open one, or says why it cannot choose


def propose(app: App, incident: str | None, *, calendar: Calendar | None = None,
            start: datetime | None = None, actor: str | None = None) -> Proposed:  # fmt: skip
    """Propose the postmortem meeting and record where the invite went."""
    key = _resolved_id(app, incident)
    now = app.clock()
    invite = build_invite(app, app.store.state(key), start)
    app.files.preflight()
    target = calendar or IcsFileCalendar(app.settings.incidents_dir, now)
    result = target.propose(invite)
    who = actor or app.settings.actor
    event, state = record(
        app, key, lambda s: meeting_proposed(invite, result.location, target.name, who, now)
    )
    return Proposed(Recorded(state, event, app.files.path(key)), invite, result)


def propose_on_resolution(app: App, key: str, status: IncidentStatus, actor: str) -> None:
    """On resolution, propose the postmortem meeting once (an .ics in the incidents folder).

    A failure to write the invite is recorded as a note instead: resolving must not fail
    because a calendar did.
    """
    if status is not IncidentStatus.RESOLVED:
        return
    if any(e.kind == MEETING_PROPOSED for e in app.store.iter_events(key)):
        return
    try:
        propose(app, key, actor=actor)
    except StanchError as exc:
        now = app.clock()
        text = f"postmortem meeting not proposed: {exc.message}"
        record(app, key, lambda s: note(s, text, actor, now, now))


def install() -> None:
    if propose_on_resolution not in incidents.STATUS_FOLLOWUPS:
        incidents.STATUS_FOLLOWUPS.append(propose_on_resolution)
