"""Log signatures: group log files or a Loki query by error signature, pin them to the incident."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from mcp.server import MCPServer
from pydantic import Field

from stanch.errors import InvalidInput, UserError
from stanch.evidence.logs.report import Report
from stanch.mcp.context import ToolContext, refused
from stanch.mcp.schemas import ActionResult
from stanch.mcp.tools.evidence import Finding, as_agent, incident_summary, reachable, typed
from stanch.mcp.tools.incident import IncidentId
from stanch.services import logs
from stanch.services.context import App

MAX_TOP = 10


def _analyse(app: App, request: logs.Request, loki_url: str | None) -> Report:
    if any(str(p) == "-" for p in request.paths):
        raise InvalidInput("stdin is the MCP channel here: give log files or a Loki query")
    source = logs.loki_source(app, loki_url) if request.loki_query else None
    return logs.analyse(app, request, loki=source)


def register(server: MCPServer[Any], ctx: ToolContext) -> None:
    @server.tool(
        description="Group log lines (files on this host, or a LogQL query to Loki) by error "
        "signature, ranked by what changed around onset; pinned to the incident as "
        "evidence.logs unless pin is false."
    )
    async def evidence_logs(
        files: Annotated[list[str] | None, Field(description="Log files to read")] = None,
        loki: Annotated[str | None, Field(description="LogQL query, e.g. {app=\"checkout\"}")] = None,
        loki_url: Annotated[str | None, Field(description="Loki base URL (default: [logs])")] = None,
        start: Annotated[str | None, Field(description="Window start, ISO or '1h ago'")] = None,
        end: Annotated[str | None, Field(description="Window end")] = None,
        onset: Annotated[str | None, Field(description="Default: the incident's onset")] = None,
        log_format: Annotated[str | None, Field(description="Header layout, e.g. "
                              "'<Date> <Time> <Level> <Content>' (default: [logs] format)")] = None,
        time_format: Annotated[str | None, Field(description="strptime format of that "
                               "layout's timestamp, e.g. '%d/%m/%Y %H:%M:%S'")] = None,
        top: Annotated[int, Field(ge=1, le=MAX_TOP, description="Signatures to return")] = 5,
        pin: Annotated[bool, Field(description="Record on the incident")] = True,
        incident: IncidentId = None,
    ) -> Finding:  # fmt: skip
        paths = [Path(f) for f in files or []]
        if not pin:  # a look only: nothing is recorded, no incident needed
            try:
                request = logs.Request(paths, loki, start, end, onset, None, incident,
                                       log_format, time_format)  # fmt: skip
                found = reachable(lambda: _analyse(ctx.app, request, loki_url))
            except UserError as exc:
                return typed(Finding, refused(exc))
            return Finding(outcome="ok", message=found.summary(), report=found.to_json(top))

        def run(key: str) -> ActionResult:
            agent = as_agent(ctx)
            request = logs.Request(paths, loki, start, end, onset, None, key, log_format,
                                   time_format)  # fmt: skip
            found = reachable(lambda: _analyse(agent, request, loki_url))
            event = logs.pin(agent, found, key, top)
            state = ctx.app.store.state(key)
            return Finding(outcome="ok", message=found.summary(), event_seq=event.seq,
                           recorded_seq=event.seq, incident=incident_summary(ctx, state),
                           report=found.to_json(top))  # fmt: skip

        args = {"files": files, "loki": loki, "start": start, "end": end, "onset": onset,
                "log_format": log_format, "time_format": time_format}  # fmt: skip
        return typed(Finding, ctx.act(incident, "evidence_logs", "evidence:logs", args, run))
