"""The incident's Slack channel: create it, set the topic, invite, post the declaration."""

from __future__ import annotations

from typing import Any

from stanch.errors import InvalidInput
from stanch.model.incident import Incident
from stanch.model.types import type_of
from stanch.services import outbox
from stanch.services.context import App
from stanch.services.people_config import people_config

MAX_TOPIC = 250


def _detail_allowed(app: App, state: Incident) -> bool:
    """Restricted types (security) send no internal detail out of stanch."""
    return people_config(app.settings).rules[type_of(state)].outbound_detail


def topic(state: Incident, app: App) -> str:
    """Severity, status and commander, within Slack's 250 characters."""
    label = state.severity.label(app.settings.severity_scheme)
    text = f"{label} | {state.status.value} | IC: {state.commander or 'unassigned'}"
    if _detail_allowed(app, state):
        text += f" | {state.symptom}"
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
    detail = _detail_allowed(app, state)
    private = private or not detail  # a restricted incident's channel is private
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
    if not detail:
        text = (
            f"Declared {label} ({state.type}): the details are in stanch, readable by "
            f"the people named on it. Commander: {state.commander or 'unassigned'}"
        )
    items.append(outbox.Outgoing("slack", "post", name, {"text": text}, "declaration"))
    outbox.queue(app, key, items, who)
    return state, outbox.deliver(app, key, notifiers) if deliver else []
