"""The evidence event a log analysis leaves on the incident (pure: no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from stanch.model.clock import utc
from stanch.model.events import NewEvent
from stanch.model.incident import Incident

EVIDENCE_LOGS: Final = "evidence.logs"
# data: {"summary", "sources", "window": {"from", "to"}, "onset", "lines": {...},
#        "signatures_total", "signatures": [{"id", "template", "change", "count",
#        "before_onset", "after_onset", "first": {"at", "source", "line", "text",
#        "preceding"}, ...}]}


def logs_found(state: Incident, data: dict[str, Any], summary: str, actor: str,
               now: datetime) -> NewEvent:  # fmt: skip
    """Pin a log analysis to the incident; evidence is welcome in any status."""
    del state  # any incident may take evidence, even a resolved one (postmortem)
    body = {"summary": summary, **data}
    return NewEvent(
        EVIDENCE_LOGS, actor.splitlines()[0][:100] or "stanch", utc(now), utc(now), body
    )
