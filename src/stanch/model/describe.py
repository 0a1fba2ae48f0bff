"""One line of plain text per event, for the timeline file and the terminal."""

from __future__ import annotations

from collections.abc import Callable

from stanch.model.events import Event, Kind
from stanch.model.incident import Impact
from stanch.model.severity import Scheme, Severity


def _one_line(text: str) -> str:
    # The timeline is one line per event; keep the line, show where the breaks were.
    return " ⏎ ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _declared(event: Event, scheme: Scheme) -> str:
    d = event.data
    sev = Severity(int(d["severity"])).label(scheme)
    impact = Impact.from_dict(d.get("impact") or {}).summary()
    kind = f" {str(d['type']).replace('_', ' ')} incident" if d.get("type") else ""
    return f"declared {sev}{kind}: {d['symptom']} (impact: {impact})"


def _status(event: Event, _: Scheme) -> str:
    text = f"status {event.data['from']} → {event.data['to']}"
    return f"{text}: {event.data['reason']}" if event.data.get("reason") else text


def _severity(event: Event, scheme: Scheme) -> str:
    old = Severity(int(event.data["from"])).label(scheme)
    new = Severity(int(event.data["to"])).label(scheme)
    text = f"severity {old} → {new}"
    return f"{text}: {event.data['reason']}" if event.data.get("reason") else text


def _role(event: Event, _: Scheme) -> str:
    people = ", ".join(event.data.get("people") or ()) or "nobody"
    return f"{event.data['role']} is now {people}"


def _amended(event: Event, _: Scheme) -> str:
    fields = ", ".join(sorted(k for k in event.data if k != "reason"))
    text = f"corrected {fields}"
    return f"{text}: {event.data['reason']}" if event.data.get("reason") else text


def _section(event: Event, _: Scheme) -> str:
    if event.data.get("summary"):
        return str(event.data["summary"])
    title = event.data.get("title") or event.data["section"]
    return f"updated section {title}" if event.data.get("markdown") else f"removed section {title}"


_DESCRIBE: dict[str, Callable[[Event, Scheme], str]] = {
    Kind.DECLARED: _declared,
    Kind.NOTE: lambda e, _: str(e.data.get("text", "")),
    Kind.STATUS: _status,
    Kind.SEVERITY: _severity,
    Kind.ROLE: _role,
    Kind.AMENDED: _amended,
    Kind.SECTION: _section,
}


def describe(event: Event, scheme: Scheme = Scheme.SEV) -> str:
    """Plain one-line text; other domains put theirs in data['summary']."""
    handler = _DESCRIBE.get(event.kind)
    if handler is not None:
        text = handler(event, scheme)
    elif event.data.get("summary"):
        text = str(event.data["summary"])
    else:
        text = event.kind
    return _one_line(text) or event.kind
