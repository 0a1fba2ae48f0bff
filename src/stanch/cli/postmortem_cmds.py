"""`stanch postmortem`, `stanch why …`: the blameless postmortem in the incident file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stanch.cli.context import ACTOR_OPTION, JSON_OPTION, app_of, console, emit_json
from stanch.errors import InvalidInput
from stanch.model.clock import human_duration
from stanch.services import postmortem as service
from stanch.services.context import App

why_app = typer.Typer(
    help="Edit the why-tree of the causal analysis: stanch why ID add|remove …",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _fields(values: list[str] | None) -> list[tuple[str, str]]:
    out = []
    for value in values or ():
        name, sep, text = value.partition("=")
        if not sep:
            raise InvalidInput(f"--set needs field=value, got {value!r}")
        out.append((name.strip(), text))
    return out


def _edits(
    set_: list[str] | None, error_ratio: float | None, bad: int | None, total: int | None
) -> list[tuple[str, str]]:
    edits = _fields(set_)
    if error_ratio is not None:
        edits.append(("error_ratio", str(error_ratio)))
    if (bad is None) != (total is None):
        raise InvalidInput("give --bad and --total together")
    if bad is not None and total is not None:
        edits += [("bad", str(bad)), ("total", str(total))]
    return edits


def _edit(app: App, key: str, edits: list[tuple[str, str]], prometheus: bool,
          actor: str | None) -> None:  # fmt: skip
    for name, value in edits:
        service.set_field(app, key, name, value, actor=actor)
    if prometheus:
        service.ratio_from_prometheus(app, key, actor=actor)


def postmortem(
    ctx: typer.Context,
    incident: Annotated[str | None, typer.Argument(help="Incident id.")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="field=value: summary, trigger, users_affected, went_well …"),
    ] = None,
    error_ratio: Annotated[
        float | None, typer.Option(help="Error ratio during the outage, 0–1.")
    ] = None,
    bad: Annotated[int | None, typer.Option(help="Failed requests during the outage.")] = None,
    total: Annotated[int | None, typer.Option(help="All requests during the outage.")] = None,
    prometheus: Annotated[
        bool, typer.Option("--prometheus", help="Query the error ratio from Prometheus.")
    ] = False,
    final: Annotated[bool, typer.Option("--final", help="Mark final (checks blameless).")] = False,
    waive: Annotated[str | None, typer.Option(help="No postmortem, for this reason.")] = None,
    html: Annotated[Path | None, typer.Option(help="Also write a standalone HTML page.")] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Draft the postmortem from the events into the incident file (edit, check, finalise)."""
    app = app_of(ctx)
    key = app.resolve_id(incident)
    if waive is not None:
        service.waive(app, key, waive, actor=actor)
        console.print(f"Postmortem of {key} waived") if not as_json else emit_json(
            {"id": key, "state": "waived"}
        )
        return
    _edit(app, key, _edits(set_, error_ratio, bad, total), prometheus, actor)
    if final:
        draft = service.finalize(app, key, actor=actor)
    else:
        draft, _ = service.write(app, key, actor=actor)
    path = app.files.path(key)
    private = html is not None and service.write_html(app, draft, html)
    if as_json:
        emit_json({**draft.to_dict(), "file": str(path), "html": str(html) if html else None,
                   "private": private})  # fmt: skip
        return
    console.print(f"Postmortem of {key} ({draft.facts.state}) written to {path}")
    if private:
        console.print(f"  {html} is PRIVATE (owner-only): do not publish it", markup=False)
    if late := draft.overdue_by:
        console.print(f"  OVERDUE by {human_duration(late)} (due {draft.due})")
    for problem in draft.missing:
        console.print(f"  before final: {problem}", markup=False)


@why_app.callback()
def why(
    ctx: typer.Context,
    incident: Annotated[str, typer.Argument(help="Incident id.")],
) -> None:
    """The why-tree: branches wherever the evidence branches; the trigger stays separate."""
    ctx.meta["stanch.why.incident"] = incident


def _why_incident(ctx: typer.Context) -> str:
    return str(ctx.meta["stanch.why.incident"])


@why_app.command("add")
def why_add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Why it happened, about the system.")],
    under: Annotated[
        str | None, typer.Option(help="Parent why (W1 …); omit for a top one.")
    ] = None,
    factor: Annotated[
        str, typer.Option(help="trigger, code, config, guardrail, detection, process, other.")
    ] = "other",
    category: Annotated[
        str | None, typer.Option(help="Taxonomy category: a trigger or root-cause value.")
    ] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Add a why; several under one parent make the tree branch."""
    node = service.why_add(app_of(ctx), _why_incident(ctx), text, under=under, factor=factor,
                           category=category, actor=actor)  # fmt: skip
    if as_json:
        emit_json(node.__dict__)
    else:
        console.print(f"Added why {node.node} ({node.factor})")


@why_app.command("remove")
def why_remove(
    ctx: typer.Context,
    node: Annotated[str, typer.Argument(help="The why to remove (W2 …), with its children.")],
    actor: Annotated[str | None, ACTOR_OPTION] = None,
) -> None:
    """Remove a why and everything under it (recorded as an event)."""
    service.why_remove(app_of(ctx), _why_incident(ctx), node, actor=actor)
    console.print(f"Removed why {node}")


def register(app: typer.Typer) -> None:
    app.command()(postmortem)
    app.add_typer(why_app, name="why")
