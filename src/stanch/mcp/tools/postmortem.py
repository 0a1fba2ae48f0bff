"""Postmortem and action-item tools: draft, show, final; add, done, list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from mcp.server import MCPServer
from pydantic import BaseModel, Field

from stanch.errors import GuardRefused, UserError
from stanch.mcp.context import ToolContext, refused
from stanch.mcp.schemas import ActionResult, Outcome
from stanch.mcp.tools.incident import IncidentId
from stanch.model import actions as action_model
from stanch.model.actions import ActionItem
from stanch.postmortem.render import markdown
from stanch.services import access
from stanch.services import actions as action_service
from stanch.services import postmortem as pm_service
from stanch.services.postmortem import Draft


class ItemOut(BaseModel):
    ref: str = Field(description="<incident-id>#A<n>")
    text: str
    owner: str
    priority: str
    due: str
    type: str
    kind: str
    status: str = Field(description="open or done")
    overdue_s: int | None = None
    tracker_url: str | None = None


class PostmortemOut(BaseModel):
    outcome: Outcome
    message: str
    incident: str = ""
    state: str = Field(default="", description="none, draft, final or waived")
    ready_for_final: bool = False
    missing: list[str] = Field(default_factory=list, description="What blocks final")
    markdown: str = Field(default="", description="The postmortem as it reads in the file")
    action_items: list[ItemOut] = Field(default_factory=list)
    request_id: str | None = None


class ItemList(BaseModel):
    outcome: Outcome
    message: str
    items: list[ItemOut] = Field(default_factory=list)


def item_out(item: ActionItem, ctx: ToolContext) -> ItemOut:
    data = item.to_dict(ctx.app.clock())
    return ItemOut.model_validate({k: data[k] for k in ItemOut.model_fields})


def draft_out(draft: Draft, ctx: ToolContext, message: str) -> PostmortemOut:
    return PostmortemOut(
        outcome="ok", message=message, incident=draft.incident.id, state=draft.facts.state,
        ready_for_final=not draft.missing, missing=draft.missing,
        markdown=markdown(draft, ctx.app.settings.severity_scheme),
        action_items=[item_out(i, ctx) for i in draft.items],
    )  # fmt: skip


def as_postmortem(result: ActionResult) -> PostmortemOut:
    """An approval request or a refusal from `ctx.act`, in this tool's shape."""
    return PostmortemOut(outcome=result.outcome, message=result.message,
                         request_id=result.request_id)  # fmt: skip


def write_postmortem(ctx: ToolContext, incident: str | None, action: str, args: dict[str, Any],
                     write: Callable[[str], Draft], done: str,
                     preflight: Callable[[str], None] | None = None) -> PostmortemOut:  # fmt: skip
    """Write through the approval policy (`postmortem:<what>`); answer with the draft it left."""
    kept: list[Draft] = []

    def run(key: str) -> ActionResult:
        kept.append(write(key))
        return ActionResult(outcome="ok", message=done)

    result = ctx.act(incident, action.replace(":", "_"), action, args, run, preflight)
    if not kept:
        return as_postmortem(result)
    return draft_out(kept[0], ctx, f"postmortem of {kept[0].incident.id} {done}")


def register(server: MCPServer[Any], ctx: ToolContext) -> None:
    _register_postmortem_reads(server, ctx)
    _register_postmortem_writes(server, ctx)
    _register_action_writes(server, ctx)
    _register_action_reads(server, ctx)


def _register_postmortem_reads(server: MCPServer[Any], ctx: ToolContext) -> None:
    @server.tool(description="The postmortem as the events stand now, and what blocks final.")
    async def postmortem_show(incident: IncidentId = None) -> PostmortemOut:
        try:
            return draft_out(pm_service.build(ctx.app, incident), ctx, "as the events stand now")
        except UserError as exc:
            return as_postmortem(refused(exc))


def _register_postmortem_writes(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(
        description="Draft (or redraft) the blameless postmortem into the incident file from "
        "the events; optionally set fields first (summary, trigger, went_well, went_badly …)."
    )
    async def postmortem_draft(
        incident: IncidentId = None,
        fields: Annotated[
            dict[str, str] | None, Field(description="field name → value, e.g. summary")
        ] = None,
    ) -> PostmortemOut:
        given = dict(fields or {})

        def draft(key: str) -> Draft:
            for name, value in given.items():
                pm_service.set_field(app, key, name, value, actor=ctx.actor)
            return pm_service.write(app, key, actor=ctx.actor)[0]

        return write_postmortem(ctx, incident, "postmortem:draft", {"fields": given}, draft,
                                "drafted")  # fmt: skip

    @server.tool(
        description="Mark the postmortem final. Refused while the blameless check, the "
        "trigger category or an action item is missing (the refusal lists them)."
    )
    async def postmortem_final(incident: IncidentId = None) -> PostmortemOut:
        def preflight(key: str) -> None:
            missing = pm_service.build(app, key).missing
            if missing:
                raise GuardRefused("postmortem cannot be final yet: " + "; ".join(missing))

        return write_postmortem(ctx, incident, "postmortem:final", {},
                                lambda key: pm_service.finalize(app, key, actor=ctx.actor),
                                "is final", preflight)  # fmt: skip


def _register_action_writes(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(
        description="Add an owned, dated action item: concrete and testable (vague ones such "
        "as 'be more careful' are refused)."
    )
    async def action_add(
        text: Annotated[str, Field(description="A concrete, testable change")],
        owner: Annotated[str, Field(description="Who owns it")],
        priority: Annotated[str, Field(description="P0–P3")] = "P1",
        due: Annotated[str | None, Field(description="2026-12-01, ISO time or '14d'")] = None,
        type: Annotated[str, Field(description="mitigate, prevent, process, other")] = "prevent",
        kind: Annotated[
            str, Field(description="guardrail, alert, test, rollback, automation, fix, docs, other")
        ] = "fix",
        incident: IncidentId = None,
    ) -> ActionResult:
        spec = action_service.NewItem(text, owner, priority, due, type, kind)

        def run(key: str) -> ActionResult:
            item = action_service.add(app, key, spec, actor=ctx.actor)
            return ActionResult(outcome="ok", message=f"added {item.ref} for {item.owner}")

        return ctx.act(incident, "action_add", "action:add", {"text": text, "owner": owner,
                       "priority": priority, "due": due, "type": type, "kind": kind}, run)  # fmt: skip

    @server.tool(description="Mark an action item done, with how (a link, a PR …).")
    async def action_done(
        ref: Annotated[str, Field(description="<incident-id>#A2, or A2 with incident")],
        note: Annotated[str, Field(description="How it was done")] = "",
        incident: IncidentId = None,
    ) -> ActionResult:
        try:
            given, name = action_model.parse_item(ref)
        except UserError as exc:
            return refused(exc)

        def run(key: str) -> ActionResult:
            item = action_service.done(app, name, key, note, actor=ctx.actor)
            return ActionResult(outcome="ok", message=f"{item.ref} done")

        return ctx.act(given or incident, "action_done", "action:done",
                       {"ref": name, "note": note}, run)  # fmt: skip


def _register_action_reads(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(description="Action items (open ones, soonest due first), of one incident or all.")
    async def action_list(
        incident: Annotated[str | None, Field(description="One incident; all when omitted")] = None,
        owner: Annotated[str | None, Field(description="Only this owner's")] = None,
        include_done: Annotated[bool, Field(description="Done ones too")] = False,
    ) -> ItemList:
        try:
            if incident:
                access.check_read(app, incident)  # hidden reads exactly like missing
        except UserError as exc:
            return ItemList(outcome="refused", message=refused(exc).message)
        found = action_service.all_items(app, owner=owner, include_done=include_done)
        found = [i for i in found if incident is None or i.incident_id == incident]
        return ItemList(outcome="ok", message=f"{len(found)} item(s)",
                        items=[item_out(i, ctx) for i in found])  # fmt: skip
