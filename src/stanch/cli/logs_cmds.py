"""`stanch evidence logs`: group log lines by signature, show what is new since onset."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from stanch.cli.context import JSON_OPTION, app_of, emit_json
from stanch.cli.evidence_group import evidence_app
from stanch.evidence.logs import settings as logs_settings
from stanch.evidence.logs.analyze import Occurrence
from stanch.evidence.logs.loki import LogSource
from stanch.evidence.logs.rank import Ranked
from stanch.evidence.logs.report import Report
from stanch.model.events import Event
from stanch.services import logs
from stanch.services.context import App

_TIME_HELP = "ISO-8601 with offset or e.g. '30 min ago'."

Files = Annotated[
    list[Path] | None, typer.Argument(help="Log files (plain or gzip); '-' reads stdin.")
]
Loki = Annotated[str | None, typer.Option("--loki", help="LogQL log query to read from Loki.")]
LokiUrl = Annotated[str | None, typer.Option(help="Loki base URL (default: [logs] loki_url).")]
Start = Annotated[str | None, typer.Option("--from", help=f"Window start. {_TIME_HELP}")]
End = Annotated[str | None, typer.Option("--to", help=f"Window end (exclusive). {_TIME_HELP}")]
Onset = Annotated[str | None, typer.Option(help=f"Onset (default: the incident's). {_TIME_HELP}")]
Context = Annotated[int | None, typer.Option(help="Lines shown before each first occurrence.")]
Top = Annotated[int | None, typer.Option(help="How many signatures to show.")]
Incident = Annotated[
    str | None, typer.Option(help="Incident to pin the findings to (and take the onset from).")
]
LogFormat = Annotated[
    str | None,
    typer.Option(
        "--log-format",
        help="Header layout, e.g. '<Date> <Time> <Level> <Component>: <Content>', "
        "or a regex with (?P<message>…) (default: [logs] format, else recognised).",
    ),
]
TimeFormat = Annotated[
    str | None,
    typer.Option(
        "--time-format",
        help="strptime format of the --log-format timestamp, e.g. '%d/%m/%Y %H:%M:%S'.",
    ),
]
PerLine = Annotated[bool, typer.Option("--per-line", help="Print one signature id per line.")]


def logs_command(
    ctx: typer.Context,
    files: Files = None,
    loki: Loki = None,
    loki_url: LokiUrl = None,
    start: Start = None,
    end: End = None,
    onset: Onset = None,
    context: Context = None,
    top: Top = None,
    incident: Incident = None,
    log_format: LogFormat = None,
    time_format: TimeFormat = None,
    per_line: PerLine = False,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Group log lines by signature; rank what is new or surged since onset."""
    app = app_of(ctx)
    request = logs.Request(list(files or []), loki, start, end, onset, context, incident,
                           log_format, time_format)  # fmt: skip
    source = logs.loki_source(app, loki_url) if loki else None
    if per_line:
        _write_per_line(app, request, source)
        return
    report = logs.analyse(app, request, loki=source)
    count = top or logs_settings.load(app.settings.raw).top
    pinned = logs.pin(app, report, incident, count) if incident else None
    if as_json:
        _emit_report(report, count, pinned)
        return
    _print(report, count)
    if pinned is not None:
        typer.echo(f"Pinned to {pinned.incident_id} (event {pinned.seq}).")


def _write_per_line(app: App, request: logs.Request, source: LogSource | None) -> None:
    write = sys.stdout.write
    for sig in logs.per_line(app, request, loki=source):
        write(sig + "\n")


def _emit_report(report: Report, count: int, pinned: Event | None) -> None:
    data = report.to_json(count)
    data["pinned"] = None if pinned is None else {"incident": pinned.incident_id, "seq": pinned.seq}
    emit_json(data)


def _print(report: Report, count: int) -> None:
    analysis = report.analysis
    typer.echo(
        f"{len(report.ranked)} signature(s) in {analysis.lines_in_window} line(s) "
        f"({analysis.lines_outside} outside the window, {report.stats.binary} binary skipped)."
    )
    for place, ranked in enumerate(report.top(count), 1):
        _print_one(place, ranked)


def _print_one(place: int, ranked: Ranked) -> None:
    sig = ranked.signature
    ratio = (
        f" ×{ranked.ratio:.1f}" if ranked.ratio is not None and ranked.change == "surged" else ""
    )
    level = f" {sig.level}" if sig.level else ""
    typer.echo(
        f"\n#{place} {ranked.change.upper()}{ratio}{level}  {sig.id}  "
        f"count {sig.count} (before onset {sig.before}, after {sig.after})"
    )
    typer.echo(f"   {sig.template[:300]}")
    first = sig.first_after_onset if ranked.change == "surged" else sig.first
    if first is not None:
        _print_occurrence(first)


def _print_occurrence(first: Occurrence) -> None:
    when = first.at.isoformat().replace("+00:00", "Z") if first.at else "no time"
    typer.echo(f"   first: {when}  {first.source}:{first.line}")
    for text in first.preceding:
        typer.echo(f"     | {text[:300]}")
    typer.echo(f"     > {first.text[:300]}")


def register(app: typer.Typer) -> None:
    del app  # joins the `stanch evidence` group
    evidence_app.command("logs")(logs_command)
