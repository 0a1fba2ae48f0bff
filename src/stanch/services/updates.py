"""Compose, post and schedule updates: internal text, public text, the update cadence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stanch.errors import GuardRefused, InvalidInput
from stanch.model import cadence, handoff, public
from stanch.model import escalation as policy
from stanch.model.clock import utc
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.model.kinds import UPDATE_POSTED
from stanch.model.outbox import Message, OutboxState
from stanch.model.types import GENERIC_OUTBOUND, public_allowed, public_statement, type_of
from stanch.notify import public_page
from stanch.notify.config import CommsConfig
from stanch.services import escalation, outbox
from stanch.services.context import App, record
from stanch.services.people_config import people_config

AUDIENCES = ("internal", "public", "both")


@dataclass(frozen=True)
class Draft:
    """An update ready for the responder to edit or post."""

    incident: Incident
    internal: str
    public: public.PublicUpdate
    next_update_at: datetime | None


@dataclass(frozen=True)
class Agenda:
    """What is owed on an incident right now."""

    incident: Incident
    now: datetime
    owed: list[cadence.Due]
    triggers: list[policy.Trigger]
    outbox: OutboxState

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.incident.id,
            "updates_due": [d.to_dict(self.now) for d in self.owed],
            "overdue": any(d.overdue(self.now) for d in self.owed),
            "escalation_due": [t.to_dict() for t in self.triggers],
            "delivery_pending": [_message(m) for m in self.outbox.pending],
            "delivery_failed": [_message(m) for m in self.outbox.abandoned],
        }


def _message(m: Message) -> dict[str, Any]:
    return {"id": m.message_id, "provider": m.provider, "action": m.action, "target": m.target,
            "attempts": m.attempts, "last_error": m.last_error}  # fmt: skip


def _last_posted(events: list[Event]) -> datetime | None:
    return max((e.occurred_at for e in events if e.kind == UPDATE_POSTED), default=None)


def _public_components(cfg: CommsConfig, state: Incident) -> tuple[str, ...]:
    """The configured public names of the affected services (never the services' names)."""
    provider = cfg.providers.get("statuspage")
    names = dict(provider.options.get("public_names") or {}) if provider else {}
    return tuple(str(names[s]) for s in state.services if names.get(s))


def compose(app: App, incident: str | None, *, did: str = "", next_step: str = "",
            message: str = "", eta: str = "", title: str = "") -> Draft:  # fmt: skip
    """Build both texts from the events; the responder's words fill in what they add."""
    key = app.resolve_id(incident)
    state = app.store.state(key)
    events = app.store.events(key)
    cfg = outbox.config(app)
    now = utc(app.clock())
    scheme = app.settings.severity_scheme
    nxt = cadence.next_update_at(state, events, cfg.cadence, now)
    actions = [did] if did.strip() else handoff.last_actions(events, _last_posted(events),
                                                             scheme=scheme)  # fmt: skip
    pending = len(outbox.state(app, key).pending)
    text = handoff.internal_text(state, did=actions, next_step=next_step, next_update_at=nxt,
                                 pending=pending, scheme=scheme)  # fmt: skip
    hidden = frozenset(e.actor for e in events) | frozenset(state.services) | {state.channel}
    shown = public.compose(state, now=now, next_update_at=nxt, message=message, eta=eta,
                           components=_public_components(cfg, state), title=title,
                           forbidden=hidden)  # fmt: skip
    return Draft(state, text, shown, nxt)


def _restricted(app: App, state: Incident, audience: str, text: str) -> tuple[str, str | None]:
    """(chat text, public text or None) as a restricted type allows them to leave stanch.

    A restricted incident (security) is not public until a responder publishes a statement,
    and its outbound messages carry that statement (or a generic line), never detail.
    """
    rules = people_config(app.settings).rules
    events = app.store.events(state.id)
    if rules[type_of(state)].outbound_detail:
        return text, None
    if audience != "internal" and not public_allowed(state, events, rules):
        raise GuardRefused(
            f"{state.id} is a restricted ({state.type}) incident: nothing goes public until "
            f"a responder publishes a statement (stanch statement -i {state.id} TEXT)"
        )
    statement = public_statement(events)
    return statement or GENERIC_OUTBOUND, statement


def _outgoing(app: App, draft: Draft, audience: str, internal_text: str) -> list[outbox.Outgoing]:
    cfg = outbox.config(app)
    state = draft.incident
    chat_text, statement = _restricted(app, state, audience, internal_text)
    items: list[outbox.Outgoing] = []
    if audience in ("internal", "both") and "slack" in cfg.providers:
        items.append(outbox.Outgoing("slack", "post", state.channel, {"text": chat_text},
                                     "internal update"))  # fmt: skip
    page = str(cfg.providers["statuspage"].options.get("page_id") or "") \
        if "statuspage" in cfg.providers else ""  # fmt: skip
    if audience in ("public", "both") and page:
        payload = {**draft.public.to_dict(), "text": draft.public.text(),
                   "severity": int(state.severity)}  # fmt: skip
        if statement is not None:  # restricted: the approved statement is all that is said
            payload = {
                **payload,
                "title": statement,
                "text": statement,
                "message": statement,
                "impact": "",
            }
        items.append(outbox.Outgoing("statuspage", "incident_update", page, payload,
                                     "public status page update"))  # fmt: skip
    return items


def _posted_event(app: App, actor: str, data: dict[str, Any]) -> Callable[[Incident], NewEvent]:
    now = utc(app.clock())
    return lambda _state: NewEvent(UPDATE_POSTED, actor, now, now, data)


def post(app: App, draft: Draft, *, audience: str = "internal", text: str | None = None,
         actor: str | None = None, deliver: bool = True,
         notifiers: Any = None) -> tuple[list[Event], list[outbox.Attempt]]:  # fmt: skip
    """Record the update(s), queue them to chat and status page, publish the built-in page."""
    if audience not in AUDIENCES:
        raise InvalidInput(f"audience must be one of {', '.join(AUDIENCES)}")
    key = draft.incident.id
    who = actor or app.settings.actor
    internal_text = (text or draft.internal).strip()
    items = _outgoing(app, draft, audience, internal_text)
    channels = sorted(
        {i.provider for i in items} | ({"status-page"} if audience != "internal" else set())
    )
    posted: list[Event] = []
    for one in ("internal", "public") if audience == "both" else (audience,):
        data: dict[str, Any] = {"audience": one, "channels": channels}
        if one == "public":
            data.update(text=draft.public.text(), public=draft.public.to_dict(),
                        summary=f"public update: {draft.public.text()}")  # fmt: skip
        else:
            data.update(text=internal_text, summary="internal update: "
                        + internal_text.splitlines()[0])  # fmt: skip
        event, _ = record(app, key, _posted_event(app, who, data))
        posted.append(event)
    queued = outbox.queue(app, key, items, who)
    escalation.resolve_pages(app, key, who)
    if audience != "internal":
        publish(app)
    attempts = outbox.deliver(app, key, notifiers) if deliver and queued else []
    return posted, attempts


def agenda(app: App, incident: str | None) -> Agenda:
    """Updates owed, escalation triggers due and deliveries pending, as of now."""
    key = app.resolve_id(incident)
    state = app.store.state(key)
    events = app.store.events(key)
    cfg = outbox.config(app)
    now = utc(app.clock())
    return Agenda(
        state, now,
        cadence.owed(state, events, cfg.cadence, now),
        policy.triggers(state, events, cfg.escalation, now),
        outbox.state(app, key),
    )  # fmt: skip


def _statement_only(update: dict[str, Any], events: list[Event]) -> dict[str, Any]:
    """A restricted incident's public update says the published statement, nothing else."""
    text = public_statement(events) or GENERIC_OUTBOUND
    return {**update, "title": text, "message": text, "components": [], "impact": ""}


def publish(app: App) -> Any:
    """Rewrite the built-in status page (HTML + JSON) from every public update."""
    cfg = outbox.config(app)
    feed: list[dict[str, Any]] = []
    rules = people_config(app.settings).rules
    for state in app.store.incidents(open_only=False):
        events = app.store.events(state.id)
        if not public_allowed(state, events, rules):
            continue  # restricted (security): only after a statement was published
        updates = [
            dict(e.data["public"]) for e in events
            if e.kind == UPDATE_POSTED and e.data.get("audience") == "public" and e.data.get("public")
        ]  # fmt: skip
        if not rules[type_of(state)].outbound_detail:
            updates = [_statement_only(u, events) for u in updates]
        if updates:
            feed.append({"updates": updates, "open": state.is_open})
    return public_page.write(cfg.status_dir, feed, utc(app.clock()))
