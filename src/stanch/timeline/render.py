"""Render the incident file: a fixed-size header block, then one line per event.

The header block is padded to a reserved size so an append rewrites only the header
in place and adds one line at the end; the cost does not grow with the timeline.
The reserve grows by a deterministic rule, so regenerating from events gives the
same bytes as the incremental writes did.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from stanch.model.clock import human_duration, iso
from stanch.model.describe import describe
from stanch.model.durations import durations
from stanch.model.events import GENESIS, Event, canonical
from stanch.model.fold import apply
from stanch.model.incident import Incident
from stanch.model.severity import Scheme

TIMELINE_HEADING = b"\n## Timeline\n\n"
MARKER = "<!-- stanch:incident id={id} events={n} chain={chain} reserve={reserve} -->"
EVENT_TAG = " <!-- ev "
_PAD_MIN = len(b"<!--  -->\n")
_BLOCK = 1024
_SLACK = 512
# A backdated entry shows when it was written down, so readers can tell.
_BACKDATE_NOTE = timedelta(seconds=60)


def _inert(text: str) -> str:
    """Keep free text from opening or closing an HTML comment in the Markdown."""
    return text.replace("<!--", "&lt;!--").replace("-->", "--&gt;")


def _cell(text: str) -> str:
    return _inert(" ".join(text.split()).replace("|", "\\|")) or "—"


def header_text(state: Incident, scheme: Scheme, chain: str, reserve: int) -> str:
    """The header block without its padding."""
    people = state.roles
    rows = [
        ("Severity", f"{state.severity.label(scheme)} ({state.severity.meaning})"),
        ("Status", state.status.value),
        ("Impact", state.impact.summary()),
        ("Services", ", ".join(state.services) or "—"),
        ("Customer-visible", "yes" if state.customer_visible else "no"),
        ("Commander", ", ".join(people.get("commander", ())) or "—"),
        ("Scribe", ", ".join(people.get("scribe", ())) or "—"),
        ("Comms lead", ", ".join(people.get("comms_lead", ())) or "—"),
        ("Responders", ", ".join(people.get("responder", ())) or "—"),
        ("Channel", f"#{state.channel}"),
        ("Onset", iso(state.onset_at)),
        ("Detected", iso(state.detected_at)),
        ("Declared", iso(state.declared_at)),
        ("Durations", _durations(state)),
        ("Postmortem", state.postmortem),
    ]
    if state.type != "outage":  # outage files stay as they were before types existed
        rows.insert(0, ("Type", state.type.replace("_", " ")))
    lines = [
        f"# {_cell(state.symptom)}",
        "",
        MARKER.format(id=state.id, n=state.last_seq, chain=chain, reserve=reserve),
        "",
        "| Field | Value |",
        "|---|---|",
        f"| ID | {state.id} |",
        *(f"| {name} | {_cell(value)} |" for name, value in rows),
        "",
    ]
    for section in state.sections:
        lines += [f"## {_cell(section.title)}", "", section.markdown.rstrip(), ""]
    return "\n".join(lines)


def _durations(state: Incident) -> str:
    parts = [f"{name} {human_duration(value)}" for name, value in
             durations(state, state.last_event_at).items()]  # fmt: skip
    as_of = f" (as of {iso(state.last_event_at)})" if state.last_event_at else ""
    return "; ".join(parts) + as_of


def header_block(state: Incident, scheme: Scheme, chain: str, reserve: int) -> tuple[bytes, int]:
    """The padded header and the reserve it uses (grown only when it no longer fits)."""
    for _ in range(3):  # the reserve's own digits are part of the header
        body = header_text(state, scheme, chain, reserve).encode()
        if len(body) + _PAD_MIN <= reserve:
            pad = reserve - len(body) - _PAD_MIN
            return body + b"<!-- " + b" " * pad + b" -->\n", reserve
        reserve = -(-(len(body) + _PAD_MIN + _SLACK) // _BLOCK) * _BLOCK
    raise AssertionError("header reserve did not converge")  # pragma: no cover


def event_line(event: Event, scheme: Scheme) -> bytes:
    """`- 2026-11-22T10:03:07Z — alice — what happened <!-- ev {...} -->`."""
    when = iso(event.occurred_at)
    note = ""
    if event.recorded_at - event.occurred_at > _BACKDATE_NOTE:
        note = f" (recorded {iso(event.recorded_at)})"
    actor = _inert(" ".join(event.actor.split()))
    text = f"- {when} — {actor} — {_inert(describe(event, scheme))}{note}"
    return f"{text}{EVENT_TAG}{canonical(event.to_record())} -->\n".encode()


@dataclass(frozen=True)
class Rendered:
    header: bytes
    reserve: int
    state: Incident


def replay(events: Iterable[Event], scheme: Scheme) -> Iterator[tuple[Rendered, bytes]]:
    """Yield (header after the event, the event's line) as the incremental writer would."""
    state: Incident | None = None
    reserve = 0
    for event in events:
        state = apply(state, event)
        header, reserve = header_block(state, scheme, event.chain, reserve)
        yield Rendered(header, reserve, state), event_line(event, scheme)


def render_file(events: Iterable[Event], scheme: Scheme) -> bytes:
    """The whole file from the events (used for regeneration and verification)."""
    lines: list[bytes] = []
    last: Rendered | None = None
    for rendered, line in replay(events, scheme):
        last = rendered
        lines.append(line)
    if last is None:
        raise ValueError("no events")
    return last.header + TIMELINE_HEADING + b"".join(lines)


__all__ = ["GENESIS", "Rendered", "event_line", "header_block", "render_file", "replay"]
