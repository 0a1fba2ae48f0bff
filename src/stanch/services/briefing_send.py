"""Stakeholder briefings reach people: through the comms outbox, and on the cadence.

Each recipient gets the briefing on the generic webhook (`[comms.webhook]`), addressed to
their roster contact; delivery, retries and order are the outbox's. The server's schedule
sends a briefing by itself when one is due for a severity that is briefed directly.
"""

from __future__ import annotations

from collections.abc import Sequence

from stanch.model.people import Person
from stanch.services import briefing, outbox
from stanch.services.briefing import SendResult, SendStatus
from stanch.services.context import App
from stanch.services.outbox import Outgoing

SCHEDULED_ETA = "not known yet: the next briefing follows on the cadence"


class OutboxSender:
    """A `BriefingSender` that queues one webhook message per recipient."""

    name = "webhook"

    def __init__(self, app: App, incident_id: str, actor: str) -> None:
        self.app, self.incident_id, self.actor = app, incident_id, actor

    def send(self, recipients: Sequence[Person], text: str) -> SendResult:
        items = [
            Outgoing("webhook", "briefing", person.name,
                     {"text": text, "to": person.contact or person.handle or person.name},
                     f"briefing → {person.name}")
            for person in recipients
        ]  # fmt: skip
        outbox.queue(self.app, self.incident_id, items, self.actor)
        return SendResult(SendStatus.OK, self.name, f"queued for {len(items)}")


def sender_for(app: App, incident_id: str, actor: str) -> OutboxSender | None:
    """The outbox sender when a direct channel is configured, else None (record only)."""
    if "webhook" not in outbox.config(app).providers:
        return None
    return OutboxSender(app, incident_id, actor)


def send_due(app: App, incident_id: str, actor: str) -> briefing.Briefed | None:
    """Brief the stakeholders now if a direct briefing is due; None when not due."""
    due = briefing.due(app, incident_id)
    if due is None or due > app.clock():
        return None
    state = app.store.state(incident_id)
    return briefing.brief(
        app, incident_id, state.impact.summary() or state.symptom, SCHEDULED_ETA,
        sender=sender_for(app, incident_id, actor), actor=actor,
    )  # fmt: skip
