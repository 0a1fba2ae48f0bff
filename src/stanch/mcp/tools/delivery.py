"""Delivery, the incident channel and escalation triggers: `deliver`, `channel`, `--flag`."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server import MCPServer
from pydantic import Field

from stanch.errors import InvalidInput, UserError
from stanch.mcp.context import ToolContext, refused
from stanch.mcp.schemas import ActionResult
from stanch.mcp.tools.comms import CommsResult, Text, delivery_rows
from stanch.mcp.tools.evidence import as_agent, incident_summary, reachable, typed
from stanch.mcp.tools.incident import IncidentId
from stanch.model.clock import iso
from stanch.model.escalation import FLAG_TRIGGERS
from stanch.services import channel as channel_service
from stanch.services import escalation, outbox

Trigger = Annotated[str, Field(description=f"One of: {', '.join(FLAG_TRIGGERS)}")]


def register(server: MCPServer[Any], ctx: ToolContext) -> None:
    _register_deliver(server, ctx)
    _register_channel(server, ctx)
    _register_triggers(server, ctx)


def _register_deliver(server: MCPServer[Any], ctx: ToolContext) -> None:
    @server.tool(
        description="Send the incident's notifications still waiting in the outbox (the due "
        "ones, in order); each message is claimed first, so it goes out once."
    )
    async def deliver(incident: IncidentId = None) -> CommsResult:
        def run(key: str) -> ActionResult:
            agent = as_agent(ctx)
            escalation.resolve_pages(agent, key, ctx.actor)
            attempts = []
            if outbox.state(agent, key).pending:
                attempts = reachable(lambda: outbox.deliver(agent, key, actor=ctx.actor))
            left = len(outbox.state(agent, key).pending)
            said = f"{len(attempts)} sent or tried, {left} still pending" if attempts else (
                "nothing to deliver now")  # fmt: skip
            state = ctx.app.store.state(key)
            return CommsResult(outcome="ok", message=said, incident=incident_summary(ctx, state),
                               event_seq=state.last_seq, details={"pending": left},
                               deliveries=delivery_rows(attempts))  # fmt: skip

        return typed(CommsResult, ctx.act(incident, "deliver", "deliver", {}, run))


def _register_channel(server: MCPServer[Any], ctx: ToolContext) -> None:
    def slack_configured(_key: str) -> None:
        if "slack" not in outbox.config(ctx.app).providers:
            raise InvalidInput("Slack is not configured: add a [comms.slack] table to stanch.toml")

    @server.tool(
        description="Create the incident's Slack channel (named from the incident), set its "
        "topic, invite Slack user ids, post the declaration. A restricted incident's channel "
        "is private and carries no detail."
    )
    async def channel(
        invite: Annotated[list[str] | None, Field(description="Slack user ids")] = None,
        private: Annotated[bool, Field(description="A private channel")] = False,
        incident: IncidentId = None,
    ) -> CommsResult:
        def run(key: str) -> ActionResult:
            state, attempts = reachable(lambda: channel_service.open_channel(
                as_agent(ctx), key, invite=invite, private=private))  # fmt: skip
            now = ctx.app.store.state(key)
            return CommsResult(outcome="ok", message=f"#{state.channel}",
                               incident=incident_summary(ctx, now), event_seq=now.last_seq,
                               details={"channel": state.channel},
                               deliveries=delivery_rows(attempts))  # fmt: skip

        args = {"invite": sorted(invite or []), "private": private}
        done = ctx.act(incident, "channel", "channel", args, run, preflight=slack_configured)
        return typed(CommsResult, done)


def _register_triggers(server: MCPServer[Any], ctx: ToolContext) -> None:
    def known(trigger: str) -> None:
        if trigger not in FLAG_TRIGGERS:
            raise InvalidInput(f"unknown trigger {trigger!r}: use {', '.join(FLAG_TRIGGERS)}")

    @server.tool(
        description="Record that an escalation trigger holds (impact beyond scope or access, "
        "no lever, a destructive fix, a cause we do not own); answers the triggers now due."
    )
    async def escalation_flag(trigger: Trigger, reason: Text = "",
                              incident: IncidentId = None) -> CommsResult:  # fmt: skip
        def run(key: str) -> ActionResult:
            event = escalation.flag(as_agent(ctx), key, trigger, reason)
            return _due(ctx, key, f"flagged {trigger}", event.seq)

        args = {"trigger": trigger, "reason": reason}
        done = ctx.act(incident, "escalation_flag", f"flag:{trigger}", args, run,
                       preflight=lambda _key: known(trigger))  # fmt: skip
        return typed(CommsResult, done)

    @server.tool(description="The escalation triggers due now and not answered by a page.")
    async def escalation_check(incident: IncidentId = None) -> CommsResult:
        try:
            return _due(ctx, ctx.app.resolve_id(incident), "", None)
        except UserError as exc:
            return typed(CommsResult, refused(exc))


def _due(ctx: ToolContext, key: str, done: str, seq: int | None) -> CommsResult:
    state, due = escalation.due_triggers(ctx.app, key)
    said = "; ".join(f"escalation due: {t.reason} (since {iso(t.since)})" for t in due)
    said = ", ".join(part for part in (done, said or "no escalation due") if part)
    return CommsResult(outcome="ok", message=said, incident=incident_summary(ctx, state),
                       event_seq=seq, details={"escalation_due": [t.to_dict() for t in due]})  # fmt: skip
