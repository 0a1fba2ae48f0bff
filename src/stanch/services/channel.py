"""The incident's Slack channel: create it, set the topic, invite, post the declaration."""

from __future__ import annotations

from typing import Any

from stanch.errors import InvalidInput
from stanch.model.incident import Incident
from stanch.services import outbox
from stanch.services.context import App

MAX_TOPIC = 250


def topic(state: Incident, app: App) -> str:
    """Severity, status and commander, within Slack's 250 characters."""
    label = state.severity.label(app.settings.severity_scheme)
    text = (
        f"{label} | {state.status.value} | IC: {state.commander or 'unassigned'} | {state.symptom}"
    )
    return text[:MAX_TOPIC]


def open_channel(app: App, incident: str | None, *, invite: list[str] | None = None,
                 private: bool = False, actor: str | None = None, deliver: bool = True,
                 notifiers: Any = None) -> tuple[Incident, list[outbox.Attempt]]:  # fmt: skip
    """Queue the channel set-up in order; delivery stops and retries in the same order."""
    key = app.resolve_id(incident)
    who = actor or app.settings.actor
    if "slack" not in outbox.config(app).providers:
        raise InvalidInput("Slack is not configured: add a [comms.slack] table to stanch.toml")
    state = app.store.state(key)
    name = state.channel
    label = state.severity.label(app.settings.severity_scheme)
    items = [
        outbox.Outgoing("slack", "create_channel", name, {"is_private": private}, f"#{name}"),
        outbox.Outgoing("slack", "set_topic", name, {"topic": topic(state, app)}, "topic"),
    ]
    users = [u for u in (invite or []) if u.strip()]
    if users:
        items.append(outbox.Outgoing("slack", "invite", name, {"users": users},
                                     f"invite {len(users)}"))  # fmt: skip
    text = (f"Declared {label}: {state.symptom}\nImpact: {state.impact.summary()}\n"
            f"Commander: {state.commander or 'unassigned'}")  # fmt: skip
    items.append(outbox.Outgoing("slack", "post", name, {"text": text}, "declaration"))
    outbox.queue(app, key, items, who)
    return state, outbox.deliver(app, key, notifiers) if deliver else []
