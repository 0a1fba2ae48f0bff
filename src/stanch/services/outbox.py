"""Queue notifications durably, then deliver them with retry and backoff."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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
from stanch.store import claims

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
    lease: timedelta | None = None,
) -> list[Attempt]:
    """Try every pending message that is due, in queue order; a failure holds back the
    later messages to the same provider and target, so they arrive in order. Each message
    is claimed first: of several deliverers at once, exactly one sends it."""
    backoff = backoff or Backoff()
    client: httpx.Client | None = None
    cfg = config(app)
    if notifiers is None:
        client = httpx.Client(timeout=cfg.timeout)
        notifiers = build_notifiers(cfg, client)
    run = _Run(app, incident_id, notifiers, backoff, actor, lease or cfg.claim_lease)
    try:
        return run.deliver()
    finally:
        if client is not None:
            client.close()


@dataclass
class _Run:
    """One delivery pass over one incident's outbox, as one claim owner."""

    app: App
    incident_id: str
    notifiers: Mapping[str, Notifier]
    backoff: Backoff
    actor: str
    lease: timedelta
    owner: str = field(default_factory=lambda: f"{socket.gethostname()}:{uuid.uuid4().hex}")

    def deliver(self) -> list[Attempt]:
        attempts: list[Attempt] = []
        blocked: set[tuple[str, str]] = set()
        released: set[tuple[str, str]] = set()  # a channel just made: its waiting posts may go
        # Creating a channel goes first: posts to it wait for it, not the other way round.
        pending = state(self.app, self.incident_id).pending
        for seen in sorted(pending, key=lambda m: m.action != "create_channel"):
            lane = (seen.provider, seen.target)
            if lane in blocked:
                continue
            if not seen.ready(utc(self.app.clock())) and lane not in released:
                blocked.add(lane)
                continue
            outcome = self._claimed(seen, lane in released)
            if outcome is _GONE:
                continue  # another deliverer sent it meanwhile
            if not isinstance(outcome, Attempt):
                blocked.add(lane)  # held elsewhere, or now waiting: keep the lane in order
                continue
            attempts.append(outcome)
            if outcome.delivery.status is not Status.OK:
                blocked.add(lane)
            elif seen.action == "create_channel":
                released.add(lane)
        return attempts

    def _claimed(self, seen: Message, released: bool) -> Attempt | object:
        """Claim, check the message is still as seen, send, record, let go."""
        now = utc(self.app.clock())
        engine = self.app.store.engine
        if not claims.claim(engine, seen.message_id, self.incident_id, self.owner, now,
                            self.lease):  # fmt: skip
            return _HELD
        try:
            message = self._still_due(seen, now, released)
        except BaseException:
            claims.release(engine, seen.message_id, self.owner)
            raise
        if not isinstance(message, Message):
            claims.release(engine, seen.message_id, self.owner)
            return message
        # An error between sending and recording keeps the claim until its lease ends:
        # the message may have gone, so nobody sends it again at once.
        attempt = self._send(message)
        claims.release(engine, seen.message_id, self.owner)
        return attempt

    def _still_due(self, seen: Message, now: datetime, released: bool) -> Message | object:
        """Read again under the claim: a deliverer that held it before may have sent it."""
        current = {m.message_id: m for m in state(self.app, self.incident_id).pending}
        message = current.get(seen.message_id)
        if message is None:
            return _GONE
        if message.attempts != seen.attempts or not (message.ready(now) or released):
            return _HELD
        return message

    def _send(self, message: Message) -> Attempt:
        notifier = self.notifiers.get(message.provider)
        if notifier is None:
            delivery = Delivery(Status.NOT_CONFIGURED, f"{message.provider} is not configured")
        else:
            delivery = notifier.send(message, dict(state(self.app, self.incident_id).refs))
        _record_outcome(self.app, message, delivery, self.backoff, self.actor)
        return Attempt(message, delivery)


_GONE = object()  # delivered or given up by another deliverer
_HELD = object()  # claimed by another deliverer, or not due any more
