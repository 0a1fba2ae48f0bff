"""The flagging signal: what flagged the incident and when it counts as healthy.

A signal is a PromQL expression, an HTTP check or a command check, with a comparison
that says when a value is healthy (`error_ratio < 0.01`). The same signal that flagged
the incident confirms its mitigation and gates its resolution.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from stanch.errors import InvalidInput
from stanch.model.events import Event
from stanch.model.kinds import SIGNAL_SET

KINDS = ("promql", "http", "command")

OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}

# A check with no comparison given: an HTTP status below 400, a command exiting 0.
DEFAULT_RULE: dict[str, tuple[str, float]] = {"http": ("<", 400.0), "command": ("==", 0.0)}


@dataclass(frozen=True)
class Signal:
    """One flagging signal and its healthy rule."""

    kind: str  # promql | http | command
    expr: str  # PromQL, a URL, or a command line (split into argv, never run by a shell)
    op: str
    threshold: float
    source: str = ""  # Prometheus base URL (empty: the [watch] setting) or free text

    def is_healthy(self, value: float) -> bool:
        """True when the value meets the rule; NaN and infinities never do."""
        if math.isnan(value):
            return False
        return OPS[self.op](value, self.threshold)

    def worst(self, values: Iterable[float]) -> float | None:
        """The least healthy of several series' values (max for '<', min for '>')."""
        finite = [v for v in values if not math.isnan(v)]
        if not finite:
            return None
        lower_is_better = self.op in ("<", "<=")
        return max(finite) if lower_is_better else min(finite)

    def rule(self) -> str:
        return f"{self.op} {self.threshold:g}"

    def describe(self) -> str:
        return f"{self.kind} `{self.expr}` healthy when {self.rule()}"

    def to_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "expr": self.expr,
            "op": self.op,
            "threshold": self.threshold,
            "source": self.source,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Signal:
        return cls(
            kind=str(data["kind"]),
            expr=str(data["expr"]),
            op=str(data["op"]),
            threshold=float(data["threshold"]),
            source=str(data.get("source") or ""),
        )


def parse_rule(text: str) -> tuple[str, float]:
    """'< 0.01' or '<=250' → ('<', 0.01)."""
    cleaned = text.strip()
    for op in sorted(OPS, key=len, reverse=True):
        if cleaned.startswith(op):
            number = cleaned[len(op) :].strip()
            try:
                value = float(number)
            except ValueError:
                break
            if math.isnan(value):
                break
            return op, value
    ops = " ".join(OPS)
    raise InvalidInput(f"bad healthy rule {text!r}: write an operator ({ops}) and a number")


def make_signal(kind: str, expr: str, rule: str | None, source: str = "") -> Signal:
    """Validate a signal as a responder gives it."""
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise InvalidInput(f"unknown signal kind {kind!r}: use one of {', '.join(KINDS)}")
    expr = expr.strip()
    if not expr or len(expr) > 4000:
        raise InvalidInput("signal expression is empty or longer than 4000 characters")
    if kind == "http" and not expr.startswith(("http://", "https://")):
        raise InvalidInput(f"an http check needs an http(s) URL, not {expr!r}")
    if rule:
        op, threshold = parse_rule(rule)
    elif kind in DEFAULT_RULE:
        op, threshold = DEFAULT_RULE[kind]
    else:
        raise InvalidInput("a PromQL signal needs a healthy rule, e.g. --healthy '< 0.01'")
    return Signal(kind, expr, op, threshold, source.strip())


def current_signal(events: Iterable[Event]) -> tuple[Signal, int] | None:
    """The latest signal set on the incident and the seq of its event."""
    found: tuple[Signal, int] | None = None
    for event in events:
        if event.kind == SIGNAL_SET:
            found = (Signal.from_data(event.data), event.seq)
    return found
