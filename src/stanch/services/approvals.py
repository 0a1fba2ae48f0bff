"""Ask a human, record the answer, and spend an approval once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stanch.model import approvals
from stanch.model.approvals import Request
from stanch.model.events import NewEvent
from stanch.model.incident import Incident
from stanch.services.context import App, record
from stanch.services.incidents import Recorded


def pending(app: App, incident: str | None) -> tuple[str, list[Request]]:
    """Requests still waiting for a person."""
    key = app.resolve_id(incident)
    found = approvals.fold_requests(app.store.iter_events(key))
    return key, [r for r in found.values() if r.state == "pending"]


def answer(app: App, incident: str | None, request: str, *, grant: bool, reason: str = "",
           actor: str | None = None) -> Recorded:  # fmt: skip
    """A person approves or denies a request (`stanch approve`)."""
    key = app.resolve_id(incident)
    who = actor or app.settings.actor
    now = app.clock()

    def decision(_: Incident) -> NewEvent:
        found = approvals.fold_requests(app.store.iter_events(key))
        return approvals.decide(found, request, who, now, grant=grant, reason=reason)

    event, state = record(app, key, decision)
    return Recorded(state, event, app.files.path(key))


def gate(app: App, key: str, *, rules: Iterable[str], tool: str, action: str,
         args: dict[str, Any], actor: str) -> str | None:  # fmt: skip
    """None when the call may go ahead now; otherwise the id of the request a person must grant."""
    if not approvals.needs_approval(rules, action):
        return None
    found = approvals.fold_requests(app.store.iter_events(key))
    request_key = approvals.request_id(tool, args)
    if request_key in found and found[request_key].state == "granted":
        now = app.clock()
        record(app, key, lambda _: approvals.use(found, request_key, actor, now))
        return None
    new = approvals.request(found, tool, action, args, actor, app.clock())
    if new is not None:
        record(app, key, lambda _: new)
    return request_key
