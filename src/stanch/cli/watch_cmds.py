"""`stanch signal set|show` and `stanch watch`: confirm and resolve by evidence."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from stanch.cli.context import (
    ACTOR_OPTION,
    AT_OPTION,
    INCIDENT_ARG,
    JSON_OPTION,
    app_of,
    console,
    emit_json,
)
from stanch.model.clock import iso
from stanch.model.watching import Progress, parse_duration
from stanch.services import watch as watch_service
from stanch.services.watch import SampleOutcome

signal_app = typer.Typer(
    help="The flagging signal: what flagged the incident, and when it is healthy.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@signal_app.command("set")
def signal_set(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="promql, http or command.")],
    expr: Annotated[str, typer.Argument(help="PromQL, a URL, or a command line (no shell).")],
    healthy: Annotated[
        str | None,
        typer.Option(help="Healthy rule, e.g. '< 0.01'. Defaults: http '< 400', command '== 0'."),
    ] = None,
    source: Annotated[str, typer.Option(help="Prometheus base URL for this signal.")] = "",
    incident: Annotated[str | None, typer.Option("--incident", "-i")] = None,
    at: Annotated[str | None, AT_OPTION] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Record the signal that flagged the incident and its healthy threshold."""
    app = app_of(ctx)
    done = watch_service.set_signal(
        app, incident, kind, expr, healthy, source=source, actor=actor, at=at
    )
    if as_json:
        emit_json({"id": done.incident.id, "seq": done.event.seq, "signal": done.event.data})
        return
    console.print(f"{done.incident.id}: {done.event.data['summary']}", markup=False)


@signal_app.command("show")
def signal_show(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Show the signal, its latest samples and the recovery window progress."""
    app = app_of(ctx)
    key, state = watch_service.current(app, incident)
    _, prog = watch_service.recovery(app, key)
    last = [{"at": iso(s.at), "value": s.value, "healthy": s.healthy} for s in state.samples[-10:]]
    if as_json:
        emit_json({
            "id": key, "signal": state.signal.to_data() if state.signal else None,
            "confirmed": state.confirmed, "samples": last, "recovery": _progress_json(prog),
        })  # fmt: skip
        return
    if state.signal is None:
        console.print(f"{key}: no flagging signal set (stanch signal set …)")
        return
    console.print(f"{key}: {state.signal.describe()}", markup=False)
    console.print(f"  mitigation confirmed: {'yes' if state.confirmed else 'no'}")
    console.print(f"  recovery: {prog.explain()}", markup=False)


def _progress_json(prog: Progress) -> dict[str, Any]:
    return {
        "window_s": int(prog.window.total_seconds()),
        "needed_samples": prog.needed_samples,
        "healthy_samples": prog.samples,
        "healthy_for_s": int(prog.healthy_for.total_seconds()),
        "stale": prog.stale,
        "complete": prog.complete,
    }


def outcome_json(outcome: SampleOutcome) -> dict[str, Any]:
    """One sample in the JSON the CLI and MCP print."""
    return {
        "seq": outcome.sampled.seq,
        "at": iso(outcome.sampled.occurred_at),
        "value": outcome.reading.value,
        "read": outcome.reading.status.value,
        "detail": outcome.reading.detail,
        "healthy": outcome.healthy,
        "confirmed": outcome.confirmed is not None,
        "relapsed": outcome.relapsed is not None,
        "status": outcome.incident.status.value,
        "recovery": _progress_json(outcome.progress),
    }


def _print_outcome(outcome: SampleOutcome) -> None:
    console.print(f"{iso(outcome.sampled.occurred_at)}  {outcome.sampled.data['summary']}",
                  markup=False)  # fmt: skip
    if outcome.confirmed is not None:
        console.print(f"  ✔ {outcome.confirmed.data['summary']}", markup=False)
    if outcome.relapsed is not None:
        console.print(f"  ✘ {outcome.relapsed.data['summary']}", markup=False)
    console.print(f"  recovery: {outcome.progress.explain()}", markup=False)


def watch(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    interval: Annotated[str | None, typer.Option(help="Between samples, e.g. 30s.")] = None,
    max_samples: Annotated[int | None, typer.Option(min=1, help="Stop after this many.")] = None,
    until: Annotated[
        str, typer.Option(help="recovered (window complete), confirmed, or never.")
    ] = "recovered",
    resolve: Annotated[
        bool, typer.Option("--resolve", help="Resolve once the recovery window is complete.")
    ] = False,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Sample the flagging signal: confirm the mitigation, catch relapses, gate resolution."""
    app = app_of(ctx)
    if until not in ("recovered", "confirmed", "never"):
        raise typer.BadParameter("recovered, confirmed or never", param_hint="--until")
    pause = parse_duration(interval, "--interval") if interval else None
    report = watch_service.watch(
        app, incident, interval=pause, max_samples=max_samples, until=until, resolve=resolve,
        on_sample=None if as_json else _print_outcome,
    )  # fmt: skip
    if as_json:
        emit_json({
            "stopped": report.stopped,
            "samples": [outcome_json(o) for o in report.outcomes],
            "resolved": report.resolved is not None,
        })  # fmt: skip
    else:
        console.print(f"Stopped: {report.stopped}")
        if report.resolved is not None:
            console.print(f"{report.resolved.incident.id} is now resolved")
    if report.stopped == "relapsed":
        raise typer.Exit(4)


def register(app: typer.Typer) -> None:
    app.add_typer(signal_app, name="signal")
    app.command()(watch)
