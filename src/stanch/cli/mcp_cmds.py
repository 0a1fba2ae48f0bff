"""`stanch mcp` (the AI responders' door), and `stanch approve` / `stanch approvals` for people."""

from __future__ import annotations

from typing import Annotated

import typer

from stanch.cli.context import ACTOR_OPTION, JSON_OPTION, app_of, console, emit_json
from stanch.services import approvals


def mcp(ctx: typer.Context) -> None:
    """Serve the MCP tools, resources and prompt on stdin/stdout for an AI agent."""
    from stanch.mcp.server import run_stdio  # the SDK loads only for this command

    run_stdio(app_of(ctx))


def approve(
    ctx: typer.Context,
    request: Annotated[str, typer.Argument(help="The request id an agent was given.")],
    deny: Annotated[bool, typer.Option("--deny", help="Refuse instead of approving.")] = False,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why.")] = "",
    incident: Annotated[str | None, typer.Option("--incident", "-i")] = None,
    actor: Annotated[str | None, ACTOR_OPTION] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """Approve (or --deny) what an agent asked to do; recorded on the timeline."""
    done = approvals.answer(app_of(ctx), incident, request, grant=not deny, reason=reason,
                            actor=actor)  # fmt: skip
    if as_json:
        emit_json({"id": done.incident.id, "seq": done.event.seq, "kind": done.event.kind,
                   "request": request})  # fmt: skip
    else:
        console.print(str(done.event.data["summary"]), markup=False)


def approvals_(
    ctx: typer.Context,
    incident: Annotated[str | None, typer.Option("--incident", "-i")] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """List what agents are waiting for a person to approve."""
    key, waiting = approvals.pending(app_of(ctx), incident)
    if as_json:
        emit_json([{"request": r.id, "action": r.action, "tool": r.tool, "args": r.args,
                    "requested_by": r.requested_by} for r in waiting])  # fmt: skip
        return
    if not waiting:
        console.print(f"{key}: nothing waits for approval")
    for r in waiting:
        console.print(f"{r.id}  {r.action}  by {r.requested_by}  {r.args}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(mcp)
    app.command()(approve)
    app.command("approvals")(approvals_)
