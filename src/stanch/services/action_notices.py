"""Overdue action items reach people: each escalation goes out through the comms outbox.

The statement goes to the generic webhook (addressed to the owner, then the lead) and,
where Slack is configured, into the incident's channel; restricted incident types get a
statement without the item's text. Delivery, retries and order are the outbox's.
"""

from __future__ import annotations

from collections.abc import Callable

from stanch.model.actions import Escalation
from stanch.model.types import type_of
from stanch.services import outbox
from stanch.services.context import App
from stanch.services.outbox import Outgoing
from stanch.services.people_config import people_config


def _text(app: App, step: Escalation) -> str:
    state = app.store.state(step.item.incident_id)
    rules = people_config(app.settings).rules[type_of(state)]
    if rules.outbound_detail:
        return step.statement()
    return (
        f"OVERDUE: action item {step.item.ref} (owner {step.item.owner}) is past its due "
        f"date — notified {step.to}"
    )


def outgoing(app: App, step: Escalation) -> list[Outgoing]:
    """The messages one escalation sends, by the providers stanch.toml configures."""
    providers = outbox.config(app).providers
    text = _text(app, step)
    label = f"overdue {step.item.ref} → {step.to}"
    items: list[Outgoing] = []
    if "webhook" in providers:
        payload = {"text": text, "item": step.item.ref, "owner": step.item.owner,
                   "to": step.to, "level": step.level}  # fmt: skip
        items.append(Outgoing("webhook", "action_overdue", step.to, payload, label))
    if "slack" in providers:
        channel = app.store.state(step.item.incident_id).channel
        items.append(Outgoing("slack", "post", channel, {"text": text}, label))
    return items


def outbox_notifier(app: App, actor: str = "stanch-scheduler") -> Callable[[Escalation], None]:
    """A `notify` for `actions.escalate_overdue`: queue the statement for delivery."""

    def notify(step: Escalation) -> None:
        items = outgoing(app, step)
        if items:
            outbox.queue(app, step.item.incident_id, items, actor)

    return notify
