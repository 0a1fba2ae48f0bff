"""Incident state: the fold of its events. Frozen; every change is a new value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from stanch.model.clock import from_iso, iso
from stanch.model.severity import Severity
from stanch.model.status import Status

ROLES = ("commander", "scribe", "comms_lead", "responder")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")


@dataclass(frozen=True)
class Impact:
    """Blast radius: share of users or requests, where, whom, and in words."""

    text: str = ""
    percent: float | None = None
    unit: str | None = None  # "users" or "requests"
    regions: tuple[str, ...] = ()
    tenants: tuple[str, ...] = ()

    @classmethod
    def from_text(
        cls,
        text: str,
        *,
        percent: float | None = None,
        regions: tuple[str, ...] = (),
        tenants: tuple[str, ...] = (),
    ) -> Impact:
        """Take the percentage and unit from the text unless given explicitly."""
        if percent is None and (found := _PERCENT.search(text)):
            percent = float(found.group(1))
        lowered = text.lower()
        unit = "requests" if "request" in lowered else "users" if "user" in lowered else None
        return cls(text.strip(), percent, unit, regions, tenants)

    def summary(self) -> str:
        parts = [self.text] if self.text else []
        if self.percent is not None and not self.text:
            parts.append(f"{self.percent:g}% of {self.unit or 'traffic'}")
        if self.regions:
            parts.append("regions: " + ", ".join(self.regions))
        if self.tenants:
            parts.append("tenants: " + ", ".join(self.tenants))
        return "; ".join(parts) or "unknown"

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "percent": self.percent,
            "unit": self.unit,
            "regions": list(self.regions),
            "tenants": list(self.tenants),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Impact:
        pct = data.get("percent")
        return cls(
            text=str(data.get("text") or ""),
            percent=None if pct is None else float(pct),
            unit=data.get("unit"),
            regions=tuple(data.get("regions") or ()),
            tenants=tuple(data.get("tenants") or ()),
        )


@dataclass(frozen=True)
class Section:
    """A Markdown section of the incident file, owned by one domain (e.g. 'postmortem')."""

    key: str
    title: str
    markdown: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "title": self.title, "markdown": self.markdown}


@dataclass(frozen=True)
class Incident:
    """Everything the core knows about one incident, as of `last_seq`."""

    id: str
    slug: str
    symptom: str
    impact: Impact
    severity: Severity
    status: Status
    onset_at: datetime
    detected_at: datetime
    declared_at: datetime
    channel: str
    services: tuple[str, ...] = ()
    customer_visible: bool = False
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    entered: dict[str, datetime] = field(default_factory=dict)  # first time in each status
    resolved_at: datetime | None = None
    postmortem: str = "none"  # none | draft | final | waived
    sections: tuple[Section, ...] = ()  # rendered in the file's header block, in order
    type: str = "outage"  # see model/types.py
    last_seq: int = 0
    last_event_at: datetime | None = None

    @property
    def commander(self) -> str | None:
        people = self.roles.get("commander", ())
        return people[0] if people else None

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    def to_dict(self) -> dict[str, Any]:
        """JSON form; stable, documented in docs/json.md."""
        return {
            "id": self.id,
            "slug": self.slug,
            "symptom": self.symptom,
            "impact": self.impact.to_dict(),
            "severity": int(self.severity),
            "status": self.status.value,
            "onset_at": iso(self.onset_at),
            "detected_at": iso(self.detected_at),
            "declared_at": iso(self.declared_at),
            "channel": self.channel,
            "services": list(self.services),
            "customer_visible": self.customer_visible,
            "roles": {k: list(v) for k, v in sorted(self.roles.items())},
            "entered": {k: iso(v) for k, v in self.entered.items()},
            "resolved_at": iso(self.resolved_at) if self.resolved_at else None,
            "postmortem": self.postmortem,
            "sections": [section.to_dict() for section in self.sections],
            "type": self.type,
            "last_seq": self.last_seq,
            "last_event_at": iso(self.last_event_at) if self.last_event_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Incident:
        resolved = data.get("resolved_at")
        last = data.get("last_event_at")
        return cls(
            id=data["id"],
            slug=data["slug"],
            symptom=data["symptom"],
            impact=Impact.from_dict(data["impact"]),
            severity=Severity(int(data["severity"])),
            status=Status(data["status"]),
            onset_at=from_iso(data["onset_at"]),
            detected_at=from_iso(data["detected_at"]),
            declared_at=from_iso(data["declared_at"]),
            channel=data["channel"],
            services=tuple(data.get("services") or ()),
            customer_visible=bool(data.get("customer_visible")),
            roles={k: tuple(v) for k, v in (data.get("roles") or {}).items()},
            entered={k: from_iso(v) for k, v in (data.get("entered") or {}).items()},
            resolved_at=from_iso(resolved) if resolved else None,
            postmortem=str(data.get("postmortem") or "none"),
            sections=tuple(Section(**item) for item in data.get("sections") or ()),
            type=str(data.get("type") or "outage"),
            last_seq=int(data.get("last_seq") or 0),
            last_event_at=from_iso(last) if last else None,
        )
