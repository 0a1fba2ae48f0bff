"""Commands checked against the current state; each returns the event to record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from stanch.errors import GuardRefused, InvalidInput
from stanch.model.clock import iso, utc
from stanch.model.events import Kind, NewEvent
from stanch.model.incident import ROLES, Impact, Incident
from stanch.model.severity import Severity
from stanch.model.status import Status, check_transition

MAX_TEXT = 10_000


@dataclass(frozen=True)
class Declaration:
    """What a responder says when framing an incident."""

    symptom: str
    severity: Severity
    impact: Impact
    slug: str
    channel: str
    onset_at: datetime | None = None
    detected_at: datetime | None = None
    services: tuple[str, ...] = ()
    customer_visible: bool = False
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    type: str = "outage"  # an IncidentType value, checked by the caller


def checked_text(value: str, what: str) -> str:
    """Non-empty, bounded free text (symptom, note, reason …)."""
    return _text(value, what)


def _text(value: str, what: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidInput(f"{what} is empty")
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(f"{what} is longer than {MAX_TEXT} characters")
    return cleaned


def _actor(actor: str) -> str:
    return _text(actor, "actor").splitlines()[0][:100]


def _event(kind: str, actor: str, at: datetime, now: datetime, data: dict[str, object]) -> NewEvent:
    return NewEvent(kind, _actor(actor), utc(at), utc(now), dict(data))


def _not_before_declaration(state: Incident, at: datetime) -> None:
    if utc(at) < state.declared_at:
        raise InvalidInput(
            f"{iso(at)} is before the incident was declared ({iso(state.declared_at)})"
        )


def declare(decl: Declaration, actor: str, at: datetime, now: datetime) -> NewEvent:
    """The first event of an incident."""
    symptom = _text(decl.symptom, "symptom")
    declared = utc(at)
    onset = utc(decl.onset_at) if decl.onset_at else declared
    detected = utc(decl.detected_at) if decl.detected_at else max(onset, declared)
    if onset > detected:
        raise InvalidInput(f"onset {iso(onset)} is after detection {iso(detected)}")
    if detected > declared:
        raise InvalidInput(f"detection {iso(detected)} is after declaration {iso(declared)}")
    for role in decl.roles:
        _check_role(role)
    return _event(Kind.DECLARED, actor, declared, now, {
        "symptom": symptom,
        "slug": decl.slug,
        "severity": int(decl.severity),
        "impact": decl.impact.to_dict(),
        "onset_at": iso(onset),
        "detected_at": iso(detected),
        "services": list(decl.services),
        "customer_visible": decl.customer_visible,
        "channel": decl.channel,
        "roles": {k: list(v) for k, v in decl.roles.items() if v},
        **({"type": decl.type} if decl.type != "outage" else {}),
    })  # fmt: skip


def note(state: Incident, text: str, actor: str, at: datetime, now: datetime) -> NewEvent:
    """A free-text action or observation; it may predate the declaration (first signs)."""
    return _event(Kind.NOTE, actor, at, now, {"text": _text(text, "note")})


def change_status(
    state: Incident, target: Status, reason: str, actor: str, at: datetime, now: datetime
) -> NewEvent:
    """A move in the status machine; closing needs a final or waived postmortem."""
    check_transition(state.status, target)
    _not_before_declaration(state, at)
    current_since = state.entered.get(state.status.value, state.declared_at)
    if utc(at) < current_since and state.status is not Status.INVESTIGATING:
        raise InvalidInput(
            f"{iso(at)} is before the incident became {state.status.value} ({iso(current_since)})"
        )
    if target is Status.CLOSED and state.postmortem not in ("final", "waived"):
        raise GuardRefused("cannot close before the postmortem is final (or waived with a reason)")
    data: dict[str, object] = {"from": state.status.value, "to": target.value}
    if reason.strip():
        data["reason"] = _text(reason, "reason")
    return _event(Kind.STATUS, actor, at, now, data)


def change_severity(
    state: Incident, target: Severity, reason: str, actor: str, at: datetime, now: datetime
) -> NewEvent:
    """Raise or lower severity; the old value stays in the record."""
    if target == state.severity:
        raise InvalidInput(f"severity is already {state.severity.label()}")
    _not_before_declaration(state, at)
    data: dict[str, object] = {"from": int(state.severity), "to": int(target)}
    if reason.strip():
        data["reason"] = _text(reason, "reason")
    return _event(Kind.SEVERITY, actor, at, now, data)


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


def assign(
    state: Incident,
    role: str,
    people: tuple[str, ...],
    actor: str,
    at: datetime,
    now: datetime,
    *,
    add: bool = False,
) -> NewEvent:
    """Set who holds a role (several people allowed); `add` keeps the current holders."""
    _check_role(role)
    _not_before_declaration(state, at)
    names = tuple(_text(p, "person")[:100] for p in people)
    if add:
        names = tuple(dict.fromkeys(state.roles.get(role, ()) + names))
    if not names and role == "commander":
        raise InvalidInput("an incident always has a commander; name the new one")
    return _event(Kind.ROLE, actor, at, now, {"role": role, "people": list(names)})


def amend(
    state: Incident,
    changes: dict[str, object],
    reason: str,
    actor: str,
    at: datetime,
    now: datetime,
) -> NewEvent:
    """A correction of framing facts (onset, impact, services …) as a new event."""
    if not changes:
        raise InvalidInput("nothing to correct: name at least one field")
    data = dict(changes)
    onset = str(data.get("onset_at", iso(state.onset_at)))
    detected = str(data.get("detected_at", iso(state.detected_at)))
    if onset > detected:
        raise InvalidInput(f"onset {onset} is after detection {detected}")
    if detected > iso(state.declared_at):
        raise InvalidInput(f"detection {detected} is after declaration {iso(state.declared_at)}")
    if reason.strip():
        data["reason"] = _text(reason, "reason")
    return _event(Kind.AMENDED, actor, at, now, data)


def set_section(
    state: Incident,
    key: str,
    title: str,
    markdown: str,
    actor: str,
    at: datetime,
    now: datetime,
    *,
    summary: str = "",
) -> NewEvent:
    """Set (or with empty markdown, remove) a named Markdown section of the incident file."""
    if not key.replace("_", "").isalnum():
        raise InvalidInput(f"bad section key {key!r}")
    if "<!--" in markdown or "-->" in markdown:
        raise InvalidInput("section text may not contain HTML comments")
    data: dict[str, object] = {"section": key, "title": title, "markdown": markdown.rstrip()}
    if summary:
        data["summary"] = summary
    return _event(Kind.SECTION, actor, at, now, data)
