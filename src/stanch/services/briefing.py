"""Brief the stakeholders: compose, send to those who may read the incident, record."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from stanch.model.briefing import Briefing, briefed, briefing_due, briefing_text
from stanch.model.people import Person, may_read
from stanch.model.types import type_of
from stanch.services.context import App, record
from stanch.services.incidents import Recorded
from stanch.services.people_config import PeopleConfig, people_config


class SendStatus(enum.StrEnum):
    OK = "ok"
    ERROR = "error"
    NO_RECIPIENTS = "no_recipients"


@dataclass(frozen=True)
class SendResult:
    status: SendStatus
    channel: str
    detail: str = ""


class BriefingSender(Protocol):
    """A way to reach stakeholders directly (e-mail, chat DM …)."""

    name: str

    def send(self, recipients: Sequence[Person], text: str) -> SendResult: ...


@dataclass(frozen=True)
class Briefed:
    recorded: Recorded
    text: str
    recipients: tuple[Person, ...]
    withheld: tuple[Person, ...]  # stakeholders who may not read a restricted incident
    sent: SendResult | None


def recipients(
    app: App, config: PeopleConfig, incident_id: str
) -> tuple[list[Person], list[Person]]:
    """Stakeholder-team members, split into who may read this incident and who may not."""
    state = app.store.state(incident_id)
    team = [p for t in config.stakeholder_teams for p in config.roster.team(t)]
    if not config.rules[type_of(state)].restricted:
        return team, []
    events = app.store.events(incident_id)
    allowed = [
        p for p in team
        if may_read(p.name, state, events, config.roster, config.readers, config.reader_teams)
    ]  # fmt: skip
    return allowed, [p for p in team if p not in allowed]


def brief(app: App, incident: str | None, business_impact: str, eta: str,
          decisions: Sequence[str] = (), *, sender: BriefingSender | None = None,
          actor: str | None = None) -> Briefed:  # fmt: skip
    """Compose and record a stakeholder briefing; send it when a sender is given."""
    key = app.resolve_id(incident)
    config = people_config(app.settings)
    now = app.clock()
    state = app.store.state(key)
    content = Briefing(business_impact, eta, tuple(decisions), now + config.briefing_cadence)
    text = briefing_text(state, content, app.settings.severity_scheme)
    allowed, withheld = recipients(app, config, key)
    sent: SendResult | None = None
    if sender is not None:
        sent = (sender.send(allowed, text) if allowed else
                SendResult(SendStatus.NO_RECIPIENTS, sender.name))  # fmt: skip
    channels = [sender.name] if sent and sent.status is SendStatus.OK and sender else []
    names = [p.name for p in allowed]
    who = actor or app.settings.actor
    event, new = record(app, key, lambda s: briefed(s, content, text, names, channels, who, now))
    return Briefed(Recorded(new, event, app.files.path(key)), text, tuple(allowed),
                   tuple(withheld), sent)  # fmt: skip


def due(app: App, incident: str | None) -> datetime | None:
    """When the next direct stakeholder briefing is due, or None."""
    key = app.resolve_id(incident)
    config = people_config(app.settings)
    return briefing_due(app.store.state(key), app.store.events(key), app.clock(),
                        cadence=config.briefing_cadence, direct=config.briefing_direct)  # fmt: skip
