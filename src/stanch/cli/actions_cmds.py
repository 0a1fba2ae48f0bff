"""`stanch actions …`: action items across incidents, and the overdue escalation tick."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from stanch.cli.context import ACTOR_OPTION, JSON_OPTION, app_of, console, emit_json
from stanch.errors import InvalidInput
from stanch.model.actions import ActionItem
from stanch.model.clock import human_duration, iso
from stanch.postmortem.trackers import from_settings, private_from_settings
from stanch.services import action_sync
from stanch.services import actions as service

actions_app = typer.Typer(
    help="Action items across incidents: list, add, done, escalate overdue ones.",
    invoke_without_command=True,
    rich_markup_mode=None,
)


def _table(found: list[ActionItem], now_text: str, late: dict[str, str]) -> Table:
    table = Table(title=f"Action items (as of {now_text})", title_justify="left", expand=True)
    for column in ("Item", "Pri", "Owner", "Due", "Status", "Action"):
        table.add_column(column, overflow="fold")
    for item in found:
        status = "done" if not item.is_open else late.get(item.ref, "open")
        table.add_row(item.ref, item.priority, item.owner, iso(item.due), status, item.text)
    return table


@actions_app.callback()
def actions(
    ctx: typer.Context,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue items.")] = False,
    owner: Annotated[str | None, typer.Option(help="Only this owner's items.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include done items.")] = False,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """List open action items across all incidents (soonest due first)."""
    if ctx.invoked_subcommand is not None:
        return
    app = app_of(ctx)
    now = app.clock()
    found = service.all_items(app, owner=owner, overdue=overdue, include_done=all_, now=now)
    if as_json:
        emit_json([item.to_dict(now) for item in found])
        return
    late = {
        i.ref: f"OVERDUE {human_duration(d)}" for i in found if (d := i.overdue_by(now)) is not None
    }
    console.print(_table(found, iso(now), late) if found else "No action items match.")


@actions_app.command("add")
def add(
    ctx: typer.Context,
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    text: Annotated[str, typer.Argument(help="Concrete, testable change.")],
    owner: Annotated[str, typer.Option(help="Who owns it.")],
    priority: Annotated[str, typer.Option(help="P0–P3.")] = "P1",
    due: Annotated[
        str | None, typer.Option(help="2026-12-01, ISO time or '14d'; default by priority.")
    ] = None,
    type_: Annotated[
        str, typer.Option("--type", help="mitigate, prevent, process, other.")
    ] = "prevent",
    kind: Annotated[
        str, typer.Option(help="guardrail, alert, test, rollback, automation, fix, docs, other.")
    ] = "fix",
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Add an owned, dated action item (vague ones such as 'be more careful' are refused)."""
    app = app_of(ctx)
    spec = service.NewItem(text, owner, priority, due, type_, kind)
    item = service.add(app, incident, spec, actor=actor)
    if as_json:
        emit_json(item.to_dict(app.clock()))
    else:
        console.print(f"Added {item.ref} for {item.owner}, due {iso(item.due)}")


@actions_app.command("done")
def done(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(help="<incident-id>#A2, or A2 with --incident.")],
    incident: Annotated[str | None, typer.Option("--incident", "-i")] = None,
    note: Annotated[str, typer.Option(help="How it was done (link, PR …).")] = "",
    actor: Annotated[str | None, ACTOR_OPTION] = None,
) -> None:
    """Mark an action item done."""
    found = service.done(app_of(ctx), item, incident, note, actor=actor)
    console.print(f"{found.ref} done")


@actions_app.command("escalate")
def escalate(
    ctx: typer.Context,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Escalate overdue items once per level: owner at the due date, then their lead."""
    steps = service.escalate_overdue(app_of(ctx))
    if as_json:
        emit_json([{"item": s.item.ref, "level": s.level, "to": s.to,
                    "overdue_s": int(s.overdue.total_seconds()), "statement": s.statement()}
                   for s in steps])  # fmt: skip
        return
    for step in steps:
        console.print(step.statement(), markup=False)
    if not steps:
        console.print("Nothing to escalate.")


@actions_app.command("sync")
def sync(
    ctx: typer.Context,
    incident: Annotated[str | None, typer.Option("--incident", "-i")] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Open a tracker issue (GitHub or GitLab) for each open action item not yet tracked."""
    app = app_of(ctx)
    raw = app.settings.raw
    results = action_sync.sync(app, from_settings(raw), incident,
                               private=private_from_settings(raw))  # fmt: skip
    failed = [r for _, r in results if r.status not in ("ok", "private", "busy")]
    if as_json:
        emit_json([{"item": i.ref, "status": r.status, "url": r.url, "message": r.message}
                   for i, r in results])  # fmt: skip
    else:
        for item, result in results:
            console.print(f"{item.ref}: {result.url or result.message}", markup=False)
        if not results:
            console.print("Every open action item is already tracked.")
    if failed:
        raise InvalidInput(
            f"{len(failed)} of {len(results)} items were not synced: {failed[0].message}"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(actions_app, name="actions")
