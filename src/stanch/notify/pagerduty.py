"""PagerDuty Events API v2: trigger / acknowledge / resolve with a stable dedup_key."""

from __future__ import annotations

from typing import Any

import httpx

from stanch.model.outbox import Message
from stanch.notify.base import Delivery, Status, classify, network_failure
from stanch.notify.config import CommsConfig

ACTIONS = ("trigger", "acknowledge", "resolve")
SEVERITY = {1: "critical", 2: "error", 3: "warning", 4: "info"}


class PagerDuty:
    name = "pagerduty"

    def __init__(self, config: CommsConfig, client: httpx.Client) -> None:
        self.config = config
        self.client = client
        self.url = config.providers["pagerduty"].url.rstrip("/") + "/v2/enqueue"

    def _routing_key(self, target: str, service: str) -> str:
        team = self.config.team(target)
        if team and team.pagerduty_routing_key:
            return team.pagerduty_routing_key
        if service:
            from stanch.owners.resolve import catalog_routing_key

            key = catalog_routing_key(self.config, service)
            if key:
                return key
        return str(self.config.providers["pagerduty"].options.get("routing_key") or "")

    def body(self, message: Message, routing_key: str) -> dict[str, Any]:
        data = message.payload
        body: dict[str, Any] = {
            "routing_key": routing_key,
            "event_action": message.action,
            "dedup_key": str(data["dedup_key"])[:255],
        }
        if message.action == "trigger":
            body["payload"] = {
                "summary": str(data.get("summary") or "incident")[:1024],
                "source": str(data.get("source") or "stanch"),
                "severity": SEVERITY.get(int(data.get("severity") or 1), "critical"),
                "custom_details": dict(data.get("details") or {}),
            }
            if data.get("component"):
                body["payload"]["component"] = str(data["component"])
            body["client"] = "stanch"
        return body

    def send(self, message: Message, refs: dict[str, str]) -> Delivery:
        if message.action not in ACTIONS:
            return Delivery(Status.REJECTED, f"pagerduty: unknown action {message.action}")
        key = self._routing_key(message.target, str(message.payload.get("service") or ""))
        if not key:
            return Delivery(Status.NOT_CONFIGURED, f"no PagerDuty routing key for {message.target}")
        try:
            response = self.client.post(self.url, json=self.body(message, key))
        except httpx.HTTPError as exc:
            return network_failure(exc, "pagerduty")
        failed = classify(response, (202,), "pagerduty")
        if failed:
            return failed
        dedup = str(response.json().get("dedup_key") or message.payload["dedup_key"])
        return Delivery(Status.OK, f"pagerduty {message.action} accepted", ref=dedup)
