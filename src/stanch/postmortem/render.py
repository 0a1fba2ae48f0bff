"""The postmortem as Markdown, in the Google template's order, for the incident file."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from stanch.model import kinds
from stanch.model import postmortem as pm
from stanch.model.clock import human_duration, iso
from stanch.model.describe import describe
from stanch.model.events import Event, Kind
from stanch.model.severity import Scheme

if TYPE_CHECKING:
    from stanch.services.postmortem import Draft

_OWN = (pm.PM_STATE, pm.PM_FIELD, pm.WHY_ADDED, pm.WHY_REMOVED, Kind.SECTION)
_DURATIONS = (
    ("to_detect", "Onset → detected (time to detect)"),
    ("to_declare", "Detected → declared"),
    ("to_acknowledge", "Declared → acknowledged (time to acknowledge)"),
    ("to_first_lever", "Onset → first mitigation applied"),
    ("to_mitigate", "Onset → mitigated (time to mitigate)"),
    ("to_resolve", "Onset → resolved (time to resolve)"),
    ("mitigated_to_resolved", "Mitigated → resolved"),
)


def _cell(value: object) -> str:
    text = " ".join(str(value).split()).replace("|", "\\|")
    return text.replace("<!--", "&lt;!--").replace("-->", "--&gt;") or "—"


def _field(draft: Draft, name: str, fallback: str = "_(to fill in)_") -> str:
    value = draft.facts.fields.get(name)
    return _cell(value) if value not in (None, "") else fallback


def _summary(draft: Draft, scheme: Scheme) -> str:
    state = draft.incident
    d = draft.durations
    parts = [f"{state.symptom} ({state.severity.label(scheme)}; impact: {state.impact.summary()})."]
    if d.to_mitigate is not None:
        parts.append(f"Mitigated {human_duration(d.to_mitigate)} after onset")
        parts[-1] += f", resolved after {human_duration(d.to_resolve)}." if d.to_resolve else "."
    trigger = draft.facts.trigger
    if trigger:
        parts.append(f"Triggered by a {trigger.replace('_', ' ')}.")
    return " ".join(parts)


def _detection(draft: Draft) -> str:
    """Drafted from the milestones and pages; the author says which alert or report it was."""
    m = draft.marks
    text = f"Detected {iso(m.detected)}, {human_duration(m.detected - m.onset)} after onset"
    pages = [e for e in draft.events if e.kind == kinds.PAGE_SENT]
    if pages:
        first = min(pages, key=lambda e: e.occurred_at)
        text += f"; first page to {first.data.get('target', 'on-call')} at {iso(first.occurred_at)}"
    if m.acknowledged:
        text += f", acknowledged at {iso(m.acknowledged)}"
    return text + ". _(Which alert or report noticed it?)_"


def _resolution(draft: Draft) -> str:
    """The levers applied and how mitigation was confirmed, from the events."""
    parts = [
        f"{e.data.get('lever', 'a lever')} applied at {iso(e.occurred_at)}"
        for e in sorted(draft.events, key=lambda e: e.occurred_at)
        if e.kind == kinds.LEVER_APPLIED and not e.data.get("dry_run")
    ]
    m = draft.marks
    if m.mitigated:
        parts.append(f"mitigated at {iso(m.mitigated)}")
    if m.resolved:
        parts.append(f"resolved at {iso(m.resolved)}")
    if not parts:
        return "_(to fill in)_"
    text = _cell("; ".join(parts))
    return text[:1].upper() + text[1:] + "."


def _impact(draft: Draft) -> list[str]:
    m = draft.marks
    rows = [("Onset (outage begins)", iso(m.onset)), ("Detected", iso(m.detected)),
            ("Declared", iso(m.declared))]  # fmt: skip
    rows += [(label, iso(v)) for label, v in (
        ("Acknowledged", m.acknowledged), ("First mitigation applied", m.first_lever),
        ("Mitigated", m.mitigated), ("Resolved (outage ends)", m.resolved)) if v]  # fmt: skip
    values = draft.durations.__dict__
    rows += [(label, human_duration(values[k])) for k, label in _DURATIONS if values[k] is not None]
    rows += [("Users affected", _field(draft, "users_affected", "—")),
             ("Requests affected", _field(draft, "requests_affected", "—")),
             ("Revenue effect", _field(draft, "revenue", "—")),
             ("Data effect", _field(draft, "data_loss", "—"))]  # fmt: skip
    lines = ["| Measure | Value |", "|---|---|", *(f"| {a} | {_cell(b)} |" for a, b in rows)]
    lines.append("")
    if draft.burns:
        lines += [f"- SLO burn: {b.summary()}" for b in draft.burns]
    else:
        lines.append("- SLO burn: _(give the error ratio: stanch postmortem ID --error-ratio …)_")
    return lines


def _why(draft: Draft) -> list[str]:
    f = draft.facts
    trigger = f.trigger
    share = f" — {pm.TRIGGERS[trigger]:.0%} of outages in Google's sample" if trigger else ""
    lines = [f"**Trigger:** {trigger or '_(category to fill in)_'}{share}"]
    causes = ", ".join(f.root_causes) or "_(to fill in)_"
    lines += [f"**Root-cause categories:** {causes}", ""]

    def walk(parent: str | None, depth: int) -> None:
        for node in f.children(parent):
            label = f" [{node.category}]" if node.category else ""
            lines.append(f"{'  ' * depth}- {node.node} ({node.factor}{label}): {_cell(node.text)}")
            walk(node.node, depth + 1)

    if f.why:
        walk(None, 0)
    else:
        lines.append("_(add whys: stanch why ID add \"…\" --factor trigger|code|config|guardrail|"
                     "detection|process)_")  # fmt: skip
    return lines


def _lessons(draft: Draft) -> list[str]:
    lines: list[str] = []
    for title, entries in (("What went well", draft.lessons.went_well),
                           ("What went badly", draft.lessons.went_badly),
                           ("Where we got lucky", draft.lessons.lucky)):  # fmt: skip
        lines += [f"**{title}**", ""]
        lines += [f"- {_cell(e)}" for e in entries] or ["- _(to fill in)_"]
        lines.append("")
    return lines


def _actions(draft: Draft) -> list[str]:
    lines = ["| Item | Action | Type | Kind | Owner | Priority | Due | Status |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for i in draft.items:
        late = i.overdue_by(draft.as_of)
        status = "done" if not i.is_open else "**OVERDUE**" if late else "open"
        lines.append(f"| {i.item} | {_cell(i.text)} | {i.type} | {i.kind} | {_cell(i.owner)} | "
                     f"{i.priority} | {iso(i.due)} | {status} |")  # fmt: skip
    if draft.suggested:
        lines += ["", "Suggested (make recurrence impossible or detected automatically):"]
        lines += [f"- [{kind}] {_cell(text)}" for kind, text in draft.suggested]
    return lines


def _timeline(draft: Draft, scheme: Scheme) -> list[str]:
    m = draft.marks
    marks: list[tuple[datetime, int, str]] = [(m.onset, 0, "**OUTAGE BEGINS** (onset)")]
    if m.mitigated:
        marks.append((m.mitigated, 2, "**OUTAGE MITIGATED**"))
    if m.resolved:
        marks.append((m.resolved, 2, "**OUTAGE ENDS** (resolved)"))
    shown: list[Event] = [e for e in draft.events if e.kind not in _OWN]
    rows = marks + [(e.occurred_at, 1, f"{_cell(describe(e, scheme))}") for e in shown]
    rows.sort(key=lambda row: (row[0], row[1]))
    return [f"- {iso(when)} — {text}" for when, _, text in rows]


def markdown(draft: Draft, scheme: Scheme) -> str:
    """The postmortem section: status line, then the template's sections."""
    due = f"due {iso(draft.due)}" if draft.due else "due 48 h after resolution"
    if draft.overdue_by:  # no running count: the file changes only when facts change
        due += f" (OVERDUE as of {iso(draft.as_of)[:10]})"
    check = "passes" if not draft.findings else f"{len(draft.findings)} finding(s)"
    authors = sorted(
        {e.actor for e in draft.events if e.kind in _OWN and not e.actor.startswith("stanch")}
    )
    lines = [
        f"**Status:** {draft.facts.state if draft.facts.state != 'none' else 'draft'} · "
        f"**{due}** · **Blameless check:** {check}",
        f"**Authors:** {_cell(', '.join(authors))}", "",
        "### Summary", "", _field(draft, "summary", _summary(draft, scheme)), "",
        "### Impact", "", *_impact(draft), "",
        "### Causal analysis", "", *_why(draft), "",
        "### Detection", "", _field(draft, "detection", _detection(draft)), "",
        "### Resolution", "", _field(draft, "resolution", _resolution(draft)), "",
        "### Lessons learned", "", *_lessons(draft),
        "### Action items", "", *_actions(draft), "",
        "### Postmortem timeline (UTC)", "", *_timeline(draft, scheme), "",
        "### Supporting information", "",
        _field(draft, "supporting", "_(links to dashboards, graphs, chat logs)_"),
    ]  # fmt: skip
    if draft.findings:
        lines += ["", "### Blameless check", ""]
        lines += [f"- {_cell(f.phrase)!r}: {f.reason}; {f.suggestion}" for f in draft.findings]
    return "\n".join(lines)
