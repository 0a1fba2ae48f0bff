"""Build the MCP server: tools from every `mcp.tools` module, resources, the prompt."""

from __future__ import annotations

import json
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError

from stanch import __version__
from stanch.errors import NotFound
from stanch.mcp import prompts, tools
from stanch.mcp.context import ToolContext
from stanch.services import access
from stanch.services.context import App

INSTRUCTIONS = (
    "stanch records and guards incident response. Use the responder_procedure prompt; "
    "every tool acts on the same incidents a person sees with the stanch CLI. Mutating "
    "tools may answer approval_required: a human then approves with `stanch approve`."
)


def build_server(app: App) -> MCPServer[Any]:
    """One server over one App; every door's guardrails apply, plus the approval policy."""
    server: MCPServer[Any] = MCPServer(
        name="stanch", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    ctx = ToolContext.of(app)
    tools.register_all(server, ctx)
    _resources(server, ctx.app)

    @server.prompt(name="responder_procedure", description="How to work an incident, step by step.")
    def responder_procedure(incident: str = "") -> str:
        return prompts.responder_procedure(incident)

    return server


def _resources(server: MCPServer[Any], app: App) -> None:
    @server.resource("stanch://incidents", name="incidents", mime_type="application/json",
                     description="Open incidents")  # fmt: skip
    def incidents() -> str:
        shown = access.visible(app, app.store.incidents(open_only=True))
        return json.dumps([s.to_dict() for s in shown])

    @server.resource("stanch://incidents/{incident_id}/file", mime_type="text/markdown",
                     description="The incident's timeline file, as people read it")  # fmt: skip
    def incident_file(incident_id: str) -> str:
        _known(app, incident_id)
        return app.files.path(incident_id).read_text(encoding="utf-8")

    @server.resource("stanch://incidents/{incident_id}/timeline",
                     mime_type="application/json",
                     description="Every event of the incident, in order")  # fmt: skip
    def timeline(incident_id: str) -> str:
        _known(app, incident_id)
        events: list[dict[str, Any]] = [e.to_record() for e in app.store.iter_events(incident_id)]
        return json.dumps(events, ensure_ascii=False)


def _known(app: App, incident_id: str) -> None:
    """A hidden incident reads exactly like a missing one."""
    try:
        access.check_read(app, incident_id)
    except NotFound as exc:
        raise ResourceNotFoundError(exc.message) from None


def run_stdio(app: App) -> None:
    """Serve on stdin/stdout until the client goes away."""
    build_server(app).run("stdio")


def http_app(app: App) -> Any:
    """A streamable-HTTP ASGI app (path /mcp) the HTTP server can mount."""
    return build_server(app).streamable_http_app()
