"""Escalate: find the owner, record the hand-off, page through the outbox."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from stanch.errors import InvalidInput, NotFound
from stanch.model import escalation as policy
from stanch.model import handoff
from stanch.model.clock import utc
from stanch.model.decide import checked_text
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.model.kinds import PAGE_SENT
from stanch.model.outbox import Message
from stanch.model.types import outbound_text, type_of
from stanch.notify.config import CommsConfig
from stanch.owners.resolve import Owner, catalog_routing_key, resolve
from stanch.services import outbox
from stanch.services.context import App, record
from stanch.services.people_config import people_config

PAGERS = ("pagerduty", "opsgenie", "webhook")


@dataclass(frozen=True)
class Escalated:
    incident: Incident
    owner: Owner | None
    team: str
    snapshot: handoff.Snapshot
    triggers: list[policy.Trigger]
    queued: list[Message]
    attempts: list[outbox.Attempt]


def dedup_key(incident_id: str) -> str:
    """One pager alert per incident, so retries and re-pages never duplicate it."""
    return f"stanch/{incident_id}"


def _owner_of(cfg: CommsConfig, state: Incident, to: str | None) -> tuple[str, Owner | None]:
    if to:
        return to, None
    for service in state.services:
        found = resolve(cfg, service)
        if found.team:
            return found.team, found
    if cfg.default_team:
        return cfg.default_team, None
    raise NotFound(
        "no owner known for this incident's services: name a team with --to "
        "(or set [comms] default_team, a catalog or CODEOWNERS)"
    )


def due_triggers(app: App, incident: str | None) -> tuple[Incident, list[policy.Trigger]]:
    """Escalation triggers that hold now and were not answered by a page."""
    key = app.resolve_id(incident)
    state = app.store.state(key)
    cfg = outbox.config(app)
    return state, policy.triggers(state, app.store.events(key), cfg.escalation, utc(app.clock()))


def _has_pagerduty(cfg: CommsConfig, team: str, service: str) -> bool:
    """A PagerDuty page is only queued when some routing key exists for it."""
    if "pagerduty" not in cfg.providers:
        return False
    known = cfg.team(team)
    return bool(
        (known and known.pagerduty_routing_key)
        or cfg.providers["pagerduty"].options.get("routing_key")
        or (service and catalog_routing_key(cfg, service))
    )


def _pages(cfg: CommsConfig, state: Incident, team: str, reason: str,
           snap: handoff.Snapshot) -> list[outbox.Outgoing]:  # fmt: skip
    summary = f"[{snap.severity}] {state.symptom}"[:1024]
    service = state.services[0] if state.services else ""
    common: dict[str, Any] = {"service": service, "reason": reason, "severity": int(state.severity)}
    items: list[outbox.Outgoing] = []
    if _has_pagerduty(cfg, team, service):
        items.append(outbox.Outgoing("pagerduty", "trigger", team, {
            **common, "dedup_key": dedup_key(state.id), "summary": summary,
            "source": service or "stanch", "component": service,
            "details": {"incident": state.id, "handoff": snap.text()},
        }, summary))  # fmt: skip
    if "opsgenie" in cfg.providers:
        items.append(outbox.Outgoing("opsgenie", "create", team, {
            **common, "alias": dedup_key(state.id), "message": summary[:130],
            "description": snap.text(),
        }, summary))  # fmt: skip
    if "webhook" in cfg.providers:
        items.append(outbox.Outgoing("webhook", "page", team, {
            **common, "summary": summary, "handoff": snap.to_dict(),
        }, summary))  # fmt: skip
    if "slack" in cfg.providers:
        items.append(outbox.Outgoing("slack", "post", state.channel, {"text": snap.text()},
                                     "hand-off in the incident channel"))  # fmt: skip
    return items


def _without_detail(page: outbox.Outgoing, state: Incident, generic: str) -> outbox.Outgoing:
    """A page for a restricted incident: severity, type and channel, no internal detail."""
    label = f"[SEV{int(state.severity)}] {state.type} incident, see {state.channel}"
    payload = dict(page.payload)
    for key in ("reason", "description", "text"):
        if key in payload:
            payload[key] = generic
    for key in ("summary", "message"):
        if key in payload:
            payload[key] = label[:130] if key == "message" else label
    if "details" in payload:
        payload["details"] = {"channel": state.channel}
    if "handoff" in payload:
        payload["handoff"] = {"text": generic}
    return replace(page, payload=payload, summary=label)


def _snapshot_event(app: App, actor: str, snap: handoff.Snapshot,
                    kind: str, extra: dict[str, Any]) -> NewEvent:  # fmt: skip
    now = utc(app.clock())
    data = {**snap.to_dict(), **extra, "to": snap.owner}
    return NewEvent(kind, actor, now, now, data)


def escalate(app: App, incident: str | None, *, to: str | None = None, reason: str = "",
             next_step: str = "", hypothesis: str = "", actor: str | None = None,
             deliver: bool = True, notifiers: Any = None) -> Escalated:  # fmt: skip
    """Page the owning on-call with a hand-off snapshot; every step is on the timeline."""
    key = app.resolve_id(incident)
    who = actor or app.settings.actor
    cfg = outbox.config(app)
    state = app.store.state(key)
    if not state.is_open:
        raise InvalidInput(f"{key} is {state.status.value}: there is nobody left to page")
    rules = people_config(app.settings).rules
    target = rules[type_of(state)].escalation_target  # security: the security on-call
    if not to and target and cfg.team(target) is not None:
        to = target
    team, owner = _owner_of(cfg, state, to)
    events = app.store.events(key)
    found = policy.triggers(state, events, cfg.escalation, utc(app.clock()))
    why = reason.strip() or "; ".join(t.reason for t in found) or "escalated by the responder"
    checked_text(why, "reason")
    snap = handoff.snapshot(state, events, owner=team, next_step=next_step,
                            hypothesis_text=hypothesis, scheme=app.settings.severity_scheme)  # fmt: skip
    asked = {"reason": why, "triggers": [t.to_dict() for t in found],
             "summary": f"escalated to {team}: {why}"}  # fmt: skip
    record(app, key, lambda s: _snapshot_event(app, who, snap, policy.ESCALATED, asked))
    record(app, key, lambda s: _snapshot_event(
        app, who, snap, policy.HANDOFF, {"summary": snap.text()}))  # fmt: skip
    pages = _pages(cfg, state, team, why, snap)
    if not rules[type_of(state)].outbound_detail:
        generic = outbound_text(state, events, "", rules)
        pages = [_without_detail(page, state, generic) for page in pages]
    queued = outbox.queue(app, key, pages, who)
    attempts = outbox.deliver(app, key, notifiers) if deliver and queued else []
    return Escalated(app.store.state(key), owner, team, snap, found, queued, attempts)


def handoff_to(app: App, incident: str | None, to: str, *, next_step: str = "",
               hypothesis: str = "", actor: str | None = None, deliver: bool = True,
               notifiers: Any = None) -> tuple[handoff.Snapshot, list[outbox.Attempt]]:  # fmt: skip
    """Record a hand-off snapshot and post it to the incident channel (no page)."""
    key = app.resolve_id(incident)
    who = actor or app.settings.actor
    new_owner = checked_text(to, "new owner")
    state = app.store.state(key)
    snap = handoff.snapshot(state, app.store.events(key), owner=new_owner, next_step=next_step,
                            hypothesis_text=hypothesis, scheme=app.settings.severity_scheme)  # fmt: skip
    record(app, key, lambda s: _snapshot_event(
        app, who, snap, policy.HANDOFF, {"summary": snap.text()}))  # fmt: skip
    cfg = outbox.config(app)
    if "slack" not in cfg.providers:
        return snap, []
    outbox.queue(app, key, [outbox.Outgoing("slack", "post", state.channel, {"text": snap.text()},
                                            f"hand-off to {new_owner}")], who)  # fmt: skip
    return snap, outbox.deliver(app, key, notifiers) if deliver else []


def flag(app: App, incident: str | None, trigger: str, reason: str, *,
         actor: str | None = None) -> Event:  # fmt: skip
    """A responder says a trigger holds (beyond scope or access, destructive fix …)."""
    if trigger not in policy.FLAG_TRIGGERS:
        raise InvalidInput(f"unknown trigger {trigger!r}: use {', '.join(policy.FLAG_TRIGGERS)}")
    key = app.resolve_id(incident)
    who = actor or app.settings.actor
    text = checked_text(reason or trigger, "reason")
    now = utc(app.clock())
    data = {"trigger": trigger, "reason": text, "summary": f"escalation needed ({trigger}): {text}"}
    event, _ = record(app, key, lambda s: NewEvent(policy.ESCALATION_FLAGGED, who, now, now, data))
    return event


def resolve_pages(app: App, incident_id: str, actor: str) -> list[Message]:
    """Once resolved, queue a resolve/close for every alert we opened (once)."""
    state = app.store.state(incident_id)
    if state.is_open:
        return []
    events = app.store.events(incident_id)
    sent = {(e.data.get("provider"), e.data.get("target")) for e in events if e.kind == PAGE_SENT}
    done = {(e.data.get("provider"), e.data.get("target")) for e in events
            if e.kind == "notify.queued" and e.data.get("action") in ("resolve", "close")}  # fmt: skip
    items: list[outbox.Outgoing] = []
    for provider, target in sorted(sent - done, key=str):
        key = dedup_key(incident_id)
        if provider == "pagerduty":
            items.append(outbox.Outgoing("pagerduty", "resolve", str(target),
                                         {"dedup_key": key}, "incident resolved"))  # fmt: skip
        elif provider == "opsgenie":
            items.append(outbox.Outgoing("opsgenie", "close", str(target),
                                         {"alias": key, "note": "resolved"}, "incident resolved"))  # fmt: skip
    return outbox.queue(app, incident_id, items, actor)
