"""`stanch levers` (find the control surface) and `stanch mitigate` (pull one lever safely)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.progress import Progress

from stanch.cli.context import ACTOR_OPTION, JSON_OPTION, app_of, console, emit_json, err_console
from stanch.errors import InvalidInput
from stanch.levers.discover import Progress as ProgressFn
from stanch.model.levers import SURFACE_KINDS, Action
from stanch.services import levers as service
from stanch.services.context import App

REPO_OPTION = typer.Option("--repo", help="Repository to scan (default: [levers] repo or .).")


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressFn | None]:
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("scanning", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def levers(
    ctx: typer.Context,
    repo: Annotated[str | None, REPO_OPTION] = None,
    incident: Annotated[
        str | None, typer.Option("--incident", help="Rank by this incident's onset.")
    ] = None,
    live: Annotated[
        bool | None,
        typer.Option(
            "--live/--no-live",
            help="Read the cluster and flag services too (default: as [levers.live] says).",
        ),
    ] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Find how this system is deployed and switched, and rank the reversible levers."""
    app = app_of(ctx)
    with _progress(not as_json) as progress:
        found = service.scan(app, repo, incident, progress, live)
    if as_json:
        emit_json(found.to_dict())
        return
    _print_surfaces(found)
    _print_levers(found)
    _print_notes(found)


def _print_notes(found: service.Scan) -> None:
    if found.live is None and not found.notes:
        return
    lines = [""]
    if found.live is not None:
        lines.append(f"Live sources read: {', '.join(found.live.sources) or 'none'}")
    else:
        lines.append("Notes:")
    lines.extend(f"  note: {note}" for note in found.notes)
    if found.live is None:
        console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)
        return
    lines.extend(f"  {item}" for item in found.live.drift)
    for flag in found.live.flags:
        state = flag.to_dict()
        lines.append(f"  flag {flag.provider} {flag.key} in {flag.environment}: "
                     f"{'on' if flag.on else 'off'} ({flag.change} at {state['changed_at'] or '?'})")  # fmt: skip
    console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)


def _summary(item: dict[str, Any]) -> str:
    skip = {"kind", "path", "name"}
    parts = []
    for key, value in item.items():
        if key in skip or value in (None, "", [], {}, False):
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            parts.append(f"{key}=" + ", ".join(str(v.get("key", v.get("name", v))) for v in value))
        else:
            parts.append(f"{key}={value}")
    return "; ".join(parts)


def _print_surfaces(found: service.Scan) -> None:
    lines = [f"Control surface of {found.discovery.root} ({found.discovery.files} files)"]
    # the documented kinds, each said even when none was found, then any switches found
    extra = sorted({s.kind for s in found.discovery.surfaces} - set(SURFACE_KINDS))
    for kind in (*SURFACE_KINDS, *extra):
        items = [s.to_dict() for s in found.discovery.of(kind)]
        if not items:
            lines.append(f"  {kind}: none found")
        for item in items:
            details = _summary(item)
            lines.append(f"  {kind}: {item['name']} ({item['path']})" +
                         (f" — {details}" if details else ""))  # fmt: skip
    console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)


def _print_levers(found: service.Scan) -> None:
    if not found.levers:
        console.print("No levers found: escalate to the owning team (no way back is known).")
        return
    lines = ["", "Levers, fastest reversible first:"]
    for lever in found.levers:
        back = lever.rollback.text() if lever.rollback else "NONE (the guard will refuse it)"
        flags = ", ".join(
            x
            for x in (
                "destructive" if lever.destructive else "",
                "irreversible" if not lever.reversible else "",
            )
            if x
        )
        lines.append(f"{lever.rank:>3}. {lever.id}  [{lever.kind}{', ' + flags if flags else ''}]")
        for step in lever.prelude:
            lines.append(f"       first:    {step.text()}")
        lines.append(f"       run:      {lever.command.text()}")
        lines.append(f"       rollback: {back}")
        lines.append(f"       why:      {lever.reason}")
    lines.append("Plan one with `stanch mitigate ID LEVER` (a dry run), then add --apply.")
    console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)


def mitigate(
    ctx: typer.Context,
    incident: Annotated[str, typer.Argument(help="Incident id.")],
    lever: Annotated[
        str | None, typer.Argument(help="Lever id or rank from `stanch levers`.")
    ] = None,
    apply: Annotated[bool, typer.Option("--apply", help="Run it (default: dry run).")] = False,
    undo: Annotated[bool, typer.Option("--undo", help="Run the recorded rollback.")] = False,
    approve: Annotated[
        bool, typer.Option("--approve", help="Approve a destructive lever as a second responder.")
    ] = False,
    confirmed: Annotated[
        str | None, typer.Option("--confirmed", help="Evidence that the applied lever worked.")
    ] = None,
    confirm_destructive: Annotated[
        bool, typer.Option("--confirm-destructive", help="Allow a destructive lever.")
    ] = False,
    typed: Annotated[
        str | None, typer.Option("--typed", help="Typed confirmation: the lever's target.")
    ] = None,
    repo: Annotated[str | None, REPO_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Plan (dry run), apply, approve, confirm or undo one lever under the guard."""
    app = app_of(ctx)
    chosen = sum([apply, undo, approve, confirmed is not None])
    if chosen > 1:
        raise InvalidInput("choose one of --apply, --undo, --approve, --confirmed")
    if undo:
        done = service.undo(app, incident, lever, actor=actor)
        _out(as_json, done.data, f"Undone: {Action.from_json(done.data['command']).text()}")
    elif confirmed is not None:
        state = service.confirm(app, incident, lever, by=actor or app.settings.actor,
                                evidence=confirmed)  # fmt: skip
        _out(as_json, {"incident": state.id, "status": state.status.value},
             f"Confirmed; {state.id} is {state.status.value}.")  # fmt: skip
    elif lever is None:
        raise InvalidInput("name a lever (see `stanch levers`)")
    elif approve:
        service.approve(app, incident, lever, by=actor)
        _out(as_json, {"lever": lever, "approved": True}, f"Approved {lever}.")
    elif apply:
        _apply(app, incident, lever, actor, confirm_destructive, typed, as_json)
    else:
        planned = service.plan(app, incident, lever, repo=repo, actor=actor)
        _out(as_json, planned.plan, _plan_text(planned.plan))


def _apply(app: App, incident: str, lever: str, actor: str | None, confirm_destructive: bool,
           typed: str | None, as_json: bool) -> None:  # fmt: skip
    """Pull the lever; a destructive one asks for its target to be typed at a terminal."""
    if confirm_destructive and typed is None and sys.stdin.isatty():
        typed = typer.prompt("Type the lever's target to confirm")
    done = service.apply(app, incident, lever, actor=actor,
                         confirm_destructive=confirm_destructive, typed=typed or "")  # fmt: skip
    _out(as_json, done.data, f"Applied {done.lever}; {done.incident.id} is "
         f"{done.incident.status.value}. Rollback: "
         f"{Action.from_json(done.data['rollback']).text()}")  # fmt: skip


def _plan_text(plan: dict[str, Any]) -> str:
    lines = [f"Dry run — nothing was changed. Plan recorded for {plan['lever']}:"]
    for step in plan.get("prelude", []):
        lines.append(f"  first:    {Action.from_json(step).text()}")
    lines.append(f"  run:      {Action.from_json(plan['command']).text()}")
    back = Action.from_json(plan["rollback"]).text() if plan.get("rollback") else "none"
    lines.append(f"  rollback: {back}")
    verdict = "passed" if plan["viable"] else "FAILED"
    lines.append(f"  viability {verdict}: {plan['viability_detail']}")
    if plan.get("destructive") or not plan.get("reversible", True):
        lines.append("  destructive: needs --confirm-destructive --typed TARGET or an approval")
    if plan["viable"]:
        lines.append(f"Apply with: stanch mitigate ID {plan['lever']} --apply")
    return "\n".join(lines)


def _out(as_json: bool, data: dict[str, Any], text: str) -> None:
    if as_json:
        emit_json(data)
    else:
        console.print(text, markup=False)


def register(app: typer.Typer) -> None:
    app.command()(levers)
    app.command()(mitigate)
