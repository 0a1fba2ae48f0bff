"""Append-only events: every fact about an incident is one of these."""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from stanch.model.clock import from_iso, iso

JSONDict = dict[str, Any]
GENESIS = "0" * 64


class Kind(enum.StrEnum):
    """Event kinds of the incident core; other domains add their own dotted kinds."""

    DECLARED = "incident.declared"
    NOTE = "note"
    STATUS = "status.changed"
    SEVERITY = "severity.changed"
    ROLE = "role.assigned"
    AMENDED = "incident.amended"
    SECTION = "section.set"  # a named Markdown section of the incident file (postmortem …)


@dataclass(frozen=True)
class NewEvent:
    """An event before the store gives it its place in the total order."""

    kind: str
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    data: JSONDict = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """A recorded event: `occurred_at` is when it happened, `recorded_at` when it was written."""

    incident_id: str
    seq: int
    kind: str
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    data: JSONDict
    chain: str = GENESIS

    def to_record(self) -> JSONDict:
        """The canonical, self-contained form carried in files and exports."""
        return {
            "seq": self.seq,
            "kind": self.kind,
            "actor": self.actor,
            "at": iso(self.occurred_at),
            "rec": iso(self.recorded_at),
            "data": self.data,
        }

    @classmethod
    def from_record(cls, incident_id: str, record: JSONDict, chain: str = GENESIS) -> Event:
        return cls(
            incident_id=incident_id,
            seq=int(record["seq"]),
            kind=str(record["kind"]),
            actor=str(record["actor"]),
            occurred_at=from_iso(str(record["at"])),
            recorded_at=from_iso(str(record["rec"])),
            data=dict(record.get("data") or {}),
            chain=chain,
        )


def canonical(record: JSONDict) -> str:
    """Deterministic JSON, safe inside an HTML comment (no '<', '>' literally)."""
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def next_chain(previous: str, record: JSONDict) -> str:
    """Hash chain over the events, so any edit or loss is detectable in O(1) per append."""
    digest = hashlib.sha256()
    digest.update(previous.encode())
    digest.update(canonical(record).encode())
    return digest.hexdigest()


def sequence(incident_id: str, new: NewEvent, seq: int, previous_chain: str) -> Event:
    """Give a new event its sequence number and chain hash."""
    event = Event(incident_id, seq, new.kind, new.actor, new.occurred_at, new.recorded_at, new.data)
    return replace(event, chain=next_chain(previous_chain, event.to_record()))
