"""One hypothesis at a time: its prediction, the signal that checks it, the verdict.

Refuted hypotheses stay in the record; a new hypothesis waits until the open one has
a verdict, so the team tests one idea at a time instead of chasing several at once.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from stanch.errors import GuardRefused, InvalidInput, NotFound
from stanch.model.clock import iso, utc
from stanch.model.events import Event, NewEvent

PROPOSED: Final = "hypothesis.proposed"  # {"hid", "text", "predict", "check", "expect", "summary"}
CHECKED: Final = (
    "hypothesis.checked"  # {"hid", "verdict", "value", "check", "expect", "evidence", "summary"}
)
VERDICTS: Final = ("supported", "refuted", "inconclusive")

_EXPECT = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$")
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le,
    "==": operator.eq, "!=": operator.ne,
}  # fmt: skip


@dataclass(frozen=True)
class Hypothesis:
    hid: str
    text: str
    predict: str
    check: str | None
    expect: str | None
    proposed_at: datetime
    verdict: str = "open"
    value: float | None = None
    evidence: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.hid, "text": self.text, "predict": self.predict, "check": self.check,
            "expect": self.expect, "proposed_at": iso(self.proposed_at), "verdict": self.verdict,
            "value": self.value, "evidence": self.evidence,
        }  # fmt: skip


def parse_expect(text: str) -> tuple[str, float]:
    """'> 0.05' → ('>', 0.05): the prediction as a comparison the check can decide."""
    found = _EXPECT.match(text)
    if not found:
        raise InvalidInput(f"--expect {text!r}: write a comparison like '> 0.05' or '== 0'")
    return found.group(1), float(found.group(2))


def verdict_of(expect: str, value: float | None) -> str:
    """Supported when the value meets the prediction, refuted when not, inconclusive without data."""
    if value is None or math.isnan(value):
        return "inconclusive"
    op, threshold = parse_expect(expect)
    return "supported" if _OPS[op](value, threshold) else "refuted"


def fold(events: Iterable[Event]) -> list[Hypothesis]:
    """Every hypothesis of the incident with its latest verdict, in order."""
    found: dict[str, Hypothesis] = {}
    for event in events:
        d = event.data
        if event.kind == PROPOSED:
            found[d["hid"]] = Hypothesis(
                d["hid"], d["text"], d["predict"], d.get("check"), d.get("expect"),
                event.occurred_at,
            )  # fmt: skip
        elif event.kind == CHECKED and d.get("hid") in found:
            found[d["hid"]] = replace(
                found[d["hid"]], verdict=d["verdict"], value=d.get("value"),
                evidence=str(d.get("evidence") or ""),
            )  # fmt: skip
    return list(found.values())


def propose(
    known: list[Hypothesis], text: str, predict: str, check: str | None, expect: str | None,
    actor: str, now: datetime,
) -> NewEvent:  # fmt: skip
    """A new hypothesis; refused while another one is still open."""
    open_ = [h for h in known if h.verdict == "open"]
    if open_:
        raise GuardRefused(
            f"hypothesis {open_[0].hid} ({open_[0].text[:60]}) is still open: give it a verdict "
            "first (stanch verdict), one hypothesis at a time"
        )
    if not text.strip() or not predict.strip():
        raise InvalidInput("a hypothesis needs its text and a --predict (what we would see)")
    if expect is not None:
        parse_expect(expect)
    hid = f"H{len(known) + 1}"
    data = {
        "hid": hid, "text": text.strip(), "predict": predict.strip(), "check": check,
        "expect": expect, "summary": f"hypothesis {hid}: {text.strip()} — predicts {predict.strip()}",
    }  # fmt: skip
    return NewEvent(PROPOSED, actor, utc(now), utc(now), data)


def checked(
    known: list[Hypothesis], hid: str, verdict: str, value: float | None, evidence: str,
    actor: str, now: datetime,
) -> NewEvent:  # fmt: skip
    """The verdict on a hypothesis, with the evidence that decided it."""
    target = next((h for h in known if h.hid.lower() == hid.lower()), None)
    if target is None:
        raise NotFound(f"no hypothesis {hid} on this incident")
    if verdict not in VERDICTS:
        raise InvalidInput(f"verdict {verdict!r}: expected one of {', '.join(VERDICTS)}")
    shown = "no data" if value is None else f"{value:.4g}"
    data = {
        "hid": target.hid, "verdict": verdict, "value": value, "check": target.check,
        "expect": target.expect, "evidence": evidence,
        "summary": f"hypothesis {target.hid} {verdict}: {target.text[:80]} "
        f"({target.check or 'by hand'} = {shown}{', expected ' + target.expect if target.expect else ''})"
        + (f"; {evidence}" if evidence else ""),
    }  # fmt: skip
    return NewEvent(CHECKED, actor, utc(now), utc(now), data)
