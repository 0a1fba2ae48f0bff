"""Communication tools: owner, escalate, hand off, compose and post updates, what is owed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from mcp.server import MCPServer
from pydantic import Field

from stanch.errors import UserError
from stanch.mcp.context import ToolContext, refused
from stanch.mcp.schemas import ActionResult
from stanch.mcp.tools.evidence import as_agent, incident_summary, reachable, typed
from stanch.mcp.tools.incident import IncidentId
from stanch.owners.resolve import resolve
from stanch.services import escalation, outbox, updates
from stanch.services.outbox import Attempt

Text = Annotated[str, Field(description="Plain words; may be empty")]


class CommsResult(ActionResult):
    """What was recorded and sent (`deliveries`), or the draft / agenda asked for."""

    details: dict[str, Any] = Field(default_factory=dict)
    deliveries: list[dict[str, Any]] = Field(
        default_factory=list, description="provider, action, target, status, detail"
    )


def delivery_rows(attempts: list[Attempt]) -> list[dict[str, Any]]:
    return [{"provider": a.message.provider, "action": a.message.action,
             "target": a.message.target, "status": a.delivery.status.value,
             "detail": a.delivery.detail} for a in attempts]  # fmt: skip


def _read(run: Callable[[], tuple[str, dict[str, Any]]]) -> CommsResult:
    try:
        message, details = reachable(run)
    except UserError as exc:
        return typed(CommsResult, refused(exc))
    return CommsResult(outcome="ok", message=message, details=details)


def register(server: MCPServer[Any], ctx: ToolContext) -> None:
    _register_reads(server, ctx)
    _register_escalation(server, ctx)

    @server.tool(
        description="Post an update (internal to the channel, public to the status page, or "
        "both), composed from the timeline plus your words. Recorded as update.posted."
    )
    async def update_post(
        audience: Annotated[str, Field(description="internal, public or both")] = "internal",
        did: Text = "", next_step: Text = "", message: Text = "", eta: Text = "",
        title: Text = "",
        text: Annotated[str | None, Field(description="Full internal text, edited")] = None,
        incident: IncidentId = None,
    ) -> CommsResult:  # fmt: skip
        def run(key: str) -> ActionResult:
            agent = as_agent(ctx)
            draft = updates.compose(agent, key, did=did, next_step=next_step, message=message,
                                    eta=eta, title=title)  # fmt: skip
            posted, attempts = reachable(lambda: updates.post(agent, draft, audience=audience,
                                                               text=text))  # fmt: skip
            state = ctx.app.store.state(key)
            return CommsResult(outcome="ok", message=f"posted {audience} update",
                               incident=incident_summary(ctx, state), event_seq=posted[-1].seq,
                               details={"internal": text or draft.internal,
                                        "public_text": draft.public.text(),
                                        "seq": [e.seq for e in posted]},
                               deliveries=delivery_rows(attempts))  # fmt: skip

        args = {"audience": audience, "did": did, "next_step": next_step, "message": message,
                "eta": eta, "title": title, "text": text}  # fmt: skip
        return typed(CommsResult, ctx.act(incident, "update_post", f"update:{audience}", args, run))


def _register_reads(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(description="Who owns a service or a file path, and how to reach their on-call.")
    async def owner(
        subject: Annotated[str, Field(description="A service name or a repository path")],
        path: Annotated[bool, Field(description="Treat subject as a file path")] = False,
    ) -> CommsResult:
        def run() -> tuple[str, dict[str, Any]]:
            found = resolve(outbox.config(app), subject, is_path=path)
            said = f"{subject}: {found.team} (from {found.source})" if found.team else (
                f"no owner found for {subject}")  # fmt: skip
            return said, dict(found.to_dict())

        return _read(run)

    @server.tool(
        description="Draft the next update (internal and public texts) from the timeline, "
        "without recording or sending anything."
    )
    async def update_compose(did: Text = "", next_step: Text = "", message: Text = "",
                             eta: Text = "", title: Text = "",
                             incident: IncidentId = None) -> CommsResult:  # fmt: skip
        def run() -> tuple[str, dict[str, Any]]:
            draft = updates.compose(app, incident, did=did, next_step=next_step, message=message,
                                    eta=eta, title=title)  # fmt: skip
            return "draft (post it with update_post)", {
                "id": draft.incident.id, "internal": draft.internal,
                "public": draft.public.to_dict(), "public_text": draft.public.text()}  # fmt: skip

        return _read(run)

    @server.tool(
        description="What is owed now: updates due or overdue, escalation triggers due, "
        "deliveries pending or failed."
    )
    async def updates_agenda(incident: IncidentId = None) -> CommsResult:
        def run() -> tuple[str, dict[str, Any]]:
            owed = updates.agenda(app, incident).to_dict()
            late = " (OVERDUE)" if owed["overdue"] else ""
            return f"{len(owed['updates_due'])} update(s) due{late}, " \
                   f"{len(owed['escalation_due'])} escalation trigger(s) due", owed  # fmt: skip

        return _read(run)


def _register_escalation(server: MCPServer[Any], ctx: ToolContext) -> None:
    @server.tool(
        description="Page the owning on-call (or `to`) with a hand-off snapshot: severity, "
        "impact, what was tried, hypothesis, next step. Reason defaults to the due triggers."
    )
    async def escalate(reason: Text = "",
                       to: Annotated[str | None, Field(description="Team to page")] = None,
                       next_step: Text = "", hypothesis: Text = "",
                       incident: IncidentId = None) -> CommsResult:  # fmt: skip
        def run(key: str) -> ActionResult:
            done = reachable(lambda: escalation.escalate(
                as_agent(ctx), key, to=to, reason=reason, next_step=next_step,
                hypothesis=hypothesis))  # fmt: skip
            paged = "" if done.queued else "; no pager configured: reach the team directly"
            return CommsResult(outcome="ok", message=f"escalated to {done.team}{paged}",
                               incident=incident_summary(ctx, done.incident),
                               event_seq=done.incident.last_seq,
                               details={"team": done.team, "handoff": done.snapshot.to_dict(),
                                        "triggers": [t.to_dict() for t in done.triggers]},
                               deliveries=delivery_rows(done.attempts))  # fmt: skip

        args = {"reason": reason, "to": to, "next_step": next_step, "hypothesis": hypothesis}
        return typed(CommsResult, ctx.act(incident, "escalate", "escalate", args, run))

    @server.tool(description="Hand the incident to a new owner: a snapshot on the timeline and "
                 "in the channel, without paging.")  # fmt: skip
    async def handoff(to: Annotated[str, Field(description="The new owner")],
                      next_step: Text = "", hypothesis: Text = "",
                      incident: IncidentId = None) -> CommsResult:  # fmt: skip
        def run(key: str) -> ActionResult:
            snap, attempts = reachable(lambda: escalation.handoff_to(
                as_agent(ctx), key, to, next_step=next_step, hypothesis=hypothesis))  # fmt: skip
            state = ctx.app.store.state(key)
            return CommsResult(outcome="ok", message=f"handed off to {to}",
                               incident=incident_summary(ctx, state), event_seq=state.last_seq,
                               details={"handoff": snap.to_dict(), "text": snap.text()},
                               deliveries=delivery_rows(attempts))  # fmt: skip

        args = {"to": to, "next_step": next_step, "hypothesis": hypothesis}
        return typed(CommsResult, ctx.act(incident, "handoff", "handoff", args, run))
