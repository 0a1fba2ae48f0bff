"""Confirm-by-evidence tools: set the flagging signal, watch it, read the recovery window."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from mcp.server import MCPServer
from pydantic import Field

from stanch.errors import UserError
from stanch.mcp.context import ToolContext, refused
from stanch.mcp.schemas import ActionResult, Recovery, SampleOut, WatchResult
from stanch.mcp.tools.incident import IncidentId
from stanch.model.clock import iso
from stanch.model.watching import Progress
from stanch.services import watch as watch_service
from stanch.services.watch import SampleOutcome

MAX_SAMPLES = 20  # one tool call stays short; the agent calls again to keep watching
MAX_INTERVAL_S = 60.0


def recovery_of(prog: Progress) -> Recovery:
    return Recovery(window_s=int(prog.window.total_seconds()), needed_samples=prog.needed_samples,
                    healthy_samples=prog.samples,
                    healthy_for_s=int(prog.healthy_for.total_seconds()), stale=prog.stale,
                    complete=prog.complete, explanation=prog.explain())  # fmt: skip


def sample_of(outcome: SampleOutcome) -> SampleOut:
    return SampleOut(seq=outcome.sampled.seq, at=iso(outcome.sampled.occurred_at),
                     value=outcome.reading.value, read=outcome.reading.status.value,
                     healthy=outcome.healthy, confirmed=outcome.confirmed is not None,
                     relapsed=outcome.relapsed is not None,
                     status=outcome.incident.status.value)  # fmt: skip


def register(server: MCPServer[Any], ctx: ToolContext) -> None:
    _register_signal(server, ctx)
    _register_watching(server, ctx)


def _register_signal(server: MCPServer[Any], ctx: ToolContext) -> None:
    app = ctx.app

    @server.tool(
        description="Record the flagging signal (PromQL, http URL or command) and its healthy "
        "rule, e.g. '< 0.01'. It confirms mitigations and gates resolution; by default a "
        "human must approve a change to it."
    )
    async def signal_set(
        kind: Annotated[str, Field(description="promql, http or command")],
        expr: Annotated[str, Field(description="PromQL, an http(s) URL, or a command line")],
        healthy: Annotated[str | None, Field(description="Healthy rule, e.g. '< 0.01'")] = None,
        source: Annotated[str, Field(description="Prometheus base URL (optional)")] = "",
        incident: IncidentId = None,
    ) -> ActionResult:
        args = {"kind": kind, "expr": expr, "healthy": healthy, "source": source}

        def run(key: str) -> ActionResult:
            done = watch_service.set_signal(app, key, kind, expr, healthy, source=source,
                                            actor=ctx.actor)  # fmt: skip
            return ctx.done(done, str(done.event.data["summary"]))

        return ctx.act(incident, "signal_set", "signal", args, run)


def _register_watching(server: MCPServer[Any], ctx: ToolContext) -> None:
    """watch and recovery: sample the signal, and where the recovery window stands."""
    app = ctx.app

    @server.tool(
        description="Sample the flagging signal now (a few times at most): confirms the "
        "mitigation after consecutive healthy samples, moves back to mitigating on relapse, "
        "and reports the recovery window."
    )
    async def watch(
        incident: IncidentId = None,
        samples: Annotated[int, Field(ge=1, le=MAX_SAMPLES, description="How many")] = 1,
        interval_s: Annotated[
            float, Field(ge=0, le=MAX_INTERVAL_S, description="Seconds between samples")
        ] = 0,
    ) -> WatchResult:
        try:
            report = watch_service.watch(app, incident, max_samples=samples, until="never",
                                         actor=ctx.actor,
                                         interval=timedelta(seconds=interval_s) if interval_s
                                         else timedelta(microseconds=1))  # fmt: skip
        except UserError as exc:
            return WatchResult(outcome="refused", message=refused(exc).message)
        last = report.outcomes[-1]
        return WatchResult(outcome="ok", message=last.progress.explain(), stopped=report.stopped,
                           samples=[sample_of(o) for o in report.outcomes],
                           recovery=recovery_of(last.progress))  # fmt: skip

    @server.tool(description="Where the incident stands against its recovery window.")
    async def recovery(incident: IncidentId = None) -> WatchResult:
        try:
            _, prog = watch_service.recovery(app, incident)
        except UserError as exc:
            return WatchResult(outcome="refused", message=refused(exc).message)
        return WatchResult(outcome="ok", message=prog.explain(), recovery=recovery_of(prog))
