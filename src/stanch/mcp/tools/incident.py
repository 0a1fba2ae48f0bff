"""Incident core tools: declare, log, show, status, severity, assign."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from stanch.errors import UserError
from stanch.mcp.context import ToolContext, refused
from stanch.mcp.schemas import (
    ActionResult,
    IncidentList,
    IncidentSummary,
    IncidentView,
    TimelineEntry,
)
from stanch.model import decide
from stanch.model.clock import iso
from stanch.model.describe import describe
from stanch.model.status import Status
from stanch.services import incidents, records

IncidentId = Annotated[
    str | None, Field(description="Incident id; may be omitted when exactly one is open")
]


def register(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(description="Frame a new incident: user-visible symptom, severity, impact.")
    async def declare(
        symptom: Annotated[str, Field(description="What users see, in one sentence")],
        severity: Annotated[str, Field(description="SEV1–SEV4 or P0–P3")],
        impact: Annotated[str, Field(description="Blast radius in words")] = "",
        services: Annotated[list[str] | None, Field(description="Affected services")] = None,
        regions: Annotated[list[str] | None, Field(description="Affected regions")] = None,
        started: Annotated[str | None, Field(description="Onset, ISO-8601 or '12 min ago'")] = None,
    ) -> ActionResult:
        try:
            done = incidents.declare(app, symptom, severity=severity, impact=impact,
                                     services=services, regions=regions, started=started,
                                     actor=ctx.actor)  # fmt: skip
        except UserError as exc:
            return refused(exc)
        return ctx.done(done, f"declared {done.incident.id}; next: stabilize first")

    @server.tool(description="Log an action or observation on the incident timeline.")
    async def log(
        text: Annotated[str, Field(description="What was done or seen")],
        incident: IncidentId = None,
    ) -> ActionResult:
        return ctx.act(incident, "log", "log", {"text": text},
                       lambda key: ctx.done(incidents.log(app, key, text, actor=ctx.actor),
                                            "logged"))  # fmt: skip

    _register_reads(server, ctx)
    _register_moves(server, ctx)


def _register_reads(server: MCPServer[Any], ctx: ToolContext) -> None:
    """list and show: what the agent may read."""
    app = ctx.app

    @server.tool(
        name="list",
        description="The incidents you may read, newest first (open only unless "
        "include_closed); a restricted one you are not named on is absent.",
    )
    async def list_(
        include_closed: Annotated[bool, Field(description="Closed ones too")] = False,
    ) -> IncidentList:
        found = records.listing(app, include_closed=include_closed)
        return IncidentList(incidents=[ctx.summary_of(state) for state in found])

    @server.tool(description="Show an incident: state and the full timeline.")
    async def show(incident: IncidentId = None) -> IncidentView:
        try:
            shown = records.show(app, incident, verify=False)
        except UserError as exc:
            raise ToolError(exc.message) from None  # the agent sees the one-line reason
        scheme = app.settings.severity_scheme
        state = shown.incident
        return IncidentView(
            incident=IncidentSummary.of(state, str(shown.path), scheme),
            impact=state.impact.summary(),
            roles={k: list(v) for k, v in state.roles.items()},
            channel=state.channel,
            timeline=[TimelineEntry(seq=e.seq, at=iso(e.occurred_at), actor=e.actor, kind=e.kind,
                                    text=describe(e, scheme)) for e in shown.events],
        )  # fmt: skip


def _register_moves(server: MCPServer[Any], ctx: ToolContext) -> None:
    """status, severity and assign: the moves, under the approval policy."""
    _register_status(server, ctx)
    _register_severity_and_roles(server, ctx)


def _register_status(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(
        description="Move the incident's status (investigating, mitigating, mitigated, "
        "monitoring, resolved, closed). Resolving needs the recovery window and, by "
        "default, a human's approval."
    )
    async def status(
        target: Annotated[str, Field(description="The new status")],
        reason: Annotated[str, Field(description="Why")] = "",
        incident: IncidentId = None,
    ) -> ActionResult:
        wanted = Status.parse(target) if target.strip().lower() in set(Status) else None
        if wanted is None:
            return ActionResult(outcome="refused", message=f"unknown status {target!r}")

        def preflight(key: str) -> None:
            # the model's own checks (legal move, a final postmortem before closing), dry-run
            now = app.clock()
            decide.change_status(app.store.state(key), wanted, reason, ctx.actor, now, now)
            for guard in list(incidents.STATUS_GUARDS):
                guard(app, key, wanted, "")  # no override from an agent: only people override

        def run(key: str) -> ActionResult:
            done = incidents.set_status(app, key, wanted.value, reason, actor=ctx.actor)
            return ctx.done(done, f"{done.incident.id} is now {wanted.value}")

        return ctx.act(incident, "status", f"status:{wanted.value}",
                       {"target": wanted.value, "reason": reason}, run, preflight)  # fmt: skip


def _register_severity_and_roles(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(description="Raise or lower the severity (SEV1–SEV4 or P0–P3).")
    async def severity(
        target: Annotated[str, Field(description="SEV1–SEV4 or P0–P3")],
        reason: Annotated[str, Field(description="Why")] = "",
        incident: IncidentId = None,
    ) -> ActionResult:
        def run(key: str) -> ActionResult:
            done = incidents.set_severity(app, key, target, reason, actor=ctx.actor)
            return ctx.done(done, f"severity is now {done.incident.severity.label()}")

        return ctx.act(incident, "severity", "severity",
                       {"target": target, "reason": reason}, run)  # fmt: skip

    @server.tool(description="Assign a role: commander, scribe, comms_lead or responder.")
    async def assign(
        role: Annotated[str, Field(description="commander, scribe, comms_lead or responder")],
        people: Annotated[list[str], Field(description="One or more people")],
        incident: IncidentId = None,
    ) -> ActionResult:
        def run(key: str) -> ActionResult:
            done = incidents.assign(app, key, role, people, actor=ctx.actor)
            return ctx.done(done, f"{role} is now {', '.join(people)}")

        return ctx.act(incident, "assign", f"assign:{role}",
                       {"role": role, "people": people}, run)  # fmt: skip
