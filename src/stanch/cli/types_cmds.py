"""Incident types: change the type, its rules, evidence first, write path first, statements."""

from __future__ import annotations

import shlex
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from stanch.cli.context import ACTOR_OPTION, AT_OPTION, JSON_OPTION, app_of, console, emit_json
from stanch.errors import GuardRefused
from stanch.model.types import IncidentType, lever_refusal, type_of
from stanch.services import types
from stanch.services.incidents import Recorded
from stanch.services.people_config import people_config

INCIDENT_OPTION = typer.Option("--incident", "-i", help="Incident id.")
type_app = typer.Typer(help="Incident types and their rules.", no_args_is_help=True,
                       rich_markup_mode=None)  # fmt: skip
write_path_app = typer.Typer(help="Data integrity: stop the write path before repairing data.",
                             no_args_is_help=True, rich_markup_mode=None)  # fmt: skip


def _done(done: Recorded, as_json: bool) -> None:
    if as_json:
        emit_json({"id": done.incident.id, "seq": done.event.seq, "kind": done.event.kind,
                   "type": done.incident.type, "data": done.event.data})  # fmt: skip
    else:
        console.print(f"{done.incident.id} #{done.event.seq}: {done.event.data.get('summary', '')}",
                      markup=False)  # fmt: skip


@type_app.command("set")
def type_set(
    ctx: typer.Context,
    target: Annotated[
        str, typer.Argument(help="outage, partial_outage, degradation, data_integrity, security.")
    ],
    reason: Annotated[str, typer.Option("--reason", "-r")] = "",
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    at: Annotated[str | None, AT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Change the incident's type (the change is an event)."""
    _done(types.set_type(app_of(ctx), incident, target, reason, actor=actor, at=at), as_json)


@type_app.command("rules")
def type_rules(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="One type; all when omitted.")] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """The rules of each type: default severity, visibility, destructive levers …"""
    rules = people_config(app_of(ctx).settings).rules
    chosen = [IncidentType.parse(name)] if name else list(IncidentType)
    data = {kind.value: {**asdict(rules[kind]), "severity": rules[kind].severity.label()}
            for kind in chosen}  # fmt: skip
    if as_json:
        emit_json(data)
        return
    for kind, values in data.items():
        console.print(f"[bold]{kind}[/]")
        for key, value in values.items():
            shown = ", ".join(value) if isinstance(value, list | tuple) else value
            console.print(f"  {key}: {shown if shown not in ('', None) else '—'}", markup=False)


@type_app.command("check-lever")
def type_check_lever(
    ctx: typer.Context,
    lever: Annotated[str, typer.Argument(help="Lever kind, e.g. rollout-restart, flag-off.")],
    confirm: Annotated[bool, typer.Option("--confirm", help="The second confirmation.")] = False,
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """May this lever run now on this incident's type? Exit 1 with the reason when not."""
    app = app_of(ctx)
    key = app.resolve_id(incident)
    state = app.store.state(key)
    rules = people_config(app.settings).rules
    refusal = lever_refusal(state, app.store.events(key), lever, confirmed=confirm, rules=rules)
    if as_json:
        emit_json({"id": key, "type": type_of(state).value, "lever": lever,
                   "allowed": refusal is None, "refusal": refusal})  # fmt: skip
    elif refusal is None:
        console.print(f"{lever} may run on {key} ({type_of(state).value}).", markup=False)
    if refusal is not None:
        raise GuardRefused(refusal)


def preserve(
    ctx: typer.Context,
    file: Annotated[list[Path] | None, typer.Option("--file", "-f", help="Log or dump.")] = None,
    command: Annotated[
        list[str] | None,
        typer.Option(
            "--command", "-c", help="Read-only command whose output to keep, e.g. 'kubectl logs x'."
        ),
    ] = None,
    note: Annotated[str, typer.Option(help="What was preserved and why.")] = "",
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Snapshot logs, command output and state to the timeline before any mitigation."""
    argvs = [shlex.split(c) for c in command or ()]  # split into argv; never run by a shell
    _done(types.preserve(app_of(ctx), incident, file or (), argvs, note=note, actor=actor),
          as_json)  # fmt: skip


@write_path_app.command("stop")
def write_path_stop(
    ctx: typer.Context,
    how: Annotated[str, typer.Option(help="How it was stopped, e.g. 'read-only mode on'.")],
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    at: Annotated[str | None, AT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Record that the write path is stopped (data repair is refused before this)."""
    _done(types.write_path(app_of(ctx), incident, stop=True, how=how, actor=actor, at=at),
          as_json)  # fmt: skip


@write_path_app.command("resume")
def write_path_resume(
    ctx: typer.Context,
    how: Annotated[str, typer.Option(help="How writes were resumed.")],
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    at: Annotated[str | None, AT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Record that writes are flowing again."""
    _done(types.write_path(app_of(ctx), incident, stop=False, how=how, actor=actor, at=at),
          as_json)  # fmt: skip


def statement(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The public statement, plain words.")],
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Approve the public statement of a restricted incident (the only text that leaves)."""
    _done(types.publish_statement(app_of(ctx), incident, text, actor=actor), as_json)


def affected(
    ctx: typer.Context,
    records: Annotated[int | None, typer.Option(help="Records with wrong data.")] = None,
    users: Annotated[int | None, typer.Option(help="Users shown wrong data.")] = None,
    incident: Annotated[str | None, INCIDENT_OPTION] = None,
    at: Annotated[str | None, AT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Count the records and users wrong data reached (data integrity impact)."""
    _done(types.count_affected(app_of(ctx), incident, records=records, users=users, actor=actor,
                               at=at), as_json)  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(type_app, name="type")
    app.add_typer(write_path_app, name="write-path")
    for command in (preserve, statement, affected):
        app.command()(command)
