"""Read an incident file back into events, and say exactly what is wrong with it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

from stanch.errors import InvalidInput
from stanch.model.events import GENESIS, Event, next_chain
from stanch.model.naming import check_incident_id
from stanch.timeline.render import EVENT_TAG

_MARKER = re.compile(
    rb"<!-- stanch:incident id=(?P<id>\S+) events=(?P<n>\d+) "
    rb"chain=(?P<chain>[0-9a-f]{64}) reserve=(?P<reserve>\d+) -->"
)


@dataclass(frozen=True)
class Marker:
    incident_id: str
    events: int
    chain: str
    reserve: int


@dataclass
class ParsedFile:
    """Events recovered from a file, plus every problem found on the way."""

    marker: Marker
    events: list[Event] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def chain(self) -> str:
        return self.events[-1].chain if self.events else GENESIS


def read_marker(head: bytes) -> Marker | None:
    """The marker from the first bytes of a file, or None if there is none."""
    found = _MARKER.search(head)
    if found is None:
        return None
    return Marker(
        found.group("id").decode(errors="replace"),
        int(found.group("n")),
        found.group("chain").decode(),
        int(found.group("reserve")),
    )


def line_record(line: bytes) -> dict[str, object] | None:
    """The event record embedded in one timeline line, or None if it has none."""
    tag = line.rfind(EVENT_TAG.encode())  # the payload never contains '<', so the last tag is ours
    if tag < 0 or not line.rstrip().endswith(b"-->"):
        return None
    payload = line[tag + len(EVENT_TAG) :].rstrip()[: -len(b"-->")].strip()
    try:
        record = json.loads(payload.decode())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return record if isinstance(record, dict) else None


def parse(content: bytes, source: str = "file") -> ParsedFile:
    """Parse a whole file; problems are collected, only an unusable file raises."""
    marker = read_marker(content[:65536])
    if marker is None:
        raise InvalidInput(f"{source}: not a stanch incident file (no stanch:incident marker)")
    check_incident_id(marker.incident_id)
    parsed = ParsedFile(marker)
    chain = GENESIS
    # Event lines live after the header block; sections above may hold any Markdown.
    offset = marker.reserve if content[marker.reserve : marker.reserve + 1] == b"\n" else 0
    first_line = content[:offset].count(b"\n") + 1
    for number, line in enumerate(content[offset:].split(b"\n"), start=first_line):
        if not line.startswith(b"- ") or EVENT_TAG.encode() not in line:
            continue
        record = line_record(line)
        if record is None:
            parsed.problems.append(f"line {number}: event data is damaged")
            continue
        try:
            event = Event.from_record(marker.incident_id, record)
        except (KeyError, TypeError, ValueError) as exc:
            parsed.problems.append(f"line {number}: event data is incomplete ({exc})")
            continue
        if event.seq != len(parsed.events) + 1:
            parsed.problems.append(
                f"line {number}: event {event.seq} where {len(parsed.events) + 1} was expected"
            )
            continue
        chain = next_chain(chain, event.to_record())
        parsed.events.append(replace(event, chain=chain))
    if not parsed.events:
        parsed.problems.append("no events found")
    if parsed.events and (marker.events, marker.chain) != (len(parsed.events), chain):
        parsed.problems.append(
            f"header says {marker.events} events, the timeline holds {len(parsed.events)} "
            "that do not hash to the header's chain"
        )
    return parsed
