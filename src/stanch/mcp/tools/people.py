"""People tools: the incident type, paging and joining, evidence, the time-box, the meeting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from mcp.server import MCPServer
from pydantic import BaseModel, Field

from stanch.errors import UserError
from stanch.mcp.context import ToolContext, refused
from stanch.mcp.schemas import ActionResult, Outcome
from stanch.mcp.tools.incident import IncidentId
from stanch.model.clock import iso
from stanch.model.timeparse import parse_when
from stanch.services import meeting, people, timebox, types


class TimeboxOut(BaseModel):
    outcome: Outcome
    message: str
    reminder: str | None = Field(default=None, description="The reminder, when one fired")
    levers: list[str] = Field(default_factory=list, description="Unused reversible levers")
    elapsed_s: int | None = None
    event_seq: int | None = None


class MeetingOut(BaseModel):
    outcome: Outcome
    message: str
    start: str = ""
    end: str = ""
    location: str = Field(default="", description="Where the invite went (a file, a calendar)")
    attendees: list[str] = Field(default_factory=list)
    request_id: str | None = None


def register(server: MCPServer[Any], ctx: ToolContext) -> None:
    _type_tools(server, ctx)
    _paging_tools(server, ctx)
    _after_tools(server, ctx)


def _type_tools(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(
        description="Set the incident type (outage, partial_outage, degradation, "
        "data_integrity, security); a security incident becomes readable only by the "
        "people named on it."
    )
    async def type_set(
        target: Annotated[str, Field(description="The new type")],
        reason: Annotated[str, Field(description="Why")] = "",
        incident: IncidentId = None,
    ) -> ActionResult:
        def run(key: str) -> ActionResult:
            done = types.set_type(app, key, target, reason, actor=ctx.actor)
            return ctx.done(done, str(done.event.data.get("summary", f"type is now {target}")))

        return ctx.act(incident, "type_set", f"type:{target.strip().lower()}",
                       {"target": target, "reason": reason}, run)  # fmt: skip

    @server.tool(
        description="Preserve evidence before mitigating: copy log or dump files (on the "
        "stanch host) beside the incident file with their SHA-256. Commands are not run "
        "from an agent: a person runs `stanch preserve --command`."
    )
    async def preserve(
        files: Annotated[list[str], Field(min_length=1, description="Paths of files to keep")],
        note: Annotated[str, Field(description="What was preserved and why")] = "",
        incident: IncidentId = None,
    ) -> ActionResult:
        def run(key: str) -> ActionResult:
            done = types.preserve(app, key, [Path(f) for f in files], note=note, actor=ctx.actor)
            return ctx.done(done, str(done.event.data.get("summary", "evidence preserved")))

        return ctx.act(incident, "preserve", "preserve", {"files": files, "note": note}, run)


def _paging_tools(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(description="Record that a person, team or schedule was paged.")
    async def page(
        target: Annotated[str, Field(description="Person, team or schedule paged")],
        reason: Annotated[str, Field(description="Why")] = "",
        service: Annotated[str, Field(description="Service the page was for")] = "",
        incident: IncidentId = None,
    ) -> ActionResult:
        def run(key: str) -> ActionResult:
            done = people.page(app, key, target, reason=reason, service=service, actor=ctx.actor)
            return ctx.done(done, f"paged {target}")

        return ctx.act(incident, "page", "page",
                       {"target": target, "reason": reason, "service": service}, run)  # fmt: skip

    @server.tool(
        description="Record that you (the agent) acknowledged a page; an agent cannot "
        "acknowledge for a person."
    )
    async def ack(
        target: Annotated[str, Field(description="The page target acknowledged for")] = "",
        incident: IncidentId = None,
    ) -> ActionResult:
        def run(key: str) -> ActionResult:
            done = people.acknowledge(app, key, target=target, actor=ctx.actor)
            return ctx.done(done, "acknowledged")

        return ctx.act(incident, "ack", "ack", {"target": target}, run)

    @server.tool(description="Record that you (the agent) joined the response, in a role.")
    async def join(
        role: Annotated[
            str, Field(description="commander, scribe, comms_lead or responder")
        ] = "responder",
        incident: IncidentId = None,
    ) -> ActionResult:
        def run(key: str) -> ActionResult:
            done = people.join(app, key, role=role, actor=ctx.actor)
            return ctx.done(done, f"joined as {role}")

        return ctx.act(incident, "join", f"join:{role}", {"role": role}, run)


def _after_tools(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(
        description="Check the diagnosis time-box: when diagnosis has run too long without "
        "mitigation, record a reminder naming the unused reversible levers."
    )
    async def timebox_check(
        levers: Annotated[list[str] | None, Field(description="Known unused levers")] = None,
        incident: IncidentId = None,
    ) -> TimeboxOut:
        try:
            found = timebox.check(app, incident, levers=levers or (), actor=ctx.actor)
        except UserError as exc:
            return TimeboxOut(outcome="refused", message=refused(exc).message)
        hit = found.reminder
        if hit is None:
            return TimeboxOut(outcome="ok", message="no reminder: within the time-box, "
                              "already mitigating, or no lever")  # fmt: skip
        return TimeboxOut(outcome="ok", message=hit.text, reminder=hit.text, levers=list(hit.levers),
                          elapsed_s=int(hit.elapsed.total_seconds()), event_seq=found.seq)  # fmt: skip

    @server.tool(
        description="Propose the postmortem meeting (within 48 h of resolution): writes a "
        "calendar invite and records where it went."
    )
    async def meeting_propose(
        start: Annotated[str | None, Field(description="ISO start instead of the slot")] = None,
        incident: IncidentId = None,
    ) -> MeetingOut:
        kept: dict[str, meeting.Proposed] = {}

        def run(key: str) -> ActionResult:
            begin = parse_when(start, app.clock(), allow_future=True) if start else None
            kept["done"] = meeting.propose(app, key, start=begin, actor=ctx.actor)
            return ActionResult(outcome="ok", message="proposed")

        result = ctx.act(incident, "meeting_propose", "meeting", {"start": start}, run)
        done = kept.get("done")
        if done is None:
            return MeetingOut(outcome=result.outcome, message=result.message,
                              request_id=result.request_id)  # fmt: skip
        invite = done.invite
        return MeetingOut(outcome="ok", message=f"invite at {done.result.location}",
                          start=iso(invite.start), end=iso(invite.end),
                          location=done.result.location,
                          attendees=[a.name for a in invite.attendees])  # fmt: skip
