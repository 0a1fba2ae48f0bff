"""Lessons prefilled with measured facts, and action items suggested from the incident."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from stanch.model import kinds
from stanch.model import postmortem as pm
from stanch.model.actions import ActionItem
from stanch.model.clock import human_duration
from stanch.model.events import Event
from stanch.model.incident import Incident

QUICK_DETECTION = timedelta(minutes=5)
QUICK_ACK = timedelta(minutes=5)
QUICK_MITIGATION = timedelta(minutes=15)  # the SEV1 escalation line


@dataclass(frozen=True)
class Lessons:
    went_well: list[str] = field(default_factory=list)
    went_badly: list[str] = field(default_factory=list)
    lucky: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[str]]:
        return {"went_well": self.went_well, "went_badly": self.went_badly, "lucky": self.lucky}


def _sorted_into(good: bool, text: str, well: list[str], badly: list[str]) -> None:
    (well if good else badly).append(text)


def lessons(marks: pm.Milestones, events: Iterable[Event], facts: pm.Facts) -> Lessons:
    """Measured facts first (detection speed, acknowledgement, levers tried), then the authors'."""
    listed = list(events)
    d = pm.durations(marks)
    well: list[str] = []
    badly: list[str] = []
    _sorted_into(d.to_detect <= QUICK_DETECTION,
                 f"detection took {human_duration(d.to_detect)} after onset", well, badly)  # fmt: skip
    if d.to_acknowledge is not None:
        _sorted_into(d.to_acknowledge <= QUICK_ACK,
                     f"the page was acknowledged {human_duration(d.to_acknowledge)} after "
                     "declaration", well, badly)  # fmt: skip
    elif any(e.kind == kinds.PAGE_SENT for e in listed):
        badly.append("a page was sent but never acknowledged")
    tried = marks.levers_tried
    undone = sum(1 for e in listed if e.kind == kinds.LEVER_UNDONE)
    if d.to_mitigate is not None:
        text = f"mitigated {human_duration(d.to_mitigate)} after onset"
        text += f" with {tried} lever{'s' if tried != 1 else ''} tried" if tried else ""
        _sorted_into(d.to_mitigate <= QUICK_MITIGATION and tried <= 1, text, well, badly)
    else:
        badly.append(f"not mitigated yet ({tried} levers tried)")
    if undone:
        badly.append(f"{undone} lever{'s' if undone != 1 else ''} had to be undone")
    if any(e.kind == kinds.MITIGATION_CONFIRMED for e in listed):
        well.append("mitigation was confirmed by the same signal that flagged the incident")
    relapses = sum(1 for e in listed if e.kind == kinds.RELAPSE)
    if relapses:
        badly.append(f"the signal relapsed {relapses} time{'s' if relapses != 1 else ''}")
    f = facts.fields
    return Lessons(
        well + [str(x) for x in f.get("went_well", []) or []],  # type: ignore[attr-defined]
        badly + [str(x) for x in f.get("went_badly", []) or []],  # type: ignore[attr-defined]
        [str(x) for x in f.get("lucky", []) or []],  # type: ignore[attr-defined]
    )


def suggestions(state: Incident, facts: pm.Facts, marks: pm.Milestones,
                existing: list[ActionItem]) -> list[tuple[str, str]]:  # fmt: skip
    """Items that make a recurrence impossible or auto-detected, not yet on the list."""
    service = ", ".join(state.services) or "the affected service"
    out: list[tuple[str, str]] = []
    trigger = facts.trigger
    if trigger in ("binary_push", "configuration_push"):
        what = "deploys" if trigger == "binary_push" else "config changes"
        out.append(("rollback", f"Roll back {service} {what} automatically when the canary's "
                    "error ratio crosses the SLO burn threshold"))  # fmt: skip
        out.append(
            ("test", f"Add a pre-release test in CI that reproduces this failure of {service}")
        )
    if trigger == "configuration_push":
        out.append(
            ("guardrail", f"Validate {service} configuration against its schema before rollout")
        )
    if trigger == "capacity_management":
        out.append(("guardrail", f"Raise the autoscaler minimum for {service} and alert on headroom below 20%"))  # fmt: skip
    if marks.detected - marks.onset > QUICK_DETECTION:
        out.append(("alert", f"Page on {service} error-budget burn (14.4× over 1 h and 5 min) "
                    "so detection takes minutes"))  # fmt: skip
    if not out:
        out.append(("test", f"Add a regression test for this failure mode of {service}"))
    have = {i.kind for i in existing}
    return [(kind, text) for kind, text in out if kind not in have]
