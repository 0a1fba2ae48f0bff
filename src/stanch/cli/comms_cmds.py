"""Escalation and communication: owner, escalate, handoff, update, updates, deliver, channel."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from stanch.cli.context import ACTOR_OPTION, INCIDENT_ARG, JSON_OPTION, app_of, console, emit_json
from stanch.errors import InvalidInput
from stanch.model.clock import iso
from stanch.services import channel as channel_service
from stanch.services import escalation, outbox, updates
from stanch.services.context import App
from stanch.services.outbox import Attempt


def _attempts(attempts: list[Attempt]) -> list[dict[str, object]]:
    return [{"provider": a.message.provider, "action": a.message.action,
             "target": a.message.target, "status": a.delivery.status.value,
             "detail": a.delivery.detail} for a in attempts]  # fmt: skip


def _print_attempts(attempts: list[Attempt]) -> None:
    for a in attempts:
        mark = "✓" if a.delivery.status.value == "ok" else "…"
        console.print(f"  {mark} {a.message.provider} {a.message.action} → {a.message.target}: "
                      f"{a.delivery.status.value} ({escape(a.delivery.detail)})")  # fmt: skip


def owner(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="A service name or a repository path.")],
    path: Annotated[bool, typer.Option("--path", help="Treat SUBJECT as a file path.")] = False,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Who owns a service or path (catalog, CODEOWNERS) and how to reach their on-call."""
    from stanch.owners.resolve import resolve

    found = resolve(outbox.config(app_of(ctx)), subject, is_path=path)
    if as_json:
        emit_json(found.to_dict())
        return
    if found.team is None:
        console.print(f"No owner found for {subject} (no catalog entry, CODEOWNERS rule or "
                      "default_team).")  # fmt: skip
        return
    console.print(f"{subject}: [bold]{found.team}[/] (from {found.source})")
    for part in found.sections:  # GitLab CODEOWNERS: what each matching section gave
        name = escape(f"[{part['section']}]") if part["section"] else "(no section)"
        owners = " ".join(map(str, part["owners"])) or "nobody"
        console.print(f"  {name} {escape(str(part['pattern']))}: {escape(owners)}")
    for label, value in (("PagerDuty", found.pagerduty), ("Opsgenie", found.opsgenie_team),
                         ("Slack", found.slack)):  # fmt: skip
        if value:
            console.print(f"  {label}: {value}")
    if not found.configured:
        console.print("  (no \\[comms.teams] entry for this team: paging uses provider defaults)")


def escalate(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    to: Annotated[str | None, typer.Option("--to", help="Team to page (default: owner).")] = None,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why escalate now.")] = "",
    next_step: Annotated[str, typer.Option("--next", help="Next step for the new owner.")] = "",
    hypothesis: Annotated[str, typer.Option("--hypothesis", help="Current hypothesis.")] = "",
    check: Annotated[
        bool, typer.Option("--check", help="Only show triggers that are due.")
    ] = False,
    flag: Annotated[
        str | None,
        typer.Option(
            "--flag", help="Record a trigger: scope, access, no_lever, destructive, foreign_cause."
        ),
    ] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Page the owning on-call with a hand-off snapshot (or --check the triggers)."""
    app = app_of(ctx)
    if flag:
        escalation.flag(app, incident, flag, reason, actor=actor)
    if check or flag:
        state, due = escalation.due_triggers(app, incident)
        if as_json:
            emit_json({"id": state.id, "escalation_due": [t.to_dict() for t in due]})
        elif not due:
            console.print(f"{state.id}: no escalation due.")
        for t in [] if as_json else due:
            console.print(f"escalation due: {t.reason} (since {iso(t.since)})")
        return
    done = escalation.escalate(app, incident, to=to, reason=reason, next_step=next_step,
                               hypothesis=hypothesis, actor=actor)  # fmt: skip
    if as_json:
        emit_json({"id": done.incident.id, "team": done.team, "handoff": done.snapshot.to_dict(),
                   "triggers": [t.to_dict() for t in done.triggers],
                   "queued": len(done.queued), "deliveries": _attempts(done.attempts)})  # fmt: skip
        return
    console.print(f"Escalated {done.incident.id} to [bold]{done.team}[/]")
    console.print(f"  {done.snapshot.text()}")
    if not done.queued:
        console.print(
            "  No pager is configured: reach the team yourself (\\[comms] in stanch.toml)."
        )
    _print_attempts(done.attempts)


def handoff(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    to: Annotated[str, typer.Option("--to", help="The new owner.")] = "",
    next_step: Annotated[str, typer.Option("--next", help="Next step.")] = "",
    hypothesis: Annotated[str, typer.Option("--hypothesis", help="Current hypothesis.")] = "",
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Write a hand-off snapshot to the timeline (and the channel) for a new owner."""
    if not to.strip():
        raise InvalidInput("name the new owner with --to")
    snap, attempts = escalation.handoff_to(app_of(ctx), incident, to, next_step=next_step,
                                           hypothesis=hypothesis, actor=actor)  # fmt: skip
    if as_json:
        emit_json({"handoff": snap.to_dict(), "deliveries": _attempts(attempts)})
        return
    console.print(snap.text())
    _print_attempts(attempts)


def update(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    did: Annotated[str, typer.Option("--did", help="What we just did.")] = "",
    next_step: Annotated[str, typer.Option("--next", help="What we do next.")] = "",
    message: Annotated[str, typer.Option("--message", help="Public message (plain).")] = "",
    eta: Annotated[str, typer.Option("--eta", help="Public ETA in words.")] = "",
    title: Annotated[str, typer.Option("--title", help="Public incident title.")] = "",
    audience: Annotated[str, typer.Option(help="internal, public or both.")] = "internal",
    post: Annotated[bool, typer.Option("--post", help="Record and send (default: draft).")] = False,
    text: Annotated[str | None, typer.Option("--text", help="Edited internal text.")] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Compose an update from the events; --post records and sends it."""
    app = app_of(ctx)
    draft = updates.compose(app, incident, did=did, next_step=next_step, message=message,
                            eta=eta, title=title)  # fmt: skip
    result: dict[str, object] = {"id": draft.incident.id, "internal": text or draft.internal,
                                 "public": draft.public.to_dict(),
                                 "public_text": draft.public.text(), "posted": post}  # fmt: skip
    attempts: list[Attempt] = []
    if post:
        events, attempts = updates.post(app, draft, audience=audience, text=text, actor=actor)
        result["seq"] = [e.seq for e in events]
        result["deliveries"] = _attempts(attempts)
    if as_json:
        emit_json(result)
        return
    console.print("[bold]Internal[/]\n" + str(result["internal"]))
    console.print("[bold]Public[/]\n" + draft.public.text())
    if not post:
        console.print("(draft: edit with --did/--next/--message/--text, send with --post)")
    else:
        console.print(f"Posted ({audience}).")
        _print_attempts(attempts)


def updates_(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """What is owed now: updates due or overdue, escalation due, deliveries pending."""
    found = updates.agenda(app_of(ctx), incident)
    if as_json:
        emit_json(found.to_dict())
        return
    now = found.now
    for due in found.owed:
        state = "[bold red]OVERDUE[/]" if due.overdue(now) else "due"
        console.print(f"{due.audience} update {state} at {iso(due.due_at)} ({due.reason})")
    if not found.owed:
        console.print("No update owed.")
    for t in found.triggers:
        console.print(f"escalation due: {t.reason} (since {iso(t.since)})")
    for m in found.outbox.pending:
        console.print(f"delivery pending: {m.provider} {m.action} → {m.target}"
                      + (f" ({m.attempts} attempt(s), last error: {escape(m.last_error)})"
                         if m.attempts else ""))  # fmt: skip
    for m in found.outbox.abandoned:
        console.print(f"[bold red]delivery failed[/]: {m.provider} {m.action} → {m.target}: "
                      f"{escape(m.last_error)}")  # fmt: skip


def deliver(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every incident (for cron).")] = False,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Send the notifications still waiting in the outbox (due ones, in order)."""
    app = app_of(ctx)
    keys = [i.id for i in app.store.incidents(open_only=False)] if all_ else [
        app.resolve_id(incident)]  # fmt: skip
    report: list[dict[str, object]] = []
    for key in keys:
        escalation.resolve_pages(app, key, app.settings.actor)
        if not outbox.state(app, key).pending:
            continue
        attempts = outbox.deliver(app, key)
        report.append({"id": key, "deliveries": _attempts(attempts),
                       "pending": len(outbox.state(app, key).pending)})  # fmt: skip
        if not as_json:
            _print_attempts(attempts)
    if as_json:
        emit_json(report if all_ else (report[0] if report else {"id": keys[0],
                                                                  "deliveries": [], "pending": 0}))  # fmt: skip
    elif not any(r["deliveries"] for r in report):
        console.print("Nothing to deliver now.")


def channel(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    invite: Annotated[list[str] | None, typer.Option("--invite", help="Slack user id.")] = None,
    private: Annotated[bool, typer.Option("--private")] = False,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Create the incident's Slack channel, set its topic, invite, post the declaration."""
    state, attempts = channel_service.open_channel(app_of(ctx), incident, invite=invite,
                                                   private=private, actor=actor)  # fmt: skip
    if as_json:
        emit_json({"id": state.id, "channel": state.channel, "deliveries": _attempts(attempts)})
        return
    console.print(f"#{state.channel}")
    _print_attempts(attempts)


def status_page(ctx: typer.Context) -> None:
    """Rewrite the built-in public status page (HTML + JSON) from the public updates."""
    directory = updates.publish(app_of(ctx))
    console.print(f"Wrote {directory}/index.html and status.json")


def show_notices(app: App, incident_id: str) -> list[str]:
    """For `stanch show`: next update due or overdue, escalation due, delivery pending."""
    try:
        found = updates.agenda(app, incident_id)
    except InvalidInput as exc:  # a broken [comms] table must not hide the incident
        return [f"comms: {exc.message}"]
    lines = [
        f"{d.audience} update {'OVERDUE since' if d.overdue(found.now) else 'due at'} "
        f"{iso(d.due_at)} ({d.reason})"
        for d in found.owed
    ]
    lines += [f"escalation due: {t.reason} (since {iso(t.since)})" for t in found.triggers]
    lines += [f"delivery pending: {m.provider} {m.action} → {m.target}"
              for m in found.outbox.pending]  # fmt: skip
    lines += [f"delivery failed: {m.provider} {m.action} → {m.target}: {m.last_error}"
              for m in found.outbox.abandoned]  # fmt: skip
    return lines


def register(app: typer.Typer) -> None:
    for command in (owner, escalate, handoff, update, deliver, channel):
        app.command()(command)
    app.command("updates")(updates_)
    app.command("status-page")(status_page)
