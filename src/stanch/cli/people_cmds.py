"""The people around the incident: page, ack, join, team, roster, access, briefing, meeting."""

from __future__ import annotations

from typing import Annotated

import typer

from stanch.cli.context import ACTOR_OPTION, AT_OPTION, JSON_OPTION, app_of, console, emit_json
from stanch.model.clock import human_duration, iso
from stanch.model.timeparse import parse_when
from stanch.services import access, briefing, meeting, people, timebox
from stanch.services import briefing_send as direct
from stanch.services.incidents import Recorded
from stanch.services.people_config import people_config

INCIDENT_OPTION = typer.Option("--incident", "-i", help="Incident id.")
access_app = typer.Typer(help="Who may read a restricted incident.", no_args_is_help=True,
                         rich_markup_mode=None)  # fmt: skip
briefing_app = typer.Typer(help="Stakeholder briefings (leadership, customer-facing teams).",
                           no_args_is_help=True, rich_markup_mode=None)  # fmt: skip
meeting_app = typer.Typer(help="The postmortem meeting.", no_args_is_help=True,
                          rich_markup_mode=None)  # fmt: skip


def _done(done: Recorded, as_json: bool) -> None:
    if as_json:
        emit_json({"id": done.incident.id, "seq": done.event.seq, "kind": done.event.kind,
                   "data": done.event.data})  # fmt: skip
    else:
        console.print(f"{done.incident.id} #{done.event.seq}: {done.event.data.get('summary', '')}",
                      markup=False)  # fmt: skip


def page(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="Person, team or schedule paged.")],
    reason: Annotated[str, typer.Option("--reason", "-r")] = "",
    service: Annotated[str, typer.Option(help="Service the page was for.")] = "",
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    at: Annotated[str | None, AT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Record that someone was paged (pager providers record the same event)."""
    _done(people.page(app_of(ctx), incident, target, reason=reason, service=service,
                      actor=actor, at=at), as_json)  # fmt: skip


def ack(
    ctx: typer.Context,
    who: Annotated[str | None, typer.Argument(help="Who acknowledged (default: you).")] = None,
    target: Annotated[str, typer.Option(help="The page target acknowledged for.")] = "",
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    at: Annotated[str | None, AT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Record a page acknowledgement (feeds MTTA)."""
    _done(people.acknowledge(app_of(ctx), incident, who, target=target, actor=actor, at=at),
          as_json)  # fmt: skip


def join(
    ctx: typer.Context,
    who: Annotated[str | None, typer.Argument(help="Who joined (default: you).")] = None,
    role: Annotated[
        str, typer.Option(help="commander, scribe, comms_lead, responder.")
    ] = "responder",
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    at: Annotated[str | None, AT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Record that a responder joined the response."""
    _done(people.join(app_of(ctx), incident, who, role=role, actor=actor, at=at), as_json)


def team(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Who is on the incident: roles, paged, acknowledged, joined, and MTTA."""
    found = people.team(app_of(ctx), incident)
    if as_json:
        emit_json(found.to_dict())
        return
    console.print(f"[bold]{found.incident.id}[/]")
    for role, names in sorted(found.incident.roles.items()):
        console.print(f"  {role}: {', '.join(names)}", markup=False)
    for label, items in (("paged", found.response.paged),
                         ("acknowledged", found.response.acknowledged),
                         ("joined", found.response.joined)):  # fmt: skip
        for moment in items:
            console.print(f"  {label}: {moment.who} at {iso(moment.at)}", markup=False)
    mtta = found.mtta_seconds
    console.print(f"  MTTA: {'—' if mtta is None else f'{mtta} s'}")


def roster(ctx: typer.Context, as_json: Annotated[bool, JSON_OPTION] = False) -> None:
    """The roster from stanch.toml: name, handle, team, contact."""
    entries = people_config(app_of(ctx).settings).roster.people
    if as_json:
        emit_json([{"name": p.name, "handle": p.handle, "team": p.team, "contact": p.contact}
                   for p in entries])  # fmt: skip
        return
    if not entries:
        console.print("No roster: add [[people.roster]] entries to stanch.toml.", markup=False)
    for p in entries:
        console.print(f"{p.name}  {p.handle or '—'}  {p.team or '—'}  {p.contact or '—'}",
                      markup=False)  # fmt: skip


@access_app.command("grant")
def access_grant(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who may read the incident.")],
    reason: Annotated[str, typer.Option("--reason", "-r")] = "",
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Name someone on a restricted incident so they may read it."""
    _done(people.grant(app_of(ctx), incident, person, reason=reason, actor=actor), as_json)


@access_app.command("revoke")
def access_revoke(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Whose access to take back.")],
    reason: Annotated[str, typer.Option("--reason", "-r")] = "",
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Take back a grant on a restricted incident."""
    _done(people.grant(app_of(ctx), incident, person, reason=reason, revoke=True, actor=actor),
          as_json)  # fmt: skip


@access_app.command("whoami")
def access_whoami(ctx: typer.Context, as_json: Annotated[bool, JSON_OPTION] = False) -> None:
    """The identity incidents are shown to (STANCH_ACTOR or the settings' actor)."""
    who = access.viewer_of(app_of(ctx))
    emit_json({"viewer": who}) if as_json else console.print(who, markup=False)


@briefing_app.command("send")
def briefing_send(
    ctx: typer.Context,
    business_impact: Annotated[
        str, typer.Option("--business-impact", "-b", help="What it costs the business.")
    ],
    eta: Annotated[str, typer.Option(help="Expected time to mitigation, or 'unknown'.")],
    decision: Annotated[
        list[str] | None, typer.Option("--decision", "-d", help="A decision needed from them.")
    ] = None,
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Brief leadership and customer-facing teams: business impact, ETA, decisions needed."""
    app = app_of(ctx)
    key = app.resolve_id(incident)
    sender = direct.sender_for(app, key, actor or app.settings.actor)
    done = briefing.brief(app, key, business_impact, eta, decision or (), sender=sender,
                          actor=actor)  # fmt: skip
    if as_json:
        emit_json({"id": done.recorded.incident.id, "seq": done.recorded.event.seq,
                   "text": done.text, "recipients": [p.name for p in done.recipients],
                   "withheld": [p.name for p in done.withheld]})  # fmt: skip
        return
    console.print(done.text, markup=False)
    names = ", ".join(p.name for p in done.recipients) or "nobody in the stakeholder teams"
    console.print(f"Recipients: {names}", markup=False)
    if done.sent is None:
        console.print(
            "Recorded only: no direct channel ([comms.webhook]) is configured.", markup=False
        )


@briefing_app.command("due")
def briefing_due(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """When the next direct stakeholder briefing is due (SEV1 by default)."""
    app = app_of(ctx)
    due = briefing.due(app, incident)
    overdue = due is not None and due <= app.clock()
    if as_json:
        emit_json({"due": iso(due) if due else None, "overdue": overdue})
    elif due is None:
        console.print("No direct briefing owed at this severity.")
    else:
        console.print(f"Next briefing due {iso(due)}" + (" — overdue" if overdue else ""))


@meeting_app.command("propose")
def meeting_propose(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option(help="Start instead of the proposed slot.")] = None,
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Propose the postmortem meeting within 48 h of resolution: writes an .ics invite."""
    app = app_of(ctx)
    begin = parse_when(start, app.clock(), allow_future=True) if start else None
    done = meeting.propose(app, incident, start=begin, actor=actor)
    invite = done.invite
    if as_json:
        emit_json({"id": invite.incident_id, "start": iso(invite.start), "end": iso(invite.end),
                   "file": done.result.location, "attendees": [
                       {"name": a.name, "email": a.email} for a in invite.attendees]})  # fmt: skip
        return
    console.print(f"Postmortem meeting {iso(invite.start)} – {iso(invite.end)}: "
                  f"{done.result.location}", markup=False)  # fmt: skip
    missing = [a.name for a in invite.attendees if not a.email]
    if missing:
        console.print(f"No e-mail in the roster for: {', '.join(missing)}", markup=False)


def timebox_cmd(
    ctx: typer.Context,
    lever: Annotated[
        list[str] | None, typer.Option("--lever", help="A known unused lever.")
    ] = None,
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Remind to mitigate first when diagnosis has run past the time-box."""
    found = timebox.check(app_of(ctx), incident, levers=lever or ())
    reminder = found.reminder
    if as_json:
        emit_json({"id": found.incident_id, "reminder": reminder.text if reminder else None,
                   "levers": list(reminder.levers) if reminder else [],
                   "elapsed_s": int(reminder.elapsed.total_seconds()) if reminder else None})  # fmt: skip
    elif reminder is None:
        console.print("No reminder: within the time-box, already mitigating, or no lever.")
    else:
        console.print(
            f"Time-box ({human_duration(reminder.elapsed)}): {reminder.text}", markup=False
        )


def register(app: typer.Typer) -> None:
    for command in (page, ack, join, team, roster):
        app.command()(command)
    app.command("timebox")(timebox_cmd)
    app.add_typer(access_app, name="access")
    app.add_typer(briefing_app, name="briefing")
    app.add_typer(meeting_app, name="meeting")
