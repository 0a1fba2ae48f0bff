"""Public updates: allow-listed fields in plain language, nothing internal can pass.

A public update is built from a fixed set of fields; free text (impact, a responder's
message) is scrubbed of anything that looks internal: hostnames, addresses, URLs,
commands, code, commit ids, people and @-handles, emails and paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from stanch.model.clock import iso
from stanch.model.incident import Incident
from stanch.model.severity import Severity
from stanch.model.status import Status

# The only keys a public update ever carries.
ALLOWED_FIELDS = frozenset(
    {"title", "status", "impact", "message", "components", "next_update_at", "eta", "posted_at"}
)

# Our status → the public (Statuspage) status vocabulary.
PUBLIC_STATUS: dict[Status, str] = {
    Status.INVESTIGATING: "investigating",
    Status.MITIGATING: "identified",
    Status.MITIGATED: "monitoring",
    Status.MONITORING: "monitoring",
    Status.RESOLVED: "resolved",
    Status.CLOSED: "resolved",
}

_PLAIN_STATUS = {
    "investigating": "We are investigating the problem.",
    "identified": "We have identified the cause and are working on a fix.",
    "monitoring": "A fix is in place and we are monitoring the results.",
    "resolved": "This incident has been resolved.",
}

_TITLE = {
    Severity.SEV1: "Service outage",
    Severity.SEV2: "Service disruption",
    Severity.SEV3: "Degraded performance",
    Severity.SEV4: "Minor service issue",
}

_INTERNAL = [
    re.compile(r"`[^`]*`?"),  # code and commands
    re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE),  # URLs
    re.compile(r"\S+@\S+"),  # emails, user@host
    re.compile(r"@\S+"),  # handles, @org/team
    re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"),  # IPv4
    re.compile(r"\b[0-9a-f]*:[0-9a-f:]*:[0-9a-f:]+\b", re.IGNORECASE),  # IPv6
    re.compile(r"\S*[A-Za-z0-9_-]\.[A-Za-z][\w-]*(?:\.[\w-]+)*\S*"),  # host.domain, file.ext
    re.compile(r"\S*/\S*"),  # paths, refs, namespaces
    re.compile(r"\S*\\\S*"),  # windows paths, escapes
    re.compile(r"(?<!\w)--?[A-Za-z][\w-]*"),  # command-line flags
    re.compile(r"\S*[=<>|;$&{}\[\]]\S*"),  # shell and key=value
    re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,64}\b", re.IGNORECASE),  # commits
    re.compile(r"\b\w*_\w*\b"),  # snake_case identifiers
    re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+){2,}\b", re.IGNORECASE),  # pod-like names
]


def scrub(text: str, forbidden: frozenset[str] = frozenset()) -> str:
    """Plain text with internal-looking tokens and the forbidden words removed."""
    out = text
    for pattern in _INTERNAL:
        out = pattern.sub(" ", out)
    for word in sorted(forbidden, key=len, reverse=True):
        if word.strip():
            # whole words only: a person called "al" must not eat the "al" of "all"
            bounded = rf"(?<![A-Za-z0-9]){re.escape(word.strip())}(?![A-Za-z0-9])"
            out = re.sub(bounded, " ", out, flags=re.IGNORECASE)
    out = re.sub(r"[`\"'@/\\]", " ", out)
    return re.sub(r"\s+", " ", out).strip(" ,;:")


@dataclass(frozen=True)
class PublicUpdate:
    """What customers see: only ALLOWED_FIELDS, all plain text."""

    title: str
    status: str
    impact: str
    message: str
    components: tuple[str, ...]
    next_update_at: datetime | None
    eta: str
    posted_at: datetime

    def to_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "status": self.status,
            "impact": self.impact,
            "message": self.message,
            "components": list(self.components),
            "next_update_at": iso(self.next_update_at) if self.next_update_at else None,
            "eta": self.eta,
            "posted_at": iso(self.posted_at),
        }

    def text(self) -> str:
        """The body posted to a status page."""
        message = self.message or _PLAIN_STATUS[self.status]
        parts = [message if message.endswith((".", "!", "?")) else message + "."]
        if self.impact:
            parts.append(f"Impact: {self.impact}.")
        if self.eta:
            parts.append(f"Expected resolution: {self.eta}.")
        if self.next_update_at and self.status != "resolved":
            parts.append(f"Next update by {iso(self.next_update_at)}.")
        return " ".join(parts)


def people_of(incident: Incident, actors: frozenset[str] = frozenset()) -> frozenset[str]:
    """Everyone named on the incident: they never appear in public text."""
    names = {name for people in incident.roles.values() for name in people}
    return frozenset(names | set(actors))


def _impact(incident: Incident, forbidden: frozenset[str]) -> str:
    parts: list[str] = []
    text = scrub(incident.impact.text, forbidden)
    if text:
        parts.append(text)
    elif incident.impact.percent is not None:
        parts.append(f"about {incident.impact.percent:g}% of {incident.impact.unit or 'requests'}")
    regions = [scrub(r, forbidden) for r in incident.impact.regions]
    if any(regions):
        parts.append("in " + ", ".join(r for r in regions if r))
    return " ".join(parts)


def compose(
    incident: Incident,
    *,
    now: datetime,
    next_update_at: datetime | None,
    message: str = "",
    eta: str = "",
    components: tuple[str, ...] = (),
    title: str = "",
    forbidden: frozenset[str] = frozenset(),
) -> PublicUpdate:
    """A public update from allow-listed facts; free text is scrubbed."""
    hidden = forbidden | people_of(incident)
    return PublicUpdate(
        title=scrub(title, hidden) or _TITLE[incident.severity],
        status=PUBLIC_STATUS[incident.status],
        impact=_impact(incident, hidden),
        message=scrub(message, hidden),
        # component names come from the configured public names, not from responders
        components=tuple(c for c in (scrub(name) for name in components) if c),
        next_update_at=next_update_at,
        eta=scrub(eta, hidden),
        posted_at=now,
    )
