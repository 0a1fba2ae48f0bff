"""The outbox: every outgoing notification is an event first, then delivered with retry.

Kinds (data fields):
  notify.queued    {"message_id", "provider", "action", "target", "payload", "summary"}
  notify.delivered {"message_id", "provider", "attempts", "ref", "summary"}
  notify.failed    {"message_id", "provider", "attempt", "error", "retry_at", "final", "summary"}

The payload holds what to say, never a credential: adapters add keys at delivery time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from stanch.model.clock import from_iso, iso
from stanch.model.events import Event

QUEUED = "notify.queued"
DELIVERED = "notify.delivered"
FAILED = "notify.failed"


@dataclass(frozen=True)
class Message:
    """One notification to one provider."""

    message_id: str
    incident_id: str
    provider: str  # pagerduty | opsgenie | slack | statuspage | webhook
    action: str  # trigger, resolve, post, create_channel, incident_update …
    target: str  # team, channel or page it goes to
    payload: dict[str, Any]
    queued_at: datetime
    attempts: int = 0
    retry_at: datetime | None = None
    last_error: str = ""

    def ready(self, now: datetime) -> bool:
        return self.retry_at is None or self.retry_at <= now


@dataclass(frozen=True)
class OutboxState:
    """Pending messages in queue order, given-up ones, and references providers returned."""

    pending: tuple[Message, ...] = ()
    abandoned: tuple[Message, ...] = ()
    refs: dict[str, str] = field(default_factory=dict)  # "provider:target" → external id


def fold(incident_id: str, events: Iterable[Event]) -> OutboxState:
    """Replay the outbox events of one incident."""
    pending: dict[str, Message] = {}
    abandoned: list[Message] = []
    refs: dict[str, str] = {}
    for event in events:
        data = event.data
        if event.kind == QUEUED:
            pending[data["message_id"]] = Message(
                data["message_id"], incident_id, data["provider"], data["action"],
                data.get("target", ""), dict(data.get("payload") or {}), event.occurred_at,
            )  # fmt: skip
        elif event.kind == DELIVERED and data.get("message_id") in pending:
            done = pending.pop(data["message_id"])
            if data.get("ref"):
                refs[f"{done.provider}:{done.target}"] = str(data["ref"])
        elif event.kind == FAILED and data.get("message_id") in pending:
            msg = pending[data["message_id"]]
            retry = data.get("retry_at")
            msg = replace(msg, attempts=int(data.get("attempt") or msg.attempts + 1),
                          retry_at=from_iso(retry) if retry else None,
                          last_error=str(data.get("error") or ""))  # fmt: skip
            if data.get("final"):
                del pending[msg.message_id]
                abandoned.append(msg)
            else:
                pending[msg.message_id] = msg
    return OutboxState(tuple(pending.values()), tuple(abandoned), refs)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with a cap; a provider's Retry-After wins when longer."""

    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(minutes=10)
    max_attempts: int = 10

    def next_try(self, attempt: int, now: datetime, retry_after: float | None) -> datetime:
        wait: timedelta = min(self.base * (2 ** max(0, attempt - 1)), self.cap)
        if retry_after is not None:
            wait = max(wait, timedelta(seconds=retry_after))
        return now + wait


def queued_data(msg: Message, summary: str) -> dict[str, Any]:
    return {
        "message_id": msg.message_id,
        "provider": msg.provider,
        "action": msg.action,
        "target": msg.target,
        "payload": msg.payload,
        "summary": summary,
    }


def failed_data(msg: Message, error: str, retry_at: datetime | None, final: bool) -> dict[str, Any]:
    attempt = msg.attempts + 1
    when = f"retry at {iso(retry_at)}" if retry_at and not final else "gave up"
    return {
        "message_id": msg.message_id,
        "provider": msg.provider,
        "attempt": attempt,
        "error": error,
        "retry_at": iso(retry_at) if retry_at and not final else None,
        "final": final,
        "summary": f"{msg.provider} {msg.action} to {msg.target} failed (attempt {attempt}): "
        f"{error}; {when}",
    }
