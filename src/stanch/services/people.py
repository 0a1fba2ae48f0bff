"""The response team: pages, acknowledgements, joins, access grants, the roster."""

from __future__ import annotations

from dataclasses import dataclass

from stanch.model import people
from stanch.model.incident import Incident
from stanch.model.people import Person, Response, response_of, time_to_acknowledge
from stanch.services.context import App
from stanch.services.incidents import Recorded, record_as
from stanch.services.people_config import people_config


def page(app: App, incident: str | None, target: str, *, reason: str = "", service: str = "",
         actor: str | None = None, at: str | None = None) -> Recorded:  # fmt: skip
    """Record that someone (or a schedule) was paged by hand."""
    return record_as(app, incident, lambda s, who, moment, now: people.page(
        s, target, reason, who, moment, now, service=service), actor, at)  # fmt: skip


def acknowledge(app: App, incident: str | None, by: str | None = None, *, target: str = "",
                actor: str | None = None, at: str | None = None) -> Recorded:  # fmt: skip
    """Record an acknowledgement (by the actor unless named)."""
    return record_as(app, incident, lambda s, who, moment, now: people.acknowledge(
        s, by or who, who, moment, now, target=target), actor, at)  # fmt: skip


def join(app: App, incident: str | None, who_joined: str | None = None, *,
         role: str = "responder", actor: str | None = None, at: str | None = None) -> Recorded:  # fmt: skip
    """Record that a responder joined (the actor unless named)."""
    return record_as(app, incident, lambda s, who, moment, now: people.join(
        s, who_joined or who, role, who, moment, now), actor, at)  # fmt: skip


def grant(app: App, incident: str | None, person: str, *, reason: str = "", revoke: bool = False,
          actor: str | None = None, at: str | None = None) -> Recorded:  # fmt: skip
    """Name someone on a restricted incident so they may read it (or take that back)."""
    return record_as(app, incident, lambda s, who, moment, now: people.grant(
        s, person, reason, who, moment, now, revoke=revoke), actor, at)  # fmt: skip


@dataclass(frozen=True)
class Team:
    """The response as it stands: roles, pages, acknowledgements, joins, MTTA."""

    incident: Incident
    response: Response
    named: list[str]
    mtta_seconds: int | None
    roster: dict[str, Person]

    def to_dict(self) -> dict[str, object]:
        def moments(items: tuple[people.Moment, ...], key: str) -> list[dict[str, str]]:
            return [{"who": m.who, "at": m.at.isoformat(), key: m.detail} for m in items]

        return {
            "id": self.incident.id,
            "roles": {k: list(v) for k, v in sorted(self.incident.roles.items())},
            "paged": moments(self.response.paged, "service"),
            "acknowledged": moments(self.response.acknowledged, "target"),
            "joined": moments(self.response.joined, "role"),
            "named": self.named,
            "mtta_seconds": self.mtta_seconds,
            "contacts": {n: p.contact for n, p in self.roster.items() if p.contact},
        }


def team(app: App, incident: str | None) -> Team:
    """Who is on the incident and how fast they answered."""
    key = app.resolve_id(incident)
    state = app.store.state(key)
    events = app.store.events(key)
    mtta = time_to_acknowledge(state, events)
    named = people.named_people(state, events)
    roster = people_config(app.settings).roster
    found = {name: person for name in named if (person := roster.find(name)) is not None}
    return Team(state, response_of(events), named,
                None if mtta is None else int(mtta.total_seconds()), found)  # fmt: skip
