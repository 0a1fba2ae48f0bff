"""Writing commands: declare, log, status, severity, assign."""

from __future__ import annotations

from typing import Annotated

import typer

from stanch.cli.context import (
    ACTOR_OPTION,
    AT_OPTION,
    JSON_OPTION,
    app_of,
    console,
    emit_json,
)
from stanch.model.severity import Scheme
from stanch.services import incidents
from stanch.services.incidents import Recorded

NEXT_STEP = (
    "Next: stabilize first. Find the fastest reversible lever (roll back, flag off, scale, "
    "fail over) and log every action with `stanch log`."
)

IncidentOpt = Annotated[str | None, typer.Option("--incident", "-i")]
At = Annotated[str | None, AT_OPTION]
Actor = Annotated[str | None, ACTOR_OPTION]
AsJson = Annotated[bool, JSON_OPTION]
Reason = Annotated[str, typer.Option("--reason", "-r")]


def _report(recorded: Recorded, as_json: bool, message: str) -> None:
    if as_json:
        emit_json({
            "id": recorded.incident.id,
            "seq": recorded.event.seq,
            "status": recorded.incident.status.value,
            "severity": int(recorded.incident.severity),
            "file": str(recorded.path),
        })  # fmt: skip
    else:
        console.print(message)


Severity = Annotated[str | None, typer.Option("--severity", "-s", help="SEV1–SEV4 or P0–P3.")]
Impact = Annotated[str, typer.Option(help="Blast radius in words, e.g. '~30% of requests'.")]
Percent = Annotated[float | None, typer.Option(help="Share of users/requests hit, 0–100.")]
Regions = Annotated[list[str] | None, typer.Option("--regions", "--region")]
Tenants = Annotated[list[str] | None, typer.Option("--tenants", "--tenant")]
Started = Annotated[str | None, typer.Option(help="Onset: ISO-8601 or '12 min ago'.")]
Detected = Annotated[str | None, typer.Option(help="When it was detected.")]
Services = Annotated[list[str] | None, typer.Option("--service", help="Affected service.")]
CustomerVisible = Annotated[bool, typer.Option("--customer-visible")]
Commander = Annotated[str | None, typer.Option(help="Incident commander.")]
Scribe = Annotated[str | None, typer.Option()]
CommsLead = Annotated[str | None, typer.Option("--comms-lead")]
Slug = Annotated[str | None, typer.Option(help="Short name for the id and file.")]
IncidentType = Annotated[
    str | None,
    typer.Option(
        "--type",
        "-t",
        help="outage, partial_outage, degradation, "
        "data_integrity or security (sets the default severity).",
    ),
]


def declare(
    ctx: typer.Context,
    symptom: Annotated[str, typer.Argument(help="What users see, in one sentence.")],
    severity: Severity = None,
    impact: Impact = "",
    percent: Percent = None,
    regions: Regions = None,
    tenants: Tenants = None,
    started: Started = None,
    detected: Detected = None,
    service: Services = None,
    customer_visible: CustomerVisible = False,
    commander: Commander = None,
    scribe: Scribe = None,
    comms_lead: CommsLead = None,
    slug: Slug = None,
    incident_type: IncidentType = None,
    at: At = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Frame a new incident: symptom, blast radius, onset, severity, type."""
    app = app_of(ctx)
    if severity is None and incident_type is None:
        raise typer.BadParameter("required unless --type gives a default", param_hint="--severity")
    _check_percent(percent)
    done = incidents.declare(
        app, symptom, severity=severity, impact=impact, percent=percent, regions=regions,
        tenants=tenants, started=started, detected=detected, services=service,
        customer_visible=customer_visible, commander=commander, scribe=scribe,
        comms_lead=comms_lead, slug=slug, actor=actor, at=at, incident_type=incident_type,
    )  # fmt: skip
    if as_json:
        _emit_declared(done)
    else:
        _print_declared(done, app.settings.severity_scheme)


def _check_percent(percent: float | None) -> None:
    if percent is not None and not 0 <= percent <= 100:
        raise typer.BadParameter("must be between 0 and 100", param_hint="--percent")


def _emit_declared(done: Recorded) -> None:
    state = done.incident
    emit_json({
        "id": state.id, "file": str(done.path), "channel": state.channel,
        "severity": int(state.severity), "status": state.status.value,
        "type": state.type, "next": NEXT_STEP,
    })  # fmt: skip


def _print_declared(done: Recorded, scheme: Scheme) -> None:
    state = done.incident
    kind = "" if state.type == "outage" else f", {state.type.replace('_', ' ')}"
    console.print(f"[bold]Declared[/] {state.id} ({state.severity.label(scheme)}{kind})")
    console.print(f"  Timeline: {done.path}")
    console.print(f"  Channel:  #{state.channel}")
    console.print(f"  {NEXT_STEP}")


def log(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What was done or seen.")],
    incident: Annotated[str | None, typer.Option("--incident", "-i", help="Incident id.")] = None,
    at: At = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Log an action or observation on the timeline."""
    done = incidents.log(app_of(ctx), incident, text, actor=actor, at=at)
    _report(done, as_json, f"Logged #{done.event.seq} on {done.incident.id}")


def status(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="investigating, mitigating, mitigated, …")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why.")] = "",
    incident: IncidentOpt = None,
    at: At = None,
    actor: Actor = None,
    as_json: AsJson = False,
    override: Annotated[
        str, typer.Option(help="Reason to pass a refusing guard (e.g. the recovery window).")
    ] = "",
) -> None:
    """Move the incident to another status (illegal moves are refused)."""
    done = incidents.set_status(
        app_of(ctx), incident, target, reason, actor=actor, at=at, override=override
    )
    _report(done, as_json, f"{done.incident.id} is now {done.incident.status.value}")


def severity(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="SEV1–SEV4 or P0–P3.")],
    reason: Reason = "",
    incident: IncidentOpt = None,
    at: At = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Change the severity; the change is an event."""
    app = app_of(ctx)
    done = incidents.set_severity(app, incident, target, reason, actor=actor, at=at)
    label = done.incident.severity.label(app.settings.severity_scheme)
    _report(done, as_json, f"{done.incident.id} is now {label}")


def assign(
    ctx: typer.Context,
    role: Annotated[str, typer.Argument(help="commander, scribe, comms_lead or responder.")],
    people: Annotated[list[str], typer.Argument(help="One or more people.")],
    add: Annotated[bool, typer.Option("--add", help="Keep the current holders.")] = False,
    incident: IncidentOpt = None,
    at: At = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Assign a role (commander, scribe, comms lead, responders)."""
    done = incidents.assign(app_of(ctx), incident, role, people, add=add, actor=actor, at=at)
    _report(done, as_json, f"{done.incident.id}: {done.event.data['role']} is "
            f"{', '.join(done.event.data['people'])}")  # fmt: skip


def amend(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why the correction.")] = "",
    symptom: Annotated[str | None, typer.Option(help="Corrected symptom.")] = None,
    impact: Annotated[str | None, typer.Option(help="Corrected impact text.")] = None,
    percent: Annotated[float | None, typer.Option(help="Share of users/requests, 0–100.")] = None,
    regions: Regions = None,
    tenants: Tenants = None,
    started: Annotated[str | None, typer.Option(help="Corrected onset.")] = None,
    detected: Annotated[str | None, typer.Option(help="Corrected detection time.")] = None,
    service: Annotated[
        list[str] | None, typer.Option("--service", help="Affected services.")
    ] = None,
    customer_visible: Annotated[
        bool | None, typer.Option("--customer-visible/--internal-only")
    ] = None,
    incident: IncidentOpt = None,
    at: At = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Correct the framing (onset, impact, services …); the old values stay on record."""
    _check_percent(percent)
    done = incidents.amend(
        app_of(ctx), incident, reason=reason, symptom=symptom, impact=impact, percent=percent,
        regions=regions, tenants=tenants, started=started, detected=detected, services=service,
        customer_visible=customer_visible, actor=actor, at=at,
    )  # fmt: skip
    _report(done, as_json, f"Corrected {done.incident.id}")


def register(app: typer.Typer) -> None:
    for command in (declare, log, status, severity, assign, amend):
        app.command()(command)
