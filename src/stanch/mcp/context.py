"""What every MCP tool gets: the App, the approval rules, and who the agent is."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from stanch.errors import StanchError, UserError
from stanch.mcp.schemas import ActionResult, IncidentSummary
from stanch.mcp.settings import McpSettings
from stanch.mcp.settings import load as load_settings
from stanch.model.approvals import needs_approval
from stanch.model.incident import Incident
from stanch.services import approvals
from stanch.services.context import App
from stanch.services.incidents import Recorded


@dataclass
class ToolContext:
    app: App
    settings: McpSettings

    @classmethod
    def of(cls, app: App) -> ToolContext:
        """The agent reads as itself: a restricted incident it is not named on does not exist.

        The App is copied with the agent as its viewer (sharing the store), so a server that
        mounts this one keeps its own App and its own per-request viewers.
        """
        settings = load_settings(app.settings.raw)
        return cls(replace(app, viewer=agent_name(app, settings), _store=app.store), settings)

    @property
    def actor(self) -> str:
        return agent_name(self.app, self.settings)

    def summary(self, recorded: Recorded) -> IncidentSummary:
        scheme = self.app.settings.severity_scheme
        return IncidentSummary.of(recorded.incident, str(recorded.path), scheme)

    def summary_of(self, state: Incident) -> IncidentSummary:
        path = str(self.app.files.path(state.id))
        return IncidentSummary.of(state, path, self.app.settings.severity_scheme)

    def done(self, recorded: Recorded, message: str) -> ActionResult:
        return ActionResult(outcome="ok", message=message, incident=self.summary(recorded),
                            event_seq=recorded.event.seq)  # fmt: skip

    def act(self, incident: str | None, tool: str, action: str, args: dict[str, Any],
            run: Callable[[str], ActionResult],
            preflight: Callable[[str], None] | None = None) -> ActionResult:  # fmt: skip
        """Check, ask a human when policy says so, then run: refusals come back typed.

        An approval covers one successful run of exactly this call: when the run fails,
        the failure is recorded and the grant stands for the same call (until it expires).
        """
        try:
            key = self.app.resolve_id(incident)
            if preflight is not None:
                preflight(key)  # a guard that would refuse anyway refuses before asking anyone
            request = approvals.gate(self.app, key, rules=self.settings.approval_required,
                                     tool=tool, action=action, args=args, actor=self.actor,
                                     expires=self.settings.approval_expires)  # fmt: skip
        except UserError as exc:
            return refused(exc)
        if request is not None:
            return ActionResult(
                outcome="approval_required", request_id=request,
                message=f"a human must approve {action}: `stanch approve {request} "
                        f"--incident {key}`; then call {tool} again with the same arguments",
            )  # fmt: skip
        approved = needs_approval(self.settings.approval_required, action)
        try:
            result = run(key)
        except StanchError as exc:
            if approved:
                self._release(key, tool, args, exc.message)
            if isinstance(exc, UserError):
                return refused(exc)
            raise
        if approved and result.outcome != "ok":
            self._release(key, tool, args, result.message)
        return result

    def _release(self, key: str, tool: str, args: dict[str, Any], error: str) -> None:
        """Hand a claimed grant back; if even that cannot be written, it stays spent."""
        with contextlib.suppress(StanchError):
            approvals.release(self.app, key, tool=tool, args=args, actor=self.actor,
                              error=error)  # fmt: skip


def agent_name(app: App, settings: McpSettings) -> str:
    """Who the agent is, on the timeline and for reading: `[mcp] actor` or agent:<actor>."""
    return settings.actor or f"agent:{app.settings.actor}"


def refused(exc: UserError) -> ActionResult:
    text = exc.message + (f" (hint: {exc.hint})" if exc.hint else "")
    return ActionResult(outcome="refused", message=text)
