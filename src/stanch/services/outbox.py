"""Queue notifications durably, then deliver them with retry and backoff."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from stanch.model import outbox
from stanch.model.clock import utc
from stanch.model.events import NewEvent
from stanch.model.incident import Incident
from stanch.model.kinds import PAGE_SENT
from stanch.model.outbox import Backoff, Message
from stanch.notify.base import Delivery, Notifier, Status
from stanch.notify.config import CommsConfig
from stanch.notify.config import load as load_config
from stanch.notify.registry import notifiers as build_notifiers
from stanch.services.context import App, record

PAGER_TRIGGERS = {("pagerduty", "trigger"), ("opsgenie", "create"), ("webhook", "page")}


@dataclass(frozen=True)
class Outgoing:
    """A message to queue: provider, action, target, payload and a timeline line."""

    provider: str
    action: str
    target: str
    payload: dict[str, Any]
    summary: str


@dataclass(frozen=True)
class Attempt:
    message: Message
    delivery: Delivery


def config(app: App) -> CommsConfig:
    """The [comms] settings, read now."""
    return load_config(app.settings.raw, app.settings.root)


def _event(kind: str, actor: str, app: App, data: dict[str, Any]) -> NewEvent:
    now = utc(app.clock())
    return NewEvent(kind, actor, now, now, data)


def _decider(kind: str, actor: str, app: App,
             data: dict[str, Any]) -> Callable[[Incident], NewEvent]:  # fmt: skip
    return lambda _state: _event(kind, actor, app, data)


def queue(app: App, incident_id: str, items: list[Outgoing], actor: str) -> list[Message]:
    """Write each message to the incident's events before anything is sent."""
    queued: list[Message] = []
    for item in items:
        message_id = uuid.uuid4().hex[:16]
        data = {"message_id": message_id, "provider": item.provider, "action": item.action,
                "target": item.target, "payload": item.payload,
                "summary": f"queued {item.provider} {item.action} to {item.target}: "
                           f"{item.summary}"}  # fmt: skip
        event, _ = record(app, incident_id, _decider(outbox.QUEUED, actor, app, data))
        queued.append(Message(message_id, incident_id, item.provider, item.action, item.target,
                              item.payload, event.occurred_at))  # fmt: skip
    return queued


def state(app: App, incident_id: str) -> outbox.OutboxState:
    return outbox.fold(incident_id, app.store.iter_events(incident_id))


def _page_sent(message: Message, delivery: Delivery) -> dict[str, Any]:
    payload = message.payload
    return {
        "target": message.target,
        "service": payload.get("service", ""),
        "reason": payload.get("reason", ""),
        "dedup_key": payload.get("dedup_key") or payload.get("alias") or message.message_id,
        "provider": message.provider,
        "summary": f"paged {message.target} via {message.provider}",
    }


def _record_outcome(app: App, message: Message, delivery: Delivery, backoff: Backoff,
                    actor: str) -> None:  # fmt: skip
    now = utc(app.clock())
    key = message.incident_id
    if delivery.status is Status.OK:
        data = {"message_id": message.message_id, "provider": message.provider,
                "attempts": message.attempts + 1, "ref": delivery.ref,
                "summary": f"delivered {message.provider} {message.action} to {message.target}: "
                           f"{delivery.detail}"}  # fmt: skip
        record(app, key, _decider(outbox.DELIVERED, actor, app, data))
        if (message.provider, message.action) in PAGER_TRIGGERS:
            page = _page_sent(message, delivery)
            record(app, key, _decider(PAGE_SENT, actor, app, page))
        return
    final = delivery.status is Status.REJECTED or message.attempts + 1 >= backoff.max_attempts
    retry_at = None if final else backoff.next_try(message.attempts + 1, now, delivery.retry_after)
    failed = outbox.failed_data(message, delivery.detail, retry_at, final)
    record(app, key, _decider(outbox.FAILED, actor, app, failed))


def deliver(
    app: App,
    incident_id: str,
    notifiers: Mapping[str, Notifier] | None = None,
    *,
    backoff: Backoff | None = None,
    actor: str = "stanch",
) -> list[Attempt]:
    """Try every pending message that is due, in queue order; a failure holds back the
    later messages to the same provider and target, so they arrive in order."""
    backoff = backoff or Backoff()
    client: httpx.Client | None = None
    if notifiers is None:
        cfg = config(app)
        client = httpx.Client(timeout=cfg.timeout)
        notifiers = build_notifiers(cfg, client)
    try:
        return _deliver(app, incident_id, notifiers, backoff, actor)
    finally:
        if client is not None:
            client.close()


def _deliver(app: App, incident_id: str, notifiers: Mapping[str, Notifier], backoff: Backoff,
             actor: str) -> list[Attempt]:  # fmt: skip
    attempts: list[Attempt] = []
    blocked: set[tuple[str, str]] = set()
    released: set[tuple[str, str]] = set()  # a channel just made: its waiting posts may go
    # Creating a channel goes first: posts to it wait for it, not the other way round.
    ordered = sorted(state(app, incident_id).pending, key=lambda m: m.action != "create_channel")
    for message in ordered:
        lane = (message.provider, message.target)
        if lane in blocked:
            continue
        if not message.ready(utc(app.clock())) and lane not in released:
            blocked.add(lane)
            continue
        notifier = notifiers.get(message.provider)
        if notifier is None:
            delivery = Delivery(Status.NOT_CONFIGURED, f"{message.provider} is not configured")
        else:
            delivery = notifier.send(message, dict(state(app, incident_id).refs))
        _record_outcome(app, message, delivery, backoff, actor)
        attempts.append(Attempt(message, delivery))
        if delivery.status is not Status.OK:
            blocked.add(lane)
        elif message.action == "create_channel":
            released.add(lane)
    return attempts
