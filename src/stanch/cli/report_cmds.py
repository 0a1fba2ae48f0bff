"""`stanch report`: learning across incidents (MTTx, trigger and root-cause mix, items)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from stanch.cli.context import JSON_OPTION, app_of, console, emit_json
from stanch.errors import ReadOnly
from stanch.model.clock import human_duration
from stanch.model.timeparse import parse_when
from stanch.postmortem.plots import bars
from stanch.services.report import NAMES
from stanch.services.report import report as build_report


def _mttx_table(title: str, groups: dict[str, dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("")
    table.add_column("Incidents", justify="right")
    for name in NAMES.values():
        table.add_column(name, justify="right")
    for key, data in groups.items():
        cells = []
        for name in NAMES.values():
            mean = data[name]["mean_s"]
            cells.append("—" if mean is None else human_duration(timedelta(seconds=mean)))
        table.add_row(key, str(data["incidents"]), *cells)
    return table


def _plots(data: dict[str, Any], folder: Path) -> list[Path]:
    charts = {
        "triggers.svg": bars("Triggers: share of incidents", [
            (r["category"], r["share"] * 100, r["baseline"] * 100) for r in data["triggers"]]),
        "root_causes.svg": bars("Root causes: share of incidents", [
            (r["category"], r["share"] * 100, r["baseline"] * 100) for r in data["root_causes"]]),
        "mttr_by_severity.svg": bars("Mean time to resolve by severity (minutes)", [
            (sev, (g["MTTR"]["mean_s"] or 0) / 60, None)
            for sev, g in data["by_severity"].items()], unit=" min"),
    }  # fmt: skip
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, svg in charts.items():
            (folder / name).write_text(svg)
            written.append(folder / name)
    except OSError as exc:
        raise ReadOnly(f"cannot write plots to {folder}: {exc.strerror}") from None
    return written


def report(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option(help="Only incidents declared since: ISO-8601 or '30 days ago'.")
    ] = None,
    plots: Annotated[Path | None, typer.Option(help="Write SVG charts into this folder.")] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """MTTD/MTTA/MTTM/MTTR per severity and service, trigger and root-cause mix, items done."""
    app = app_of(ctx)
    start = parse_when(since, app.clock()) if since else None
    data = build_report(app, start)
    written = _plots(data, plots) if plots else []
    if as_json:
        emit_json({**data, "plots": [str(p) for p in written]})
        return
    console.print(_mttx_table("By severity", data["by_severity"]))
    console.print(_mttx_table("By service", data["by_service"]))
    mix = Table(title="Triggers (ours vs Google SRE baseline)", title_justify="left")
    for column in ("Trigger", "Count", "Ours", "Baseline"):
        mix.add_column(column)
    for row in data["triggers"]:
        mix.add_row(
            row["category"], str(row["count"]), f"{row['share']:.0%}", f"{row['baseline']:.0%}"
        )
    console.print(mix)
    items = data["action_items"]
    rate = "—" if items["completion_rate"] is None else f"{items['completion_rate']:.0%}"
    console.print(
        f"Action items: {items['done']}/{items['total']} done ({rate}), {items['overdue']} overdue"
    )
    for path in written:
        console.print(f"Plot: {path}")


def register(app: typer.Typer) -> None:
    app.command()(report)
