"""Read-only: what this incident's approval requests are waiting for (agents cannot approve)."""

from __future__ import annotations

from typing import Any

from mcp.server import MCPServer
from pydantic import BaseModel

from stanch.errors import UserError
from stanch.mcp.context import ToolContext
from stanch.mcp.tools.incident import IncidentId
from stanch.model.approvals import fold_requests


class ApprovalOut(BaseModel):
    request: str
    action: str
    state: str  # pending | granted | denied | used
    requested_by: str
    decided_by: str
    reason: str


class ApprovalList(BaseModel):
    outcome: str
    message: str
    requests: list[ApprovalOut]


def register(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(
        description="The approval requests of an incident and their state (pending, granted, "
        "denied, used). Only a person can approve, with `stanch approve`."
    )
    async def approvals(incident: IncidentId = None) -> ApprovalList:
        try:
            key = app.resolve_id(incident)
        except UserError as exc:
            return ApprovalList(outcome="refused", message=exc.message, requests=[])
        found = fold_requests(app.store.iter_events(key))
        items = [ApprovalOut(request=r.id, action=r.action, state=r.state,
                             requested_by=r.requested_by, decided_by=r.decided_by,
                             reason=r.reason) for r in found.values()]  # fmt: skip
        waiting = sum(item.state == "pending" for item in items)
        return ApprovalList(outcome="ok", message=f"{waiting} waiting for a person",
                            requests=items)  # fmt: skip
