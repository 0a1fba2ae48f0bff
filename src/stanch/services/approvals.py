"""Ask a human, record the answer, and spend an approval once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
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
         args: dict[str, Any], actor: str,
         expires: timedelta | None = None) -> str | None:  # fmt: skip
    """None when the call may go ahead now; otherwise the id of the request a person must grant.

    A usable grant is claimed before the call runs (re-read inside the write, so two
    identical calls cannot both claim it); `release` hands it back if the call fails.
    """
    if not approvals.needs_approval(rules, action):
        return None
    request_key = approvals.request_id(tool, args)
    now = app.clock()
    found = approvals.fold_requests(app.store.iter_events(key))
    if request_key in found and found[request_key].usable(now, expires):

        def claim(_: Incident) -> NewEvent:
            latest = approvals.fold_requests(app.store.iter_events(key))
            return approvals.use(latest, request_key, actor, now, expires)

        record(app, key, claim)
        return None
    new = approvals.request(found, tool, action, args, actor, now)
    if new is not None:
        record(app, key, lambda _: new)
    return request_key


def release(app: App, key: str, *, tool: str, args: dict[str, Any], actor: str,
            error: str) -> None:  # fmt: skip
    """The call a grant was claimed for failed: record why, and the grant stands again."""
    request_key = approvals.request_id(tool, args)
    claimed = approvals.fold_requests(app.store.iter_events(key)).get(request_key)
    if claimed is None or claimed.state != "used":
        return  # asked anew meanwhile: the new request is what a person answers
    now = app.clock()

    def back(_: Incident) -> NewEvent:
        found = approvals.fold_requests(app.store.iter_events(key))
        return approvals.failed(found, request_key, actor, now, error)

    record(app, key, back)
