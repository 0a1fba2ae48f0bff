"""The people around an incident: roster, pages, acknowledgements, joins, who may read it.

Pure: decisions return the event to record, folds read events. Pages sent through a
pager provider use the same kinds (model/kinds.py), so MTTA reads them all alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from stanch.errors import InvalidInput
from stanch.model import kinds
from stanch.model.clock import utc
from stanch.model.events import Event, Kind, NewEvent
from stanch.model.incident import ROLES, Incident

ACCESS_GRANTED: Final = "access.granted"  # {"who", "reason", "summary"}
ACCESS_REVOKED: Final = "access.revoked"  # {"who", "reason", "summary"}
MAX_NAME = 100


@dataclass(frozen=True)
class Person:
    """One roster entry: how to name, reach and group a responder."""

    name: str
    handle: str = ""
    team: str = ""
    contact: str = ""  # e-mail address (used for invites) or another reachable address

    def spellings(self) -> set[str]:
        """Every spelling that identifies this person."""
        found = {self.name, self.handle.lstrip("@"), self.contact}
        return {k.strip().lower() for k in found if k.strip()}

    @property
    def email(self) -> str | None:
        return self.contact if "@" in self.contact.strip("@") else None


@dataclass(frozen=True)
class Roster:
    people: tuple[Person, ...] = ()

    def find(self, who: str) -> Person | None:
        key = who.strip().lstrip("@").lower()
        return next((p for p in self.people if key in p.spellings()), None)

    def keys_of(self, who: str) -> set[str]:
        """The spellings of `who`: the roster entry's, or the name itself."""
        person = self.find(who)
        return person.spellings() if person else {who.strip().lstrip("@").lower()}

    def team(self, team: str) -> tuple[Person, ...]:
        return tuple(p for p in self.people if p.team.lower() == team.lower())


def _field(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise InvalidInput(f"{where}.{key} must be text")
    return value.strip()


def load_roster(people: Mapping[str, Any]) -> Roster:
    """`[[people.roster]]` entries: name (required), handle, team, contact."""
    entries = people.get("roster", [])
    if not isinstance(entries, list):
        raise InvalidInput("people.roster must be an array of tables ([[people.roster]])")
    found: list[Person] = []
    for number, entry in enumerate(entries, 1):
        where = f"people.roster[{number}]"
        if not isinstance(entry, Mapping):
            raise InvalidInput(f"{where} must be a table")
        unknown = set(entry) - {"name", "handle", "team", "contact"}
        if unknown:
            raise InvalidInput(f"{where}: unknown key {sorted(unknown)[0]!r}")
        name = _field(entry, "name", where)
        if not name:
            raise InvalidInput(f"{where}.name is required")
        found.append(
            Person(name, *(_field(entry, k, where) for k in ("handle", "team", "contact")))
        )
    return Roster(tuple(found))


# -- decisions -----------------------------------------------------------------------------


def _name(value: str, what: str) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise InvalidInput(f"{what} is empty")
    if len(cleaned) > MAX_NAME:
        raise InvalidInput(f"{what} is longer than {MAX_NAME} characters")
    return cleaned


def _event(kind: str, actor: str, at: datetime, now: datetime, data: dict[str, object]) -> NewEvent:
    if utc(at) > utc(now):
        raise InvalidInput("that time is in the future")
    return NewEvent(kind, _name(actor, "actor"), utc(at), utc(now), data)


def page(state: Incident, target: str, reason: str, actor: str, at: datetime, now: datetime,
         *, service: str = "", provider: str = "manual", dedup_key: str = "") -> NewEvent:  # fmt: skip
    """Someone (or a schedule) was paged onto the incident."""
    who = _name(target, "page target")
    data: dict[str, object] = {
        "target": who, "service": service, "reason": reason.strip(), "provider": provider,
        "dedup_key": dedup_key or f"{state.id}:{who}", "summary": f"paged {who}"
        + (f": {reason.strip()}" if reason.strip() else ""),
    }  # fmt: skip
    return _event(kinds.PAGE_SENT, actor, at, now, data)


def acknowledge(state: Incident, by: str, actor: str, at: datetime, now: datetime,
                *, target: str = "") -> NewEvent:  # fmt: skip
    """A page was acknowledged (this is what MTTA measures)."""
    who = _name(by, "who acknowledged")
    paged = target or who
    if utc(at) < state.declared_at - timedelta(days=1):
        raise InvalidInput("an acknowledgement more than a day before the declaration")
    summary = f"{who} acknowledged the page" + (f" for {paged}" if paged != who else "")
    data: dict[str, object] = {"by": who, "target": paged, "summary": summary}
    return _event(kinds.PAGE_ACKNOWLEDGED, actor, at, now, data)


def join(state: Incident, who: str, role: str, actor: str, at: datetime,
         now: datetime) -> NewEvent:  # fmt: skip
    """A responder joined the response."""
    name = _name(who, "who joined")
    role_key = (role or "responder").strip().lower().replace("-", "_")
    if role_key not in ROLES:
        raise InvalidInput(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    data: dict[str, object] = {"who": name, "role": role_key,
                               "summary": f"{name} joined as {role_key.replace('_', ' ')}"}  # fmt: skip
    return _event(kinds.RESPONDER_JOINED, actor, at, now, data)


def grant(state: Incident, who: str, reason: str, actor: str, at: datetime, now: datetime,
          *, revoke: bool = False) -> NewEvent:  # fmt: skip
    """Name someone on a restricted incident (or take the name back)."""
    name = _name(who, "person")
    verb = "revoked access of" if revoke else "granted access to"
    data: dict[str, object] = {"who": name, "reason": reason.strip(), "summary": f"{verb} {name}"}
    return _event(ACCESS_REVOKED if revoke else ACCESS_GRANTED, actor, at, now, data)


# -- folds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    who: str
    at: datetime
    detail: str = ""  # the page target, the role joined as …


@dataclass(frozen=True)
class Response:
    """Who was paged, who acknowledged, who joined, and when."""

    paged: tuple[Moment, ...] = ()
    acknowledged: tuple[Moment, ...] = ()
    joined: tuple[Moment, ...] = ()


def response_of(events: Iterable[Event]) -> Response:
    paged: list[Moment] = []
    acked: list[Moment] = []
    joined: list[Moment] = []
    for event in events:
        d = event.data
        if event.kind == kinds.PAGE_SENT:
            paged.append(
                Moment(str(d.get("target", "")), event.occurred_at, str(d.get("service", "")))
            )
        elif event.kind == kinds.PAGE_ACKNOWLEDGED:
            acked.append(Moment(str(d.get("by", "")), event.occurred_at, str(d.get("target", ""))))
        elif event.kind == kinds.RESPONDER_JOINED:
            joined.append(Moment(str(d.get("who", "")), event.occurred_at, str(d.get("role", ""))))
    return Response(tuple(paged), tuple(acked), tuple(joined))


def time_to_acknowledge(incident: Incident, events: Iterable[Event]) -> timedelta | None:
    """MTTA for one incident: declared → first acknowledgement."""
    acks = response_of(events).acknowledged
    if not acks:
        return None
    return max(timedelta(0), min(a.at for a in acks) - incident.declared_at)


def named_people(incident: Incident, events: Iterable[Event]) -> list[str]:
    """Everyone named on it: roles, declarer, who set the type, paged, acked, joined, granted."""
    named: dict[str, None] = {}
    revoked: set[str] = set()
    for event in events:
        d = event.data
        if event.kind in (Kind.DECLARED, kinds.TYPE_CHANGED):
            named[event.actor] = None  # who restricted it keeps reading it
        who = {
            kinds.PAGE_SENT: d.get("target"), kinds.PAGE_ACKNOWLEDGED: d.get("by"),
            kinds.RESPONDER_JOINED: d.get("who"), ACCESS_GRANTED: d.get("who"),
        }.get(event.kind)  # fmt: skip
        if who:
            named[str(who)] = None
            revoked.discard(str(who))
        if event.kind == ACCESS_REVOKED:
            revoked.add(str(d.get("who")))
    for people in incident.roles.values():
        named.update(dict.fromkeys(people))
    return [n for n in named if n not in revoked]


def involved(incident: Incident, events: Iterable[Event]) -> list[str]:
    """Everyone who took part, in order of first appearance: named people and every actor."""
    listed = list(events)
    people: dict[str, None] = {}
    for event in listed:
        people[event.actor] = None
    people.update(dict.fromkeys(named_people(incident, listed)))
    return list(people)


def may_read(
    viewer: str,
    incident: Incident,
    events: Iterable[Event],
    roster: Roster,
    readers: Iterable[str] = (),
    reader_teams: Iterable[str] = (),
) -> bool:
    """May `viewer` read a restricted incident? Only when named on it (or a standing reader)."""
    mine = roster.keys_of(viewer)
    allowed: set[str] = set()
    for name in (*named_people(incident, events), *readers):
        allowed |= roster.keys_of(name)
    for team in reader_teams:
        for person in roster.team(team):
            allowed |= person.spellings()
    return bool(mine & allowed)
