"""Human approval of what an agent asked to do: requested, granted or denied, used once.

Policy says which actions need a person (`status:resolved`, `signal`, `lever:apply` …).
An agent's request is recorded; a human grants or denies it from the CLI; the agent's
identical call then succeeds exactly once. The grant is claimed (`approval.used`) before
the call runs, so two identical calls never both act on it; a call that then fails
records `approval.failed`, which hands the grant back for the same call until it expires.
Every step is an event on the timeline.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from stanch.errors import GuardRefused, InvalidInput, NotFound
from stanch.model.events import Event, NewEvent

APPROVAL_REQUESTED = "approval.requested"  # {"request", "tool", "action", "args", "summary"}
APPROVAL_GRANTED = "approval.granted"  # {"request", "reason", "summary"}
APPROVAL_DENIED = "approval.denied"  # {"request", "reason", "summary"}
APPROVAL_USED = "approval.used"  # {"request", "summary"}
APPROVAL_FAILED = "approval.failed"  # {"request", "error", "summary"}: the grant stands again

# What needs a person unless [mcp] approval_required says otherwise: resolving and
# closing, changing the signal that gates resolution, and any production change.
DEFAULT_REQUIRED = ("status:resolved", "status:closed", "signal", "lever:apply", "lever:undo")


@dataclass(frozen=True)
class Request:
    id: str
    tool: str
    action: str
    args: dict[str, Any]
    requested_by: str
    state: str = "pending"  # pending | granted | denied | used
    decided_by: str = ""
    reason: str = ""
    granted_at: datetime | None = None
    failures: int = 0

    def usable(self, now: datetime, expires: timedelta | None) -> bool:
        """Granted, and (when grants expire) granted less than `expires` ago."""
        if self.state != "granted":
            return False
        return expires is None or self.granted_at is None or now - self.granted_at < expires


def needs_approval(rules: Iterable[str], action: str) -> bool:
    """`status:resolved` matches the rules `status:resolved`, `status` and `*`."""
    family = action.split(":", 1)[0]
    return any(rule in ("*", action, family) for rule in rules)


def request_id(tool: str, args: Mapping[str, Any]) -> str:
    """The same call gets the same id, so asking twice does not ask twice."""
    text = json.dumps({"tool": tool, "args": args}, sort_keys=True, default=str)
    return "req-" + hashlib.sha256(text.encode()).hexdigest()[:10]


def fold_requests(events: Iterable[Event]) -> dict[str, Request]:
    """Every request of the incident with its latest state (a used one may be asked again)."""
    found: dict[str, Request] = {}
    for event in events:
        key = str(event.data.get("request", ""))
        if event.kind == APPROVAL_REQUESTED:
            found[key] = Request(key, str(event.data["tool"]), str(event.data["action"]),
                                 dict(event.data.get("args") or {}), event.actor)  # fmt: skip
        elif key in found and event.kind in (APPROVAL_GRANTED, APPROVAL_DENIED):
            state = "granted" if event.kind == APPROVAL_GRANTED else "denied"
            reason = str(event.data.get("reason", ""))
            found[key] = replace(found[key], state=state, decided_by=event.actor, reason=reason,
                                 granted_at=event.recorded_at if state == "granted" else None)  # fmt: skip
        elif key in found and event.kind == APPROVAL_USED:
            found[key] = replace(found[key], state="used")
        elif key in found and event.kind == APPROVAL_FAILED and found[key].state == "used":
            found[key] = replace(found[key], state="granted", failures=found[key].failures + 1)
    return found


def request(
    requests: Mapping[str, Request], tool: str, action: str, args: dict[str, Any],
    actor: str, now: datetime,
) -> NewEvent | None:  # fmt: skip
    """The event asking a human, or None when the same request is already pending."""
    key = request_id(tool, args)
    if key in requests and requests[key].state == "pending":
        return None
    summary = f"{actor} asks a human to approve {action} ({key})"
    data = {"request": key, "tool": tool, "action": action, "args": args, "summary": summary}
    return NewEvent(APPROVAL_REQUESTED, actor, now, now, data)


def decide(
    requests: Mapping[str, Request], key: str, actor: str, now: datetime, *,
    grant: bool, reason: str = "",
) -> NewEvent:  # fmt: skip
    """A person grants or denies a pending request; the requester cannot approve itself."""
    found = requests.get(key)
    if found is None:
        raise NotFound(f"no approval request {key!r} on this incident")
    if found.state != "pending":
        raise InvalidInput(f"request {key} is already {found.state}")
    if actor == found.requested_by:
        raise GuardRefused(f"{actor} asked for {key} and cannot approve it too")
    verb = "approved" if grant else "denied"
    summary = f"{actor} {verb} {found.action} ({key})" + (f": {reason}" if reason else "")
    kind = APPROVAL_GRANTED if grant else APPROVAL_DENIED
    return NewEvent(kind, actor, now, now, {"request": key, "reason": reason, "summary": summary})


def use(requests: Mapping[str, Request], key: str, actor: str, now: datetime,
        expires: timedelta | None = None) -> NewEvent:  # fmt: skip
    """Claim a granted approval for the call it was granted for (before the call runs)."""
    found = requests.get(key)
    if found is None or not found.usable(now, expires):
        raise GuardRefused(f"request {key} is not approved")
    summary = f"{actor} acts on approval {key}: {found.action}"
    return NewEvent(APPROVAL_USED, actor, now, now, {"request": key, "summary": summary})


def failed(requests: Mapping[str, Request], key: str, actor: str, now: datetime,
           error: str) -> NewEvent:  # fmt: skip
    """The approved call failed: the grant stands again, for the same call only."""
    found = requests.get(key)
    if found is None or found.state != "used":
        raise GuardRefused(f"request {key} was not claimed by a call")
    summary = (f"{found.action} failed after approval {key}: {error}; "
               f"the approval stands for the same call")  # fmt: skip
    data = {"request": key, "error": error, "summary": summary}
    return NewEvent(APPROVAL_FAILED, actor, now, now, data)
