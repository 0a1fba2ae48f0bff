"""A generic webhook: JSON body signed with HMAC-SHA256 over timestamp and body."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from stanch.model.outbox import Message
from stanch.notify.base import Delivery, Status, classify, network_failure
from stanch.notify.config import CommsConfig

SIGNATURE_HEADER = "X-Stanch-Signature"
TIMESTAMP_HEADER = "X-Stanch-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """'sha256=<hex>' over '<timestamp>.<body>'; receivers recompute and compare."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class Webhook:
    name = "webhook"

    def __init__(self, config: CommsConfig, client: httpx.Client) -> None:
        provider = config.providers["webhook"]
        self.config = config
        self.client = client
        self.url = provider.url
        self.secret = provider.key

    def send(self, message: Message, refs: dict[str, str]) -> Delivery:
        team = self.config.team(message.target)
        url = team.webhook if team and team.webhook else self.url
        if not url or not self.secret:
            return Delivery(Status.NOT_CONFIGURED, "webhook url or signing secret missing")
        body = json.dumps(
            {"incident": message.incident_id, "action": message.action,
             "target": message.target, "message_id": message.message_id, **message.payload},
            sort_keys=True,
        ).encode()  # fmt: skip
        stamp = message.queued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(self.secret, stamp, body),
            "Idempotency-Key": message.message_id,
        }
        try:
            response = self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return network_failure(exc, "webhook")
        failed = classify(response, (200, 201, 202, 204), "webhook")
        return failed or Delivery(Status.OK, f"webhook {message.action} accepted")
