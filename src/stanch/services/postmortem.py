"""Draft, edit, check and finalise the postmortem; it lives in the incident file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from stanch.errors import EnvironmentProblem, GuardRefused, InvalidInput, NotFound, ReadOnly
from stanch.model import actions as action_model
from stanch.model import decide
from stanch.model import postmortem as pm
from stanch.model.actions import ActionItem
from stanch.model.blameless import Finding, check
from stanch.model.clock import iso
from stanch.model.events import Event, NewEvent
from stanch.model.incident import Incident
from stanch.model.slo import Burn, burn, error_ratio, exact
from stanch.model.types import postmortem_private
from stanch.postmortem.config import PostmortemSettings, load
from stanch.postmortem.html import page
from stanch.postmortem.lessons import Lessons, lessons, suggestions
from stanch.postmortem.prometheus import Prometheus, RatioResult, RatioSource
from stanch.postmortem.render import markdown
from stanch.services import recurrence
from stanch.services.actions import new_event, record_seen
from stanch.services.context import App, record
from stanch.services.people_config import people_config

SECTION = "postmortem"


@dataclass(frozen=True)
class Draft:
    """Everything the postmortem says, computed from the events at `as_of`."""

    incident: Incident
    events: list[Event]
    facts: pm.Facts
    marks: pm.Milestones
    durations: pm.Durations
    burns: list[Burn]
    items: list[ActionItem]
    lessons: Lessons
    suggested: list[tuple[str, str]]  # (kind, text) not yet added
    findings: list[Finding]
    due: datetime | None
    as_of: datetime
    missing: list[str] = field(default_factory=list)  # what blocks "final"

    @property
    def overdue_by(self) -> timedelta | None:
        if self.due is None or self.facts.state in ("final", "waived") or self.as_of <= self.due:
            return None
        return self.as_of - self.due

    def to_dict(self) -> dict[str, Any]:
        late = self.overdue_by
        return {
            "id": self.incident.id,
            "state": self.facts.state,
            "due": iso(self.due) if self.due else None,
            "overdue_s": int(late.total_seconds()) if late else None,
            "milestones": {k: iso(v) if isinstance(v, datetime) else v
                           for k, v in self.marks.__dict__.items() if v is not None},
            "durations_s": self.durations.to_dict(),
            "burn": [b.to_dict() for b in self.burns],
            "fields": self.facts.fields,
            "trigger": self.facts.trigger,
            "root_causes": self.facts.root_causes,
            "why": [n.__dict__ for n in self.facts.why],
            "lessons": self.lessons.to_dict(),
            "action_items": [i.to_dict(self.as_of) for i in self.items],
            "suggested_actions": [{"kind": k, "text": t} for k, t in self.suggested],
            "blameless": [f.to_dict() for f in self.findings],
            "ready_for_final": not self.missing,
            "missing": self.missing,
        }  # fmt: skip


def people(state: Incident, events: list[Event], settings: PostmortemSettings,
           owners: list[str]) -> set[str]:  # fmt: skip
    """Names the blameless check looks for: roster, role holders, actors, item owners."""
    names = set(settings.roster) | set(owners)
    for holders in state.roles.values():
        names.update(holders)
    names.update(e.actor for e in events if not e.actor.startswith("stanch"))
    return names


def _burns(state: Incident, f: pm.Facts, marks: pm.Milestones, settings: PostmortemSettings,
           as_of: datetime) -> list[Burn]:  # fmt: skip
    fields = f.fields
    if "error_ratio" in fields:
        ratio = exact(str(fields["error_ratio"]))
    elif "bad" in fields and "total" in fields:
        ratio = error_ratio(int(str(fields["bad"])), int(str(fields["total"])))
    else:
        return []
    window = pm.outage_window(marks, as_of)
    return [burn(settings.slos[s], ratio, window) for s in state.services if s in settings.slos]


def build(app: App, incident: str | None, *, as_of: datetime | None = None) -> Draft:
    """The postmortem as the events stand now."""
    key = app.resolve_id(incident)
    now = as_of or app.clock()
    settings = load(app.settings.raw)
    state = app.store.state(key)
    events = app.store.events(key)
    f = pm.facts(events)
    marks = pm.milestones(state, events)
    found = action_model.items(key, events)
    names = people(state, events, settings, [i.owner for i in found])
    texts = f.texts() + [i.text for i in found]
    findings = [hit for text in texts for hit in check(text, names)]
    missing = [f"blameless check: {hit.phrase!r} {hit.reason}" for hit in findings]
    if not f.trigger:
        missing.append("trigger category (stanch why ID add … --factor trigger --category …)")
    if not found:
        missing.append("at least one action item (stanch actions add …)")
    due = state.resolved_at + settings.due_after if state.resolved_at else None
    return Draft(
        state, events, f, marks, pm.durations(marks), _burns(state, f, marks, settings, now),
        found, lessons(marks, events, f), suggestions(state, f, marks, found), findings, due,
        now, missing,
    )  # fmt: skip


def write(app: App, incident: str | None, *, actor: str | None = None) -> tuple[Draft, Path]:
    """Draft (or redraft) the postmortem into the incident file."""
    draft = build(app, incident)
    key = draft.incident.id
    who = actor or app.settings.actor
    now = draft.as_of
    text = markdown(draft, app.settings.severity_scheme)
    if text != next((s.markdown for s in draft.incident.sections if s.key == SECTION), None):
        summary = "postmortem drafted from the events"
        record(app, key, lambda s: decide.set_section(
            s, SECTION, "Postmortem", text, who, now, now, summary=summary))  # fmt: skip
    if draft.facts.state == "none":
        _state(app, key, "draft", "", who)
    return build(app, key, as_of=now), app.files.path(key)


def _state(app: App, key: str, target: str, reason: str, who: str) -> None:
    now = app.clock()
    summary = f"postmortem {target}" + (f": {reason}" if reason else "")
    data: dict[str, object] = {"state": target, "summary": summary}
    if reason:
        data["reason"] = reason
    record(app, key, lambda s: new_event(pm.PM_STATE, who, now, now, data))


def finalize(app: App, incident: str | None, *, actor: str | None = None) -> Draft:
    """Mark the postmortem final; refused while the blameless check or a required part fails."""
    draft, _ = write(app, incident, actor=actor)
    if draft.missing:
        raise GuardRefused(
            "postmortem cannot be final yet: " + "; ".join(draft.missing),
            hint="`stanch postmortem ID --json` lists the findings with suggested wording",
        )
    _state(app, draft.incident.id, "final", "", actor or app.settings.actor)
    final, _ = write(app, draft.incident.id, actor=actor)  # the file says "final" too
    return final


def write_html(app: App, draft: Draft, path: Path) -> bool:
    """Write the postmortem as a standalone page; True when it is private.

    A private postmortem (security, by default) is marked so on the page, asks not to be
    indexed, and is written readable by its owner only: it is never a public export.
    """
    private = postmortem_private(draft.incident, people_config(app.settings).rules)
    text = next(s.markdown for s in draft.incident.sections if s.key == SECTION)
    content = page(f"Postmortem: {draft.incident.symptom}", text, private=private)
    try:
        if private:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)  # an existing, wider file is narrowed too
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise ReadOnly(f"cannot write {path}: {exc.strerror}") from None
    return private


def waive(app: App, incident: str | None, reason: str, *, actor: str | None = None) -> None:
    """No postmortem for this incident, with the reason on record."""
    key = app.resolve_id(incident)
    _state(app, key, "waived", decide.checked_text(reason, "reason"), actor or app.settings.actor)


def set_field(app: App, incident: str | None, name: str, value: str, *,
              actor: str | None = None) -> Event:  # fmt: skip
    """Set a postmortem field (list fields such as went_well gain one entry)."""
    key = app.resolve_id(incident)
    checked = pm.check_field(name, value)
    now = app.clock()
    who = actor or app.settings.actor
    append = name in pm.LIST_FIELDS
    summary = f"postmortem {name}: {checked}"
    data = {"field": name, "value": checked, "append": append, "summary": summary}
    event, _ = record(app, key, lambda s: new_event(pm.PM_FIELD, who, now, now, data))
    if name == "trigger":
        recurrence.check(app, key)
    return event


def why_add(app: App, incident: str | None, text: str, *, under: str | None = None,
            factor: str = "other", category: str | None = None,
            actor: str | None = None) -> pm.WhyNode:  # fmt: skip
    """Add a node to the why-tree; the tree branches wherever a node gets several children."""
    key = app.resolve_id(incident)
    clean = decide.checked_text(text, "why")
    factor_ = factor.strip().lower()
    if factor_ not in pm.FACTORS:
        raise InvalidInput(f"unknown factor {factor!r}: use one of {', '.join(pm.FACTORS)}")
    cat = None
    if category:
        cat = pm.check_category("trigger" if factor_ == "trigger" else "root_cause", category)
    now = app.clock()
    who = actor or app.settings.actor

    def build_event(_: Incident, events: list[Event]) -> NewEvent:
        current = pm.facts(events)
        if under and under not in {n.node for n in current.why}:
            raise NotFound(f"no why {under} on {key}")
        node = pm.next_node(current, events)
        label = f" [{cat}]" if cat else ""
        return new_event(pm.WHY_ADDED, who, now, now, {
            "node": node, "parent": under, "text": clean, "factor": factor_, "category": cat,
            "summary": f"why {node} ({factor_}{label}){' under ' + under if under else ''}: {clean}",
        })  # fmt: skip

    event, _ = record_seen(app, key, build_event)
    if factor_ == "trigger" and cat:
        recurrence.check(app, key)
    return next(n for n in pm.facts(app.store.events(key)).why if n.node == event.data["node"])


def why_remove(app: App, incident: str | None, node: str, *, actor: str | None = None) -> None:
    """Remove a why (and what hangs under it); the removal is an event like any other."""
    key = app.resolve_id(incident)
    now = app.clock()
    who = actor or app.settings.actor

    def build_event(_: Incident, events: list[Event]) -> NewEvent:
        if node not in {n.node for n in pm.facts(events).why}:
            raise NotFound(f"no why {node} on {key}")
        return new_event(
            pm.WHY_REMOVED, who, now, now, {"node": node, "summary": f"removed why {node}"}
        )

    record_seen(app, key, build_event)


def ratio_from_prometheus(
    app: App, incident: str | None, source: RatioSource | None = None, *, actor: str | None = None
) -> RatioResult:
    """Query the error ratio over the outage window and record it as the `error_ratio` field."""
    key = app.resolve_id(incident)
    settings = load(app.settings.raw)
    state = app.store.state(key)
    service = next((s for s in state.services if s in settings.ratio_queries), None)
    if service is None:
        raise InvalidInput(
            f"no error_ratio query in [[postmortem.slo]] for {', '.join(state.services) or key}"
        )
    if source is None:
        if not settings.prometheus_url:
            raise InvalidInput("set [postmortem] prometheus_url to query the error ratio")
        source = Prometheus(settings.prometheus_url)
    marks = pm.milestones(state, app.store.events(key))
    window = pm.outage_window(marks, app.clock())
    result = source.error_ratio(settings.ratio_queries[service], marks.onset + window, window)
    if result.status == "error":
        raise EnvironmentProblem(result.message)
    if result.status == "no_data" or result.value is None:
        raise InvalidInput(
            f"Prometheus has no data for {service}: {result.message}; give --error-ratio"
        )
    set_field(app, key, "error_ratio", str(result.value), actor=actor)
    return result
