"""Lever tools: scan the repository, plan, apply, undo and confirm one lever at a time.

The guard is the same one people meet at the CLI (`stanch.model.lever_guard`). Over MCP
the second confirmation of a destructive lever can only come from a person: an agent has
no typed confirmation, and its own approvals never count (`stanch mitigate --approve` or
`stanch approve` by a human does).
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server import MCPServer
from pydantic import BaseModel, Field

from stanch.errors import GuardRefused, InvalidInput, UserError
from stanch.mcp.context import ToolContext, refused
from stanch.mcp.schemas import ActionResult, Outcome
from stanch.mcp.tools.evidence import incident_summary
from stanch.mcp.tools.incident import IncidentId
from stanch.model.approvals import needs_approval
from stanch.model.incident import Incident
from stanch.model.lever_guard import ApplyRequest, book, is_destructive
from stanch.services import lever_types
from stanch.services import levers as service

LeverId = Annotated[str, Field(description="Lever id from `levers` (or its rank number)")]
Repo = Annotated[str | None, Field(description="Repository to scan (default: [levers] repo)")]
Live = Annotated[bool | None, Field(description="Read the cluster and flag services too "
                                    "(default: as [levers.live] says; read-only)")]  # fmt: skip


class LeverOut(BaseModel):
    id: str
    kind: str = Field(description="rollback, flag_off, scale or failover")
    target: str
    command: Any = Field(description="argv list, or a described change")
    rollback: Any = Field(description="argv list, a described change, or null (irreversible)")
    reversible: bool
    destructive: bool
    eta_s: int | None = None
    rank: int
    reason: str


class SurfaceOut(BaseModel):
    kind: str
    path: str
    name: str = ""
    details: dict[str, Any] = Field(default_factory=dict)


class LeverScan(BaseModel):
    outcome: Outcome
    message: str
    repo: str = ""
    files: int = 0
    surfaces: list[SurfaceOut] = Field(default_factory=list)
    levers: list[LeverOut] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="e.g. a live source that failed")
    live: dict[str, Any] = Field(default_factory=dict, description="what was read live, if on")


class LeverResult(ActionResult):
    """A lever step: the exact command and rollback recorded, or why nothing happened."""

    lever: str | None = None
    command: Any = None
    rollback: Any = None
    viable: bool | None = None
    destructive: bool | None = None
    confirmed_by: list[str] = Field(default_factory=list)


def _lever_out(data: dict[str, Any]) -> LeverOut:
    return LeverOut(id=str(data["id"]), kind=str(data["kind"]), target=str(data["target"]),
                    command=data["command"], rollback=data.get("rollback"),
                    reversible=bool(data.get("reversible")),
                    destructive=bool(data.get("destructive")), eta_s=data.get("eta_s"),
                    rank=int(data["rank"]), reason=str(data.get("reason", "")))  # fmt: skip


def _scan(ctx: ToolContext, repo: str | None, incident: str | None,
          live: bool | None = None) -> LeverScan:  # fmt: skip
    try:
        key = ctx.app.resolve_id(incident) if incident else None
        found = service.scan(ctx.app, repo, key, live=live).to_dict()
    except UserError as exc:
        return LeverScan(outcome="refused", message=refused(exc).message)
    surfaces = [SurfaceOut(kind=s["kind"], path=s["path"], name=s.get("name", ""),
                           details={k: v for k, v in s.items() if k not in ("kind", "path", "name")})
                for s in found["surfaces"]]  # fmt: skip
    levers = [_lever_out(lever) for lever in found["levers"]]
    return LeverScan(outcome="ok", message=f"{len(levers)} lever(s), best first",
                     repo=found["repo"], files=found["files"], surfaces=surfaces,
                     levers=levers, notes=found["notes"], live=found["live"])  # fmt: skip


def _result(ctx: ToolContext, state: Incident, message: str, **fields: Any) -> LeverResult:
    return LeverResult(outcome="ok", message=message, incident=incident_summary(ctx, state),
                       event_seq=state.last_seq, **fields)  # fmt: skip


def apply_preflight(ctx: ToolContext, key: str, lever: str, *, asking: bool) -> str:
    """Refuse what the guard would refuse; the plan's key. `asking`: a person is asked next.

    Every rule runs as for people, except the second confirmation of a destructive lever:
    over MCP only a person's approval counts (never a typed confirmation, never an agent).
    """
    current = book(ctx.app.store.iter_events(key))
    lever_key = lever.strip()
    plan = current.plans.get(lever_key)
    typed_destructive, reasons = lever_types.check(ctx.app, key, plan)
    target = str((plan or {}).get("target", ""))
    confirmed = ApplyRequest(lever_key, ctx.actor, True, target, typed_destructive)
    found = [(service.TYPE_RULES, r) for r in reasons] + service.broken_rules(confirmed, current)
    if found:
        service.record_refusal(ctx.app, key, lever_key, ctx.actor, found, plan)
        raise GuardRefused("refused: " + "; ".join(reason for _, reason in found))
    destructive = plan is not None and (typed_destructive
                                        or is_destructive(plan, current.incident_type))  # fmt: skip
    people = {who for who in current.approvals.get(lever_key, set())
              if who != ctx.actor and not who.startswith("agent:")}  # fmt: skip
    if destructive and not people and not asking:
        why = (f"{lever_key} is destructive or irreversible: a person must approve it first "
               f"(`stanch mitigate {key} {lever_key} --approve`); an agent cannot confirm it")  # fmt: skip
        service.record_refusal(ctx.app, key, lever_key, ctx.actor, [("person_approval", why)],
                               plan)  # fmt: skip
        raise GuardRefused(f"refused: {why}")
    return lever_key


def register(server: MCPServer[Any], ctx: ToolContext) -> None:
    _register_scan_and_plan(server, ctx)
    _register_apply(server, ctx)
    _register_undo_and_confirm(server, ctx)


def _register_scan_and_plan(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(
        description="Scan the repository for the control surface (deploys, flags, manifests, "
        "runbooks) and rank the levers that stop the bleeding, each with its way back. "
        "Read-only."
    )
    async def levers(repo: Repo = None, incident: IncidentId = None,
                     live: Live = None) -> LeverScan:  # fmt: skip
        return _scan(ctx, repo, incident, live)

    @server.tool(
        description="Plan a lever of the configured repository ([levers] repo) as a dry run: "
        "run its read-only viability check and record the exact command and rollback. "
        "Nothing in production changes."
    )
    async def lever_plan(lever: LeverId, incident: IncidentId = None) -> LeverResult:
        try:
            key = app.resolve_id(incident)
            done = service.plan(app, key, lever, actor=ctx.actor)  # the configured repo only
        except UserError as exc:
            return LeverResult(**refused(exc).model_dump())
        data = done.plan
        return _result(ctx, done.incident, str(data["summary"]), lever=done.lever.id,
                       command=data["command"], rollback=data["rollback"],
                       viable=bool(data["viable"]), destructive=bool(data.get("destructive")))  # fmt: skip


def _register_apply(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(
        description="Apply a planned lever under the guard: its rollback must be recorded and "
        "verified, no other lever may be unconfirmed, and a destructive one needs a person's "
        "approval. May answer approval_required."
    )
    async def lever_apply(
        lever: Annotated[str, Field(description="The planned lever's id")],
        incident: IncidentId = None,
    ) -> LeverResult:
        if lever.strip().isdigit():  # an approval is for one exact lever, never a rank
            return LeverResult(outcome="refused", message="name the lever by its id "
                               "(`levers` and `lever_plan` give it), not by its rank")  # fmt: skip
        asking = needs_approval(ctx.settings.approval_required, "lever:apply")

        def preflight(key: str) -> None:
            apply_preflight(ctx, key, lever, asking=asking)

        def run(key: str) -> ActionResult:
            chosen = apply_preflight(ctx, key, lever, asking=False)  # now a person must have
            done = service.apply(app, key, chosen, actor=ctx.actor)
            data = done.data
            return _result(ctx, done.incident, str(data["summary"]), lever=done.lever,
                           command=data["command"], rollback=data["rollback"],
                           destructive=bool(data["destructive"]),
                           confirmed_by=list(data["confirmed_by"]))  # fmt: skip

        return _typed(ctx.act(incident, "lever_apply", "lever:apply", {"lever": lever}, run,
                              preflight))  # fmt: skip


def _register_undo_and_confirm(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(
        description="Undo an applied lever by running its recorded rollback. May answer "
        "approval_required."
    )
    async def lever_undo(lever: Annotated[str | None, Field(
        description="The applied lever (may be omitted when only one is applied)")] = None,
                         incident: IncidentId = None) -> LeverResult:  # fmt: skip
        def run(key: str) -> ActionResult:
            done = service.undo(app, key, lever, actor=ctx.actor)
            return _result(ctx, done.incident, str(done.data["summary"]), lever=done.lever,
                           command=done.data["command"])  # fmt: skip

        return _typed(ctx.act(incident, "lever_undo", "lever:undo", {"lever": lever}, run))

    @server.tool(
        description="Confirm the applied lever worked, with the evidence (prefer `watch`, which "
        "confirms from the flagging signal). Moves mitigating to mitigated."
    )
    async def lever_confirm(
        evidence: Annotated[str, Field(description="What shows it worked, with numbers")],
        lever: Annotated[str | None, Field(description="The applied lever (optional)")] = None,
        incident: IncidentId = None,
    ) -> LeverResult:
        def run(key: str) -> ActionResult:
            if not evidence.strip():
                raise InvalidInput("say what shows the lever worked")
            state = service.confirm(app, key, lever, by=ctx.actor, evidence=evidence)
            return _result(ctx, state, f"confirmed: {state.id} is {state.status.value}",
                           lever=lever)  # fmt: skip

        return _typed(ctx.act(incident, "lever_confirm", "lever:confirm",
                              {"lever": lever, "evidence": evidence}, run))  # fmt: skip


def _typed(result: ActionResult) -> LeverResult:
    return result if isinstance(result, LeverResult) else LeverResult(**result.model_dump())
