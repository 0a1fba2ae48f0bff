"""Alertmanager (v4) and Grafana (v1) webhook payloads: parsing, grouping, dedup keys.

Pure: no I/O. The server hands in the decoded JSON and the settings' group-by labels.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from stanch.errors import InvalidInput
from stanch.model.clock import iso, utc
from stanch.model.severity import Severity

ALERT_FIRED: Final = "alert.fired"  # {"source", "group_key", "alerts": [alert], "summary"}
ALERT_RESOLVED: Final = "alert.resolved"  # {"source", "group_key", "alerts": [alert], "summary"}

MAX_ALERTS = 1000
_ZERO_YEAR = 1
DEFAULT_SEVERITY_LABELS: Final = {
    "critical": "SEV1",
    "page": "SEV2",
    "error": "SEV2",
    "major": "SEV2",
    "high": "SEV2",
    "warning": "SEV3",
    "minor": "SEV3",
    "info": "SEV4",
    "low": "SEV4",
}


@dataclass(frozen=True)
class Alert:
    """One alert of a notification, as both senders describe it."""

    status: str  # firing | resolved
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    fingerprint: str
    generator_url: str = ""

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "alert")

    def dedup_key(self, group_key: str) -> str:
        """(group, fingerprint, status, startsAt): the contract's dedup tuple, hashed."""
        raw = "\x1f".join((group_key, self.fingerprint, self.status, iso(self.starts_at)))
        return hashlib.sha256(raw.encode()).hexdigest()

    def to_data(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "alertname": self.name,
            "fingerprint": self.fingerprint,
            "labels": dict(sorted(self.labels.items())),
            "summary": self.annotations.get("summary", ""),
            "runbook_url": self.annotations.get("runbook_url", ""),
            "starts_at": iso(self.starts_at),
            "ends_at": iso(self.ends_at) if self.ends_at else None,
            "generator_url": self.generator_url,
        }


@dataclass(frozen=True)
class Notification:
    """A decoded webhook: who sent it and its alerts."""

    source: str  # alertmanager | grafana
    receiver: str
    alerts: tuple[Alert, ...]
    common_annotations: dict[str, str] = field(default_factory=dict)


def _strings(value: object, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} must be an object of strings")
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str | int | float | bool):
            raise InvalidInput(f"{what} must be an object of strings")
        out[key] = str(item)
    return out


def _time(value: object, what: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be an RFC 3339 time")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{what} is not an RFC 3339 time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{what} has no offset: {value[:40]!r}")
    return None if moment.year == _ZERO_YEAR else utc(moment)


def _fingerprint(labels: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]


def _alert(raw: object, index: int, now: datetime) -> Alert:
    if not isinstance(raw, dict):
        raise InvalidInput(f"alerts[{index}] must be an object")
    status = raw.get("status")
    if status not in ("firing", "resolved"):
        raise InvalidInput(f"alerts[{index}].status must be 'firing' or 'resolved'")
    labels = _strings(raw.get("labels"), f"alerts[{index}].labels")
    if not labels:
        raise InvalidInput(f"alerts[{index}] has no labels")
    starts = _time(raw.get("startsAt"), f"alerts[{index}].startsAt") or now
    fingerprint = raw.get("fingerprint") or _fingerprint(labels)
    if not isinstance(fingerprint, str) or len(fingerprint) > 64:
        raise InvalidInput(f"alerts[{index}].fingerprint must be a short string")
    return Alert(
        status=str(status),
        labels=labels,
        annotations=_strings(raw.get("annotations"), f"alerts[{index}].annotations"),
        starts_at=min(starts, utc(now)),
        ends_at=_time(raw.get("endsAt"), f"alerts[{index}].endsAt"),
        fingerprint=fingerprint,
        generator_url=str(raw.get("generatorURL") or "")[:2000],
    )


def parse_notification(payload: object, now: datetime) -> Notification:
    """Alertmanager's version "4" or Grafana's "1"; unknown fields are ignored."""
    if not isinstance(payload, dict):
        raise InvalidInput("webhook body must be a JSON object")
    version = payload.get("version")
    if version not in ("4", "1"):
        raise InvalidInput(f"unsupported webhook version {version!r}: expected '4' or '1'")
    alerts = payload.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise InvalidInput("webhook has no alerts")
    if len(alerts) > MAX_ALERTS:
        raise InvalidInput(f"more than {MAX_ALERTS} alerts in one notification")
    return Notification(
        source="alertmanager" if version == "4" else "grafana",
        receiver=str(payload.get("receiver") or "")[:200],
        alerts=tuple(_alert(raw, i, now) for i, raw in enumerate(alerts)),
        common_annotations=_strings(payload.get("commonAnnotations"), "commonAnnotations"),
    )


def group_key(alert: Alert, group_by: tuple[str, ...]) -> str:
    """Alerts with equal values of the group-by labels share an incident; none: per alert."""
    if group_by:
        parts = {name: alert.labels.get(name, "") for name in group_by}
        raw = json.dumps(parts, sort_keys=True)
    else:
        raw = "fingerprint:" + alert.fingerprint
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def severity_of(alert: Alert, mapping: dict[str, str], default: Severity) -> Severity:
    """From the `severity` (or `priority`) label: SEVn / Pn directly, else through the map."""
    for label in ("severity", "priority"):
        value = alert.labels.get(label, "").strip().lower()
        if not value:
            continue
        if value in mapping:
            return Severity.parse(mapping[value])
        try:
            return Severity.parse(value)
        except InvalidInput:
            continue
    return default


def symptom_of(alert: Alert, common: dict[str, str]) -> str:
    """The incident's one-line symptom: the alert's summary, else its name and service."""
    text = alert.annotations.get("summary") or common.get("summary")
    if text:
        return text[:500]
    where = alert.labels.get("service") or alert.labels.get("job") or ""
    return f"{alert.name} firing" + (f" on {where}" if where else "")


def describe_alerts(kind: str, alerts: list[Alert]) -> str:
    """One line for the timeline: '2 alerts firing: HighErrorRate (checkout), …'."""
    verb = "firing" if kind == ALERT_FIRED else "resolved"
    names = ", ".join(
        f"{a.name} ({a.labels['service']})" if a.labels.get("service") else a.name
        for a in alerts[:3]
    )
    more = f" and {len(alerts) - 3} more" if len(alerts) > 3 else ""
    count = "alert" if len(alerts) == 1 else "alerts"
    return f"{len(alerts)} {count} {verb}: {names}{more}"
