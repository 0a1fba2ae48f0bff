"""Issue trackers that action items are synced to, behind one small protocol.

Each issue carries a marker line (`stanch-action: <incident>#<item>`), so an issue opened
by a sync that stopped before recording it is found again instead of opened twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from stanch.model.actions import ActionItem
from stanch.model.clock import iso

TIMEOUT_S = 10.0


@dataclass(frozen=True)
class TrackerResult:
    """ok (with url), none (nothing found), error (with message): never confused."""

    status: str  # "ok" | "none" | "error" (sync adds "private" and "busy")
    url: str | None = None
    number: int | None = None
    message: str = ""


class Tracker(Protocol):
    @property
    def name(self) -> str: ...

    def find(self, item: ActionItem) -> TrackerResult:
        """The issue already opened for the item (by its marker): ok, none or error."""
        ...

    def create(self, item: ActionItem, title: str) -> TrackerResult:
        """Open a ticket for the item."""
        ...


def marker(item: ActionItem) -> str:
    """The line that names the item in its issue, found again by `find`."""
    return f"stanch-action: {item.incident_id}#{item.item}"


def issue_body(item: ActionItem) -> str:
    return (
        f"{item.text}\n\n"
        f"- Incident: `{item.incident_id}` (action item {item.item})\n"
        f"- Owner: {item.owner}\n- Priority: {item.priority}\n- Due: {iso(item.due)}\n"
        f"- Type: {item.type} / {item.kind}\n\n{marker(item)}\n"
    )


def json_or_none(response: httpx.Response) -> Any:
    """The answer's JSON body, or None when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None
