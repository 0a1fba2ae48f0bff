"""Opsgenie Alert API v2: create / acknowledge / close by alias (the dedup key)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from stanch.model.outbox import Message
from stanch.notify.base import Delivery, Status, classify, network_failure
from stanch.notify.config import CommsConfig

PRIORITY = {1: "P1", 2: "P2", 3: "P3", 4: "P4"}


class Opsgenie:
    name = "opsgenie"

    def __init__(self, config: CommsConfig, client: httpx.Client) -> None:
        provider = config.providers["opsgenie"]
        self.config = config
        self.client = client
        self.base = provider.url.rstrip("/")
        self.key = provider.key

    def _request(self, message: Message) -> tuple[str, dict[str, Any]]:
        data = message.payload
        alias = str(data["alias"])[:512]
        if message.action == "create":
            team = self.config.team(message.target)
            body: dict[str, Any] = {
                "message": str(data.get("message") or "incident")[:130],
                "alias": alias,
                "description": str(data.get("description") or "")[:15000],
                "priority": PRIORITY.get(int(data.get("severity") or 3), "P3"),
                "source": "stanch",
                "tags": ["stanch"],
            }
            name = team.opsgenie_team if team and team.opsgenie_team else message.target
            body["responders"] = [{"type": "team", "name": name}]
            return f"{self.base}/v2/alerts", body
        path = f"/v2/alerts/{quote(alias, safe='')}/{message.action}?identifierType=alias"
        return self.base + path, {"source": "stanch", "note": str(data.get("note") or "")}

    def send(self, message: Message, refs: dict[str, str]) -> Delivery:
        if message.action not in ("create", "acknowledge", "close"):
            return Delivery(Status.REJECTED, f"opsgenie: unknown action {message.action}")
        if not self.key:
            return Delivery(Status.NOT_CONFIGURED, "no Opsgenie API key in the environment")
        url, body = self._request(message)
        headers = {"Authorization": f"GenieKey {self.key}"}
        try:
            response = self.client.post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            return network_failure(exc, "opsgenie")
        failed = classify(response, (202,), "opsgenie")
        if failed:
            return failed
        request_id = str(response.json().get("requestId") or "")
        return self._outcome(message, request_id, headers)

    def _outcome(self, message: Message, request_id: str, headers: dict[str, str]) -> Delivery:
        """Writes are asynchronous: look once at the request's outcome (404 = not yet)."""
        accepted = Delivery(Status.OK, f"opsgenie {message.action} accepted", ref=request_id)
        try:
            reply = self.client.get(f"{self.base}/v2/alerts/requests/{request_id}",
                                    headers=headers)  # fmt: skip
        except httpx.HTTPError:
            return accepted
        if reply.status_code != 200:
            return accepted
        data = reply.json().get("data") or {}
        if data.get("success") is False and message.action == "create":
            return Delivery(Status.REJECTED, f"opsgenie: {data.get('status') or 'create failed'}")
        if data.get("success") is False:
            return Delivery(Status.OK, f"opsgenie {message.action}: {data.get('status')}")
        return Delivery(Status.OK, f"opsgenie {message.action}: {data.get('status') or 'done'}",
                        ref=request_id)  # fmt: skip
