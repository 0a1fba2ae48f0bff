"""Declare an incident and record what happens to it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from stanch.errors import Conflict, InvalidInput
from stanch.model import decide
from stanch.model.clock import iso
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Impact, Incident
from stanch.model.naming import channel_name, incident_id, slugify
from stanch.model.severity import Severity
from stanch.model.status import Status
from stanch.model.timeparse import parse_when
from stanch.model.types import IncidentType, blast_radius_problem
from stanch.services import recurrence
from stanch.services.context import App, record
from stanch.services.people_config import people_config

# Checks run before every status move, from any door: (app, id, target, override reason).
# A guard raises GuardRefused, or records the override it accepted. Capabilities append theirs.
StatusGuard = Callable[[App, str, Status, str], None]
STATUS_GUARDS: list[StatusGuard] = []
# Kinds a guard records itself (an accepted override); any other event that lands while
# the guards run means they judged a stale incident, and they run again.
GUARD_KINDS: set[str] = set()
_GUARD_ATTEMPTS = 5
# What follows a recorded move, from any door: (app, id, the new status, actor). A
# follow-up records its own events; its failure never undoes the move it follows.
StatusFollowUp = Callable[[App, str, Status, str], None]
STATUS_FOLLOWUPS: list[StatusFollowUp] = []


class _Changed(Conflict):
    pass


@dataclass(frozen=True)
class Recorded:
    """What a writing command reports back."""

    incident: Incident
    event: Event
    path: Path


def when(app: App, text: str | None, now: datetime) -> datetime:
    """`--at` text (or now) as UTC."""
    return now if not text else parse_when(text, now)


def _split(values: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    out: list[str] = []
    for value in values or ():
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return tuple(dict.fromkeys(out))


def typed_severity(app: App, incident_type: str | None, severity: str | None,
                   regions: tuple[str, ...], tenants: tuple[str, ...]) -> tuple[IncidentType, Severity]:  # fmt: skip
    """The type (outage unless named), its severity (given, or the type's default)."""
    kind = IncidentType.parse(incident_type) if incident_type else IncidentType.OUTAGE
    rules = people_config(app.settings).rules
    if not severity and incident_type is None:
        raise InvalidInput("name a severity (--severity) or a type with a default (--type)")
    problem = blast_radius_problem(kind, regions, tenants, rules)
    if problem:
        raise InvalidInput(problem)
    return kind, Severity.parse(severity) if severity else rules[kind].severity


def declare(
    app: App,
    symptom: str,
    *,
    severity: str | None,
    impact: str = "",
    percent: float | None = None,
    regions: list[str] | None = None,
    tenants: list[str] | None = None,
    started: str | None = None,
    detected: str | None = None,
    services: list[str] | None = None,
    customer_visible: bool = False,
    commander: str | None = None,
    scribe: str | None = None,
    comms_lead: str | None = None,
    slug: str | None = None,
    actor: str | None = None,
    at: str | None = None,
    incident_type: str | None = None,
) -> Recorded:
    """Frame an incident in one call: id, timeline file, channel name."""
    kind, sev = typed_severity(app, incident_type, severity, _split(regions), _split(tenants))
    now = app.clock()
    declared = when(app, at, now)
    who = actor or app.settings.actor
    roles: dict[str, tuple[str, ...]] = {
        "commander": (commander or who,),
        "scribe": (scribe,) if scribe else (),
        "comms_lead": (comms_lead,) if comms_lead else (),
    }
    blast = Impact.from_text(
        impact, percent=percent, regions=_split(regions), tenants=_split(tenants)
    )
    base_slug = slugify(slug or symptom)
    onset = parse_when(started, now) if started else None
    seen = parse_when(detected, now) if detected else None
    app.files.preflight()

    def make(new_id: str) -> NewEvent:
        channel = channel_for(app, kind, new_id, base_slug, declared)
        declaration = decide.Declaration(
            symptom=symptom, severity=sev, impact=blast, slug=base_slug, channel=channel,
            onset_at=onset, detected_at=seen, services=_split(services),
            customer_visible=customer_visible, roles=roles, type=kind.value,
        )  # fmt: skip
        return decide.declare(declaration, who, declared, now)

    event, state = app.store.create(incident_id(declared, base_slug), make)
    path = app.files.regenerate(state.id, app.source(state.id))
    state = recurrence.at_declaration(app, state)  # a repeat of a past incident is flagged
    return Recorded(state, event, path)


def channel_for(app: App, kind: IncidentType, new_id: str, slug: str, declared: datetime) -> str:
    """The chat channel of a new incident; a restricted one's spells nothing of it."""
    if people_config(app.settings).rules[kind].outbound_detail:
        return channel_name(app.settings.channel_pattern, new_id, slug, declared)
    digest = hashlib.sha256(new_id.encode()).hexdigest()[:8]  # a channel name is outbound
    return f"inc-{declared:%Y-%m-%d}-{kind.value.replace('_', '-')}-{digest}"


# A decision as a use case makes it: (state, actor, when it happened, when recorded).
Decision = Callable[[Incident, str, datetime, datetime], NewEvent]


def record_as(app: App, incident: str | None, decision: Decision, actor: str | None,
              at: str | None) -> Recorded:  # fmt: skip
    """Resolve the id, take the actor and `--at`, record one decision: most use cases."""
    key = app.resolve_id(incident)
    now = app.clock()
    moment = when(app, at, now)
    who = actor or app.settings.actor
    event, state = record(app, key, lambda s: decision(s, who, moment, now))
    return Recorded(state, event, app.files.path(key))


def log(app: App, incident: str | None, text: str, *, actor: str | None = None,
        at: str | None = None) -> Recorded:  # fmt: skip
    """A free-text action or note on the timeline."""
    return record_as(app, incident, lambda s, who, moment, now: decide.note(
        s, text, who, moment, now), actor, at)  # fmt: skip


def set_status(app: App, incident: str | None, target: str, reason: str = "", *,
               actor: str | None = None, at: str | None = None,
               override: str = "") -> Recorded:  # fmt: skip
    """Move the incident in the status machine; guards may refuse unless overridden.

    The move is recorded only if nothing but the guards' own events landed since they
    read the incident (a sample arriving mid-check sends them round again).
    """
    key = app.resolve_id(incident)
    status = Status.parse(target)
    for _ in range(_GUARD_ATTEMPTS):
        judged = _run_guards(app, key, status, override)
        now = app.clock()
        moment = when(app, at, now)
        who = actor or app.settings.actor

        def move(s: Incident, judged: int = judged, now: datetime = now,
                 moment: datetime = moment, who: str = who) -> NewEvent:  # fmt: skip
            if s.last_seq != judged:
                raise _Changed(f"{key} changed while its guards ran")
            return decide.change_status(s, status, reason, who, moment, now)

        try:
            event, _ = record(app, key, move)
        except _Changed:
            continue
        for follow_up in list(STATUS_FOLLOWUPS):
            follow_up(app, key, status, who)
        return Recorded(app.store.state(key), event, app.files.path(key))
    raise Conflict(f"{key} kept changing while its status guards ran; try again")


def _run_guards(app: App, key: str, status: Status, override: str) -> int:
    """Run every guard; the last seq they judged (-1 when others wrote meanwhile)."""
    before = app.store.state(key).last_seq
    for guard in list(STATUS_GUARDS):
        guard(app, key, status, override)
    after = app.store.state(key).last_seq
    if after == before:
        return after
    landed = [e for e in app.store.iter_events(key) if e.seq > before]
    return after if all(e.kind in GUARD_KINDS for e in landed) else -1


def set_severity(app: App, incident: str | None, target: str, reason: str = "", *,
                 actor: str | None = None, at: str | None = None) -> Recorded:  # fmt: skip
    """Raise or lower the severity."""
    sev = Severity.parse(target)
    return record_as(app, incident, lambda s, who, moment, now: decide.change_severity(
        s, sev, reason, who, moment, now), actor, at)  # fmt: skip


def assign(app: App, incident: str | None, role: str, people: list[str], *, add: bool = False,
           actor: str | None = None, at: str | None = None) -> Recorded:  # fmt: skip
    """Give a role to one or more people."""
    names = _split(people)
    role_key = role.strip().lower().replace("-", "_")
    return record_as(app, incident, lambda s, who, moment, now: decide.assign(
        s, role_key, names, who, moment, now, add=add), actor, at)  # fmt: skip


def set_section(app: App, incident: str | None, key: str, title: str, markdown: str, *,
                summary: str = "", actor: str | None = None, at: str | None = None) -> Recorded:  # fmt: skip
    """Set a named Markdown section of the incident file (postmortem, updates …)."""
    return record_as(app, incident, lambda s, who, moment, now: decide.set_section(
        s, key, title, markdown, who, moment, now, summary=summary), actor, at)  # fmt: skip


def amend(
    app: App,
    incident: str | None,
    *,
    reason: str = "",
    symptom: str | None = None,
    impact: str | None = None,
    percent: float | None = None,
    regions: list[str] | None = None,
    tenants: list[str] | None = None,
    started: str | None = None,
    detected: str | None = None,
    services: list[str] | None = None,
    customer_visible: bool | None = None,
    actor: str | None = None,
    at: str | None = None,
) -> Recorded:
    """Correct framing facts as a new event; the earlier values stay in the record."""
    key = app.resolve_id(incident)
    now = app.clock()
    moment = when(app, at, now)
    who = actor or app.settings.actor
    changes: dict[str, object] = {}
    if symptom is not None:
        changes["symptom"] = decide.checked_text(symptom, "symptom")
    if started:
        changes["onset_at"] = iso(parse_when(started, now))
    if detected:
        changes["detected_at"] = iso(parse_when(detected, now))
    if services is not None:
        changes["services"] = list(_split(services))
    if customer_visible is not None:
        changes["customer_visible"] = customer_visible

    def decision(state: Incident) -> NewEvent:
        if impact is not None or percent is not None or regions or tenants:
            old = state.impact
            changes["impact"] = Impact.from_text(
                old.text if impact is None else impact,
                percent=percent
                if percent is not None
                else (old.percent if impact is None else None),
                regions=_split(regions) or old.regions,
                tenants=_split(tenants) or old.tenants,
            ).to_dict()
        return decide.amend(state, changes, reason, who, moment, now)

    event, state = record(app, key, decision)
    return Recorded(state, event, app.files.path(key))
