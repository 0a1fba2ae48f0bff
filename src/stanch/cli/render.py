"""Rich renderings of incidents for the terminal."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from stanch.model.clock import human_duration, iso
from stanch.model.describe import describe
from stanch.model.durations import durations
from stanch.model.incident import Incident
from stanch.model.severity import Scheme
from stanch.services.records import Shown

_STATUS_STYLE = {
    "investigating": "bold red",
    "mitigating": "bold yellow",
    "mitigated": "yellow",
    "monitoring": "cyan",
    "resolved": "green",
    "closed": "dim",
}


def incident_panel(state: Incident, scheme: Scheme) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    roles = state.roles
    rows: list[tuple[str, str | Text]] = [
        ("Severity", f"{state.severity.label(scheme)} — {state.severity.meaning}"),
        ("Status", Text(state.status.value, style=_STATUS_STYLE[state.status.value])),
        ("Type", state.type.replace("_", " ")),
        ("Impact", state.impact.summary()),
        ("Services", ", ".join(state.services) or "—"),
        ("Customer-visible", "yes" if state.customer_visible else "no"),
        ("Commander", ", ".join(roles.get("commander", ())) or "—"),
        ("Scribe", ", ".join(roles.get("scribe", ())) or "—"),
        ("Comms lead", ", ".join(roles.get("comms_lead", ())) or "—"),
        ("Channel", f"#{state.channel}"),
        ("Onset", iso(state.onset_at)),
        ("Detected", iso(state.detected_at)),
        ("Declared", iso(state.declared_at)),
    ]
    for name, value in durations(state, state.last_event_at).items():
        rows.append((name.capitalize(), human_duration(value)))
    for name, cell in rows:
        grid.add_row(name, cell)
    return Panel(grid, title=f"[bold]{state.id}[/] {state.symptom}", title_align="left")


def timeline_table(shown: Shown, scheme: Scheme) -> Table:
    table = Table(title="Timeline (UTC)", title_justify="left", expand=True)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("When", no_wrap=True)
    table.add_column("Who", no_wrap=True)
    table.add_column("What")
    for event in shown.events:
        table.add_row(str(event.seq), iso(event.occurred_at), event.actor, describe(event, scheme))
    return table


def shown_view(shown: Shown, scheme: Scheme) -> RenderableType:
    parts: list[RenderableType] = [
        incident_panel(shown.incident, scheme),
        timeline_table(shown, scheme),
    ]
    if shown.file.ok:
        parts.append(Text(f"File: {shown.path}", style="dim"))
    else:
        parts.append(Text(
            f"File {shown.path} does not match the events: {shown.file.problem} "
            f"(stanch regenerate {shown.incident.id})", style="bold yellow",
        ))  # fmt: skip
    return Group(*parts)


def listing_table(incidents: list[Incident], scheme: Scheme) -> Table:
    table = Table(box=None, expand=True, pad_edge=False)
    table.add_column("ID", no_wrap=True)
    table.add_column("Sev", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Commander", no_wrap=True)
    table.add_column("Symptom", overflow="fold", ratio=1)
    for state in incidents:
        table.add_row(
            state.id,
            state.severity.label(scheme),
            Text(state.status.value, style=_STATUS_STYLE[state.status.value]),
            state.commander or "—",
            state.symptom,
        )
    return table
