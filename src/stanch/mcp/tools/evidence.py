"""Evidence tools: suspect changes, failing hop, onset, RED/USE metrics, hypotheses.

Each tool runs the same use case as `stanch evidence …` and records its finding on the
incident under the agent's name; the result carries the documented JSON of the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, TypeVar

from mcp.server import MCPServer
from pydantic import Field

from stanch.errors import EnvironmentProblem, UserError
from stanch.mcp.context import ToolContext, refused
from stanch.mcp.schemas import ActionResult, IncidentSummary
from stanch.mcp.tools.incident import IncidentId
from stanch.model.hypothesis import Hypothesis
from stanch.model.incident import Incident
from stanch.services import diagnose as diagnose_service
from stanch.services import evidence as evidence_service
from stanch.services import hypotheses, metrics, traces
from stanch.services.context import App

Result = TypeVar("Result", bound=ActionResult)
T = TypeVar("T")
When = Annotated[str | None, Field(description="ISO-8601 or '30 min ago'")]
Prometheus = Annotated[str | None, Field(description="Prometheus base URL (default: settings)")]


class Finding(ActionResult):
    """A finding recorded on the incident (`recorded_seq`), with the documented report."""

    recorded_seq: int | None = None
    report: dict[str, Any] = Field(default_factory=dict, description="As the CLI's --json")


class HypothesisOut(ActionResult):
    hypotheses: list[dict[str, Any]] = Field(
        default_factory=list, description="hid, text, predict, check, expect, verdict, value …"
    )


def as_agent(ctx: ToolContext) -> App:
    """The same App (store, clock, files) that records under the agent's name."""
    app = ctx.app
    return App(replace(app.settings, actor=ctx.actor), app.clock, app.viewer, app.store)


def incident_summary(ctx: ToolContext, state: Incident) -> IncidentSummary:
    scheme = ctx.app.settings.severity_scheme
    return IncidentSummary.of(state, str(ctx.app.files.path(state.id)), scheme)


def reachable(run: Callable[[], T]) -> T:
    """Run; a source that cannot be reached (Prometheus down …) becomes a one-line refusal."""
    try:
        return run()
    except EnvironmentProblem as exc:
        raise UserError(exc.message, hint=exc.hint) from None


def typed(cls: type[Result], result: ActionResult) -> Result:
    return result if isinstance(result, cls) else cls(**result.model_dump())


def finding(ctx: ToolContext, incident: str | None, action: str, args: dict[str, Any],
            run: Callable[[App, str], tuple[dict[str, Any], str, int | None]]) -> Finding:  # fmt: skip
    """Resolve, apply the approval policy (`evidence:<what>`), run, and type the answer."""
    agent = as_agent(ctx)

    def go(key: str) -> ActionResult:
        report, summary, seq = reachable(lambda: run(agent, key))
        state = ctx.app.store.state(key)
        return Finding(outcome="ok", message=summary, recorded_seq=seq, event_seq=seq,
                       report=report, incident=incident_summary(ctx, state))  # fmt: skip

    return typed(Finding, ctx.act(incident, action.replace(":", "_"), action, args, go))


def _hypotheses(found: list[Hypothesis]) -> list[dict[str, Any]]:
    return [h.to_dict() for h in found]


def register(server: MCPServer[Any], ctx: ToolContext) -> None:
    _register_change_findings(server, ctx)
    _register_metric_findings(server, ctx)
    _register_hypotheses(server, ctx)

    @server.tool(description="Everything found so far on the incident, with the open questions.")
    async def diagnose(incident: IncidentId = None) -> Finding:
        try:
            report = diagnose_service.diagnose(ctx.app, incident)
        except UserError as exc:
            return typed(Finding, refused(exc))
        return Finding(outcome="ok", message=f"diagnosis of {report['incident']}", report=report)


def _register_change_findings(server: MCPServer[Any], ctx: ToolContext) -> None:
    """What changed before onset, and where requests fail."""

    @server.tool(
        description="Suspect changes before onset (git, change log, Helm, rollouts), ranked; "
        "recorded as evidence.changes."
    )
    async def evidence_changes(
        incident: IncidentId = None, onset: When = None,
        window: Annotated[str | None, Field(description="How far back, e.g. 6h")] = None,
        services: Annotated[list[str] | None, Field(description="Affected services")] = None,
        tls: Annotated[list[str] | None, Field(description="TLS endpoints HOST:PORT whose "
                       "certificates to check (default: [evidence.certs] tls)")] = None,
    ) -> Finding:  # fmt: skip
        def run(app: App, key: str) -> tuple[dict[str, Any], str, int | None]:
            done = evidence_service.changes(app, key, onset=onset, window=window,
                                            services=services, tls=tls)  # fmt: skip
            report = done.to_dict()
            top = report["suspects"][0]["summary"] if report["suspects"] else "no suspect change"
            return report, f"{len(report['suspects'])} change(s); top: {top}", done.seq

        return finding(ctx, incident, "evidence:changes",
                       {"onset": onset, "window": window, "services": services, "tls": tls},
                       run)  # fmt: skip

    @server.tool(
        description="The failing hop in a trace file (OTLP/Jaeger JSON) or a trace store "
        "(`jaeger:URL`); recorded as evidence.traces."
    )
    async def evidence_traces(
        file: Annotated[str | None, Field(description="OTLP or Jaeger JSON file")] = None,
        source: Annotated[str | None, Field(description="jaeger:URL of a trace store")] = None,
        service: Annotated[str | None, Field(description="Service, with a store")] = None,
        incident: IncidentId = None, since: When = None, until: When = None,
    ) -> Finding:  # fmt: skip
        def run(app: App, key: str) -> tuple[dict[str, Any], str, int | None]:
            done = traces.traces(app, key, Path(file) if file else None, source=source,
                                 service=service, since=since, until=until)  # fmt: skip
            return done.to_dict(), done.summary(), done.seq

        return finding(ctx, incident, "evidence:traces",
                       {"file": file, "source": source, "service": service}, run)  # fmt: skip


def _register_metric_findings(server: MCPServer[Any], ctx: ToolContext) -> None:
    """When the flagging metric turned, and the service's RED/USE numbers around it."""

    @server.tool(
        description="Detect the onset of the flagging metric (PromQL or a series file) and "
        "compare it with the responder's; recorded as evidence.onset."
    )
    async def evidence_onset(
        query: Annotated[str | None, Field(description="PromQL returning one series")] = None,
        file: Annotated[str | None, Field(description="CSV time,value or Prometheus JSON")] = None,
        incident: IncidentId = None, since: When = None, until: When = None,
        prometheus: Prometheus = None,
    ) -> Finding:  # fmt: skip
        def run(app: App, key: str) -> tuple[dict[str, Any], str, int | None]:
            done = metrics.onset(app, key, query=query, file=Path(file) if file else None,
                                 since=since, until=until, prometheus=prometheus)  # fmt: skip
            return done.to_dict(), done.summary(), done.seq

        return finding(ctx, incident, "evidence:onset",
                       {"query": query, "file": file, "since": since, "until": until}, run)  # fmt: skip

    @server.tool(
        description="RED and USE numbers of a service, before vs after onset, each with its "
        "PromQL; recorded as evidence.metrics."
    )
    async def evidence_metrics(
        incident: IncidentId = None,
        service: Annotated[str | None, Field(description="Default: the incident's first")] = None,
        onset: When = None,
        window: Annotated[str | None, Field(description="Each side of onset, e.g. 30m")] = None,
        prometheus: Prometheus = None,
    ) -> Finding:  # fmt: skip
        def run(app: App, key: str) -> tuple[dict[str, Any], str, int | None]:
            done = metrics.metrics(app, key, service=service, onset_at=onset, window=window,
                                   prometheus=prometheus)  # fmt: skip
            return done.to_dict(), done.summary(), done.seq

        return finding(ctx, incident, "evidence:metrics",
                       {"service": service, "onset": onset, "window": window}, run)  # fmt: skip


def hypothesis_answer(ctx: ToolContext, incident: str | None, action: str, args: dict[str, Any],
                      run: Callable[[App, str], Hypothesis]) -> HypothesisOut:  # fmt: skip
    """Resolve, apply the approval policy, run as the agent, and answer with the hypothesis."""

    def go(key: str) -> ActionResult:
        found = reachable(lambda: run(as_agent(ctx), key))
        state = ctx.app.store.state(key)
        return HypothesisOut(outcome="ok", message=f"{found.hid} is {found.verdict}: {found.text}",
                             incident=incident_summary(ctx, state), event_seq=state.last_seq,
                             hypotheses=_hypotheses([found]))  # fmt: skip

    return typed(HypothesisOut, ctx.act(incident, action, action, args, go))


def _register_hypotheses(server: MCPServer[Any], ctx: ToolContext) -> None:
    @server.tool(
        description="Record one hypothesis with what it predicts; with a check (PromQL or "
        "traces:FILE) and an expectation ('> 0.05') it is checked now."
    )
    async def hypothesis(
        text: Annotated[str, Field(description="The suspected cause")],
        predict: Annotated[str, Field(description="What it predicts we would see")],
        check: Annotated[str | None, Field(description="PromQL or traces:FILE")] = None,
        expect: Annotated[str | None, Field(description="e.g. '> 0.05'")] = None,
        incident: IncidentId = None, prometheus: Prometheus = None,
    ) -> HypothesisOut:  # fmt: skip
        args = {"text": text, "predict": predict, "check": check, "expect": expect}
        return hypothesis_answer(
            ctx, incident, "hypothesis", args,
            lambda app, key: hypotheses.propose(app, key, text, predict=predict, check=check,
                                                expect=expect, prometheus=prometheus),
        )  # fmt: skip

    @server.tool(
        description="Give a hypothesis its verdict (supported, refuted, inconclusive) with the "
        "evidence, or omit the verdict to run its own check."
    )
    async def verdict(
        hid: Annotated[str, Field(description="H1, H2 …")],
        verdict: Annotated[str | None, Field(description="supported, refuted, inconclusive")] = None,
        evidence: Annotated[str, Field(description="What decided it")] = "",
        incident: IncidentId = None, prometheus: Prometheus = None,
    ) -> HypothesisOut:  # fmt: skip
        args = {"hid": hid, "verdict": verdict, "evidence": evidence}
        return hypothesis_answer(
            ctx, incident, "verdict", args,
            lambda app, key: hypotheses.verdict(app, key, hid, verdict, evidence=evidence,
                                                prometheus=prometheus),
        )  # fmt: skip

    @server.tool(description="The incident's hypotheses and their verdicts. Read-only.")
    async def hypotheses_list(incident: IncidentId = None) -> HypothesisOut:
        try:
            found = hypotheses.listing(ctx.app, incident)
        except UserError as exc:
            return typed(HypothesisOut, refused(exc))
        return HypothesisOut(outcome="ok", message=f"{len(found)} hypothesis(es)",
                             hypotheses=_hypotheses(found))  # fmt: skip
