"""`stanch actions sync`: one tracker issue per open action item, even with syncs running at once.

Each item is claimed before its issue is opened (the leased claims the outbox uses), the
events are read again under the claim, and the tracker is asked for an issue carrying the
item's marker before a new one is opened. So two syncs at once open one issue, and a sync
that stopped between opening an issue and recording it finds that issue the next time.
"""

from __future__ import annotations

import hashlib
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from stanch.errors import GuardRefused
from stanch.model import actions as model
from stanch.model.actions import ActionItem
from stanch.model.clock import utc
from stanch.model.events import NewEvent
from stanch.model.incident import Incident
from stanch.model.types import postmortem_private
from stanch.postmortem.tracker import Tracker, TrackerResult
from stanch.services.actions import all_items, new_event
from stanch.services.context import App, record
from stanch.services.people_config import people_config
from stanch.store import claims

PRIVATE_HINT = ('set [postmortem.github] private_repo = "owner/name" (or [postmortem.gitlab] '
                'private_project) to track them privately')  # fmt: skip
LEASE = timedelta(minutes=2)  # longer than a user lookup, a marker lookup and a create


def claim_key(item: ActionItem) -> str:
    """The claim's id: items share the outbox's claims table, so theirs are prefixed."""
    return "sync:" + hashlib.sha256(item.ref.encode()).hexdigest()[:40]


def sync(
    app: App, tracker: Tracker, incident: str | None = None, *, private: Tracker | None = None
) -> list[tuple[ActionItem, TrackerResult]]:
    """Open a ticket for every open item not yet synced; each success is an event.

    Items of a private postmortem (security, by default) go only to the `private` tracker;
    without one they are left out (status "private"), and naming such an incident is refused.
    An item another sync holds is left to it (status "busy").
    """
    found = all_items(app, now=app.clock())
    rules = people_config(app.settings).rules
    hidden = {s.id for s in app.store.incidents() if postmortem_private(s, rules)}
    if incident:
        found = [i for i in found if i.incident_id == incident]
        if incident in hidden and private is None:
            raise GuardRefused(f"{incident} has a private postmortem: its action items are "
                               "not copied to the shared tracker", hint=PRIVATE_HINT)  # fmt: skip
    owner = f"{socket.gethostname()}:{uuid.uuid4().hex}"
    results: list[tuple[ActionItem, TrackerResult]] = []
    for item in (i for i in found if not i.tracker_url):
        target = private if item.incident_id in hidden else tracker
        if target is None:
            results.append((item, TrackerResult("private", message="private postmortem: "
                                                f"not synced ({PRIVATE_HINT})")))  # fmt: skip
            continue
        result = _claimed(app, item, target, owner)
        if result is not None:
            results.append((item, result))
    return results


def _claimed(app: App, item: ActionItem, target: Tracker, owner: str) -> TrackerResult | None:
    """Claim the item, sync it, let go; None when another sync tracked it meanwhile."""
    engine = app.store.engine
    key = claim_key(item)
    if not claims.claim(engine, key, item.incident_id, owner, utc(app.clock()), LEASE):
        return TrackerResult("busy", message="another sync is opening its issue now")
    try:
        fresh = [i for i in model.items(item.incident_id, app.store.events(item.incident_id))
                 if i.item == item.item]  # fmt: skip
        if not fresh or fresh[0].tracker_url or not fresh[0].is_open:
            return None
        result = _open(target, fresh[0])
        if result.status == "ok":
            _record(app, fresh[0], target, result)
    except BaseException:
        claims.release(engine, key, owner)
        raise
    claims.release(engine, key, owner)
    return result


def _open(target: Tracker, item: ActionItem) -> TrackerResult:
    """The issue opened before for the item (by its marker), else a new one."""
    found = target.find(item)
    if found.status == "ok":
        return TrackerResult("ok", found.url, found.number, "already open; recorded")
    if found.status == "error":
        return found
    return target.create(item, f"[{item.priority}] {item.text}")


def _record(app: App, item: ActionItem, target: Tracker, result: TrackerResult) -> None:
    now = app.clock()
    data: dict[str, object] = {
        "item": item.item, "tracker": target.name, "url": result.url, "number": result.number,
        "summary": f"action item {item.item} tracked at {result.url}",
    }  # fmt: skip
    record(app, item.incident_id, _synced(data, now))


def _synced(data: dict[str, object], now: datetime) -> Callable[[Incident], NewEvent]:
    return lambda _: new_event(model.ACTION_SYNCED, "stanch-sync", now, now, data)
