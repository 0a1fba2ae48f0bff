"""Reading and maintenance commands: show, list, export, import, verify, regenerate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stanch.cli.context import INCIDENT_ARG, JSON_OPTION, app_of, console, emit_json
from stanch.cli.notices import notices
from stanch.cli.render import listing_table, shown_view
from stanch.errors import UserError
from stanch.services import records


def show(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Show an incident: its state panel and the timeline."""
    app = app_of(ctx)
    shown = records.show(app, incident)
    extra = notices(app, shown.incident.id)
    if as_json:
        emit_json({**records.incident_json(app, shown), "notices": extra})
    else:
        console.print(shown_view(shown, app.settings.severity_scheme))
        for line in extra:
            console.print(line, soft_wrap=True, markup=False)


def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Include resolved and closed.")] = False,
    closed: Annotated[bool, typer.Option("--closed", help="Only resolved and closed.")] = False,
    severity: Annotated[str | None, typer.Option(help="Only this severity.")] = None,
    service: Annotated[str | None, typer.Option(help="Only incidents on this service.")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """List incidents (open ones unless told otherwise)."""
    app = app_of(ctx)
    found = records.listing(
        app, include_closed=all_, only_closed=closed, severity=severity, service=service,
        status=status,
    )  # fmt: skip
    if as_json:
        emit_json([state.to_dict() for state in found])
    elif not found:
        console.print("No incidents match." if (all_ or closed) else "No open incidents.")
    else:
        console.print(listing_table(found, app.settings.severity_scheme))


def export(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON (the only format so far).")] = True,
) -> None:
    """Export an incident's state and every event as JSON."""
    emit_json(records.export(app_of(ctx), incident))


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An incident file written by stanch.")],
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Rebuild an incident's events from its timeline file."""
    done = records.import_file(app_of(ctx), file)
    if as_json:
        emit_json({"id": done.incident.id, "added": done.added, "file": str(done.path),
                   "rewritten": done.rewritten})  # fmt: skip
        return
    console.print(f"Imported {done.incident.id}: {done.added} new event(s); file {done.path}")
    if done.rewritten:
        console.print(f"The given file was hand-edited ({done.rewritten}); "
                      "it was rewritten from its events.")  # fmt: skip


def verify(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Check that the incident file matches the recorded events exactly."""
    result = records.verify(app_of(ctx), incident)
    if as_json:
        emit_json({"file": str(result.path), "ok": result.ok, "problem": result.problem})
    elif result.ok:
        console.print(f"{result.path} matches the recorded events.")
    if not result.ok:
        raise UserError(
            f"{result.path}: {result.problem}; `stanch regenerate` rewrites it from the store"
        )


def regenerate(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
) -> None:
    """Rewrite the incident file from the recorded events."""
    path = records.regenerate(app_of(ctx), incident)
    console.print(f"Rewrote {path} from the store.")


def register(app: typer.Typer) -> None:
    app.command()(show)
    app.command("list")(list_)
    app.command()(export)
    app.command("import")(import_)
    app.command()(verify)
    app.command()(regenerate)
