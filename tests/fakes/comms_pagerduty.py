"""PagerDuty Events API v2, enforced (shared/contracts/pagerduty-events-v2.md)."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

from tests.fakes.comms_http import Fake, Request, Response, problem

ACTIONS = ("trigger", "acknowledge", "resolve")
SEVERITIES = ("critical", "error", "warning", "info")
MAX_BODY = 512 * 1024


def invalid(*errors: str) -> Response:
    return problem(400, {"status": "invalid event", "message": "Event object is invalid",
                         "errors": list(errors)})  # fmt: skip


@dataclass
class Alert:
    routing_key: str
    dedup_key: str
    summary: str
    status: str = "triggered"
    events: list[str] = field(default_factory=list)


class FakePagerDuty(Fake):
    """Keys open alerts by (routing_key, dedup_key); only known integration keys work."""

    def __init__(self, keys: tuple[str, ...], per_minute: int = 120) -> None:
        super().__init__()
        self.keys = set(keys)
        self.alerts: list[Alert] = []
        self.per_minute = per_minute  # events per integration key in a rolling 60 s
        self.accepted: dict[str, list[float]] = {}

    def reset(self) -> None:
        super().reset()
        self.alerts.clear()
        self.accepted.clear()

    def over_limit(self, key: str) -> bool:
        now = time.monotonic()
        recent = [t for t in self.accepted.get(key, []) if now - t < 60]
        self.accepted[key] = recent
        if len(recent) >= self.per_minute:
            return True
        recent.append(now)
        return False

    def open_alert(self, key: str, dedup: str) -> Alert | None:
        return next((a for a in self.alerts if (a.routing_key, a.dedup_key) == (key, dedup)
                     and a.status != "resolved"), None)  # fmt: skip

    def handle(self, request: Request) -> Response:  # noqa: PLR0911 (one refusal per rule)
        if request.method != "POST" or request.path != "/v2/enqueue":
            return problem(404, {"status": "not found", "message": request.path})
        if len(request.body) > MAX_BODY:
            return problem(413, {"status": "invalid event", "message": "too large"})
        if request.content_type != "application/json":
            return invalid("Content-Type must be application/json")
        try:
            body = request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return problem(400, {"status": "invalid event", "message": "Invalid JSON"})
        errors = self.validate(body)
        if errors:
            return invalid(*errors)
        if self.over_limit(str(body["routing_key"])):
            return self.throttled()
        return self.apply(body)

    def validate(self, body: object) -> list[str]:  # noqa: PLR0911 (one refusal per rule)
        if not isinstance(body, dict):
            return ["Event object must be a JSON object"]
        key = body.get("routing_key")
        if not isinstance(key, str) or len(key) != 32:
            return ["Length of 'routing_key' is incorrect (should be 32 characters)"]
        if key not in self.keys:
            return ["Invalid routing key"]
        action = body.get("event_action")
        if action not in ACTIONS:
            return ["'event_action' is missing or invalid"]
        dedup = body.get("dedup_key")
        if dedup is not None and (not isinstance(dedup, str) or len(dedup) > 255):
            return ["'dedup_key' must be a string of at most 255 characters"]
        if action != "trigger":
            return [] if dedup else ["'dedup_key' is required for acknowledge and resolve"]
        payload = body.get("payload")
        if not isinstance(payload, dict):
            return ["'payload' is required for trigger"]
        errors = [f"'payload.{f}' is missing" for f in ("summary", "source", "severity")
                  if not payload.get(f)]  # fmt: skip
        if len(str(payload.get("summary") or "")) > 1024:
            errors.append("'payload.summary' is longer than 1024 characters")
        if payload.get("severity") and payload["severity"] not in SEVERITIES:
            errors.append("'payload.severity' is invalid")
        return errors

    def apply(self, body: dict[str, object]) -> Response:
        key = str(body["routing_key"])
        action = str(body["event_action"])
        dedup = str(body.get("dedup_key") or uuid.uuid4().hex)
        alert = self.open_alert(key, dedup)
        if action == "trigger":
            summary = str(dict(body["payload"])["summary"])  # type: ignore[call-overload]
            if alert is None:
                alert = Alert(key, dedup, summary)
                self.alerts.append(alert)
            alert.events.append("trigger")
        elif alert is not None:  # ack/resolve of an unknown key is silently dropped
            alert.status = "acknowledged" if action == "acknowledge" else "resolved"
            alert.events.append(action)
        return Response(202, {"status": "success", "message": "Event processed",
                              "dedup_key": dedup})  # fmt: skip
