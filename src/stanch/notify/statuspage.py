"""Atlassian Statuspage v1: create the incident once, then PATCH it through its states."""

from __future__ import annotations

from typing import Any

import httpx

from stanch.model.outbox import Message
from stanch.notify.base import Delivery, Status, classify, network_failure
from stanch.notify.config import CommsConfig

# Public status → component status while it lasts.
COMPONENT_STATUS = {
    1: "major_outage",
    2: "partial_outage",
    3: "degraded_performance",
    4: "degraded_performance",
}
IMPACT = {1: "critical", 2: "major", 3: "minor", 4: "minor"}


class Statuspage:
    name = "statuspage"

    def __init__(self, config: CommsConfig, client: httpx.Client) -> None:
        provider = config.providers["statuspage"]
        self.client = client
        self.base = provider.url.rstrip("/")
        self.key = provider.key
        self.components: dict[str, str] = dict(provider.options.get("components") or {})

    def incident_body(self, data: dict[str, Any], creating: bool) -> dict[str, Any]:
        """The `incident` object from a public update (allow-listed fields only)."""
        status = str(data["status"])
        severity = int(data.get("severity") or 2)
        ids = [self.components[c] for c in data.get("components") or () if c in self.components]
        level = "operational" if status == "resolved" else COMPONENT_STATUS[severity]
        body: dict[str, Any] = {"status": status, "body": str(data["text"])[:25000]}
        if creating:
            body["name"] = str(data["title"])[:255]
            body["impact_override"] = IMPACT[severity]
        if ids:
            body["component_ids"] = ids
            body["components"] = dict.fromkeys(ids, level)
        return {"incident": body}

    def send(self, message: Message, refs: dict[str, str]) -> Delivery:
        if not self.key:
            return Delivery(Status.NOT_CONFIGURED, "no Statuspage API key in the environment")
        page = message.target
        existing = refs.get(f"statuspage:{page}")
        headers = {"Authorization": f"OAuth {self.key}"}
        url = f"{self.base}/pages/{page}/incidents"
        try:
            if existing:
                body = self.incident_body(message.payload, creating=False)
                response = self.client.patch(f"{url}/{existing}", json=body, headers=headers)
            else:
                body = self.incident_body(message.payload, creating=True)
                response = self.client.post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            return network_failure(exc, "statuspage")
        failed = classify(response, (200, 201), "statuspage")
        if failed:
            return failed
        ref = existing or str(response.json().get("id") or "")
        verb = "updated" if existing else "created"
        return Delivery(Status.OK, f"statuspage incident {ref} {verb}", ref=ref)
