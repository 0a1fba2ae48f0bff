"""`stanch evidence changes|traces|metrics|onset` and `stanch change record`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stanch.cli.context import AT_OPTION, INCIDENT_ARG, JSON_OPTION, app_of, console, emit_json
from stanch.cli.diagnose_view import diagnose_lines
from stanch.cli.evidence_group import evidence_app
from stanch.services import diagnose as diagnose_service
from stanch.services import evidence
from stanch.services import metrics as metric_service
from stanch.services import traces as trace_service

change_app = typer.Typer(
    help="Record changes (deploys, flag flips, config pushes) for later diagnosis.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

ONSET_OPTION = typer.Option("--onset", help="Onset to use instead of the incident's.")
SERVICE_OPTION = typer.Option("--service", help="Affected service (default: the incident's).")


def changes(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    onset: Annotated[str | None, ONSET_OPTION] = None,
    window: Annotated[str | None, typer.Option(help="How far back, e.g. 6h (default 24h).")] = None,
    repo: Annotated[list[Path] | None, typer.Option("--repo", help="Git repository.")] = None,
    service: Annotated[list[str] | None, SERVICE_OPTION] = None,
    helm: Annotated[
        list[str] | None, typer.Option("--helm", help="Helm release ([namespace/]name).")
    ] = None,
    k8s: Annotated[
        list[str] | None,
        typer.Option("--deployment", help="Kubernetes Deployment ([namespace/]name)."),
    ] = None,
    tls: Annotated[
        list[str] | None,
        typer.Option("--tls", help="TLS endpoint HOST:PORT whose served certificate to check."),
    ] = None,
    top: Annotated[int, typer.Option(help="How many suspects to show.")] = 10,
    no_record: Annotated[bool, typer.Option("--no-record", help="Do not record.")] = False,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Changes before onset, ranked as suspects, each with the lever that undoes it."""
    report = evidence.changes(
        app_of(ctx), incident, onset=onset, window=window, repos=repo, services=service,
        helm=helm, k8s=k8s, tls=tls, record_it=not no_record,
    )  # fmt: skip
    if as_json:
        data = report.to_dict()
        data["suspects"] = data["suspects"][: max(top, 0)]
        emit_json(data)
        return
    console.print(
        f"Onset {report.to_dict()['onset']} ({report.onset_source}); "
        f"services: {', '.join(report.services) or 'unknown'}; "
        f"{len(report.suspects)} change(s) in the window."
    )
    if not report.suspects:
        console.print("No changes found before onset in: " + ", ".join(report.sources))
        return
    for suspect in report.suspects[:top]:
        row = suspect.to_dict()
        console.print(
            f"{row['rank']:>2}. {row['score']:.2f}  {row['at']}  {row['kind']:<10} {row['id'][:14]}  "
            f"[{', '.join(row['services']) or '?'}]  {row['summary'][:80]}",
            soft_wrap=True, markup=False,
        )  # fmt: skip
        console.print(f"      undo: {row['undo'] or 'none known'}", soft_wrap=True, markup=False)


def record_change(
    ctx: typer.Context,
    kind: Annotated[str, typer.Option("--kind", help="deploy, config, flag, infra, code …")],
    ref: Annotated[str, typer.Option("--ref", help="Version, revision, flag or commit.")],
    summary: Annotated[str, typer.Option("--summary", help="What changed, in one line.")],
    service: Annotated[list[str] | None, typer.Option("--service", help="Service changed.")] = None,
    undo: Annotated[str | None, typer.Option("--undo", help="Command that undoes it.")] = None,
    incident: Annotated[
        str | None, typer.Option("--incident", help="Also record it on this incident.")
    ] = None,
    at: Annotated[str | None, AT_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Record a change from CI/CD or by hand, for `stanch evidence changes` to rank."""
    done = evidence.record_change(
        app_of(ctx), kind=kind, ref=ref, summary=summary, services=service, undo=undo, at=at,
        incident=incident,
    )  # fmt: skip
    if as_json:
        emit_json(done)
    else:
        where = done.get("incident") or done.get("log")
        console.print(f"Recorded {kind} {ref} at {done['at']} in {where}.")


def traces(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="OTLP/JSON or Jaeger JSON trace file.")
    ] = None,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    incident_opt: Annotated[
        str | None, typer.Option("--incident", help="Incident id (with --source).")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Trace store instead of a file: jaeger:URL.")
    ] = None,
    service: Annotated[str | None, SERVICE_OPTION] = None,
    since: Annotated[str | None, typer.Option(help="Store window start (onset − 30m).")] = None,
    until: Annotated[str | None, typer.Option(help="Store window end (now).")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="otlp or jaeger (default: detected).")
    ] = None,
    no_record: Annotated[bool, typer.Option("--no-record", help="Do not record.")] = False,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Follow failing requests to the failing hop, contrasted with healthy traces."""
    if incident and incident_opt:
        raise typer.BadParameter("give the incident once", param_hint="--incident")
    report = trace_service.traces(
        app_of(ctx), incident or incident_opt, file, fmt, source=source, service=service, since=since,
        until=until, record_it=not no_record,
    )  # fmt: skip
    if as_json:
        emit_json(report.to_dict())
        return
    console.print(report.summary() if report.spans else f"{report.source}: no spans")
    if report.broken:
        console.print(f"{report.broken} trace(s) are partial (a parent span is missing).")
    rows = report.hops or report.latency
    if rows:
        table = Table("service", "operation", "downstream", "error / own time", "share", "example")
        for hop in rows[:5]:
            what = hop["error"] if hop["kind"] == "error" else f"+{hop['regression_ms']} ms"
            table.add_row(
                hop["service"], hop["operation"], hop["downstream"] or "-", str(what),
                f"{hop['share']:.0%}", hop["trace_ids"][0] if hop["trace_ids"] else "",
            )  # fmt: skip
        console.print(table)


PROMETHEUS_OPTION = typer.Option("--prometheus", help="Prometheus base URL.")


def onset(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    query: Annotated[
        str | None, typer.Option("--query", help="PromQL of the flagging metric.")
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Series file (CSV or JSON).")] = None,
    since: Annotated[str | None, typer.Option(help="Window start (default onset − 3h).")] = None,
    until: Annotated[str | None, typer.Option(help="Window end (default now).")] = None,
    prometheus: Annotated[str | None, PROMETHEUS_OPTION] = None,
    no_record: Annotated[bool, typer.Option("--no-record", help="Do not record.")] = False,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """When did the flagging metric change? Compared with the responder's onset."""
    report = metric_service.onset(
        app_of(ctx), incident, query=query, file=file, since=since, until=until,
        prometheus=prometheus, record_it=not no_record,
    )  # fmt: skip
    if as_json:
        emit_json(report.to_dict())
    else:
        console.print(report.summary())


def _num(value: float | None) -> str:
    return "no data" if value is None else f"{value:.4g}"


def metrics(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    service: Annotated[str | None, SERVICE_OPTION] = None,
    onset_at: Annotated[str | None, ONSET_OPTION] = None,
    window: Annotated[str | None, typer.Option(help="Before/after span (default 30m).")] = None,
    prometheus: Annotated[str | None, PROMETHEUS_OPTION] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write an SVG chart here.")] = None,
    no_record: Annotated[bool, typer.Option("--no-record", help="Do not record.")] = False,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """RED and USE numbers of the service before vs after onset, with their queries."""
    report = metric_service.metrics(
        app_of(ctx), incident, service=service, onset_at=onset_at, window=window,
        prometheus=prometheus, plot=plot, record_it=not no_record,
    )  # fmt: skip
    if as_json:
        emit_json(report.to_dict())
        return
    table = Table("signal", "before", "after", "query")
    for number in report.numbers:
        table.add_row(
            number["name"], _num(number["before"]), _num(number["after"]), number["query"]
        )
    console.print(f"{report.service} around onset {report.to_dict()['onset']}:")
    console.print(table)
    if report.plot:
        console.print(f"Plot: {report.plot}")


def diagnose(
    ctx: typer.Context,
    incident: Annotated[str | None, INCIDENT_ARG] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Onset, top suspects with undo levers, failing hop, metrics, hypotheses: one screen."""
    found = diagnose_service.diagnose(app_of(ctx), incident)
    if as_json:
        emit_json(found)
        return
    for line in diagnose_lines(found):
        console.print(line, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("diagnose")(diagnose)
    evidence_app.command("onset")(onset)
    evidence_app.command("metrics")(metrics)
    evidence_app.command("changes")(changes)
    evidence_app.command("traces")(traces)
    change_app.command("record")(record_change)
    app.add_typer(change_app, name="change")
