"""SLO error budget and burn rate, exact (fractions), after the SRE Workbook's formulas.

Objective S, period T, error ratio e over a window w:
budget B = 1 − S; burn rate r = e / B; budget consumed f = r · w / T; exhausted in T / r.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from stanch.errors import InvalidInput

DEFAULT_PERIOD = timedelta(days=30)
# Multiwindow, multi-burn-rate policy (30-day SLO): (budget fraction, long window, short window).
PAGE_AND_TICKET_ROWS = (
    (Fraction(2, 100), timedelta(hours=1), timedelta(minutes=5)),
    (Fraction(5, 100), timedelta(hours=6), timedelta(minutes=30)),
    (Fraction(10, 100), timedelta(days=3), timedelta(hours=6)),
)


def exact(value: float | int | str | Fraction) -> Fraction:
    """0.999 as 999/1000, not the nearest binary float."""
    if isinstance(value, Fraction):
        return value
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise InvalidInput(f"not a number: {value!r}") from None


@dataclass(frozen=True)
class Slo:
    """An availability objective for one service."""

    service: str
    objective: Fraction  # e.g. 999/1000
    period: timedelta = DEFAULT_PERIOD

    def __post_init__(self) -> None:
        if not 0 < self.objective < 1:
            raise InvalidInput(f"SLO objective for {self.service} must be between 0 and 1")
        if self.period <= timedelta(0):
            raise InvalidInput(f"SLO period for {self.service} must be positive")

    @property
    def budget(self) -> Fraction:
        """Error budget as a fraction of events: 1 − S."""
        return 1 - self.objective

    @property
    def budget_time(self) -> timedelta:
        """Full-outage time the budget allows over the period (99.9 %, 30 d → 43.2 min)."""
        return timedelta(seconds=float(self.budget * int(self.period.total_seconds())))


@dataclass(frozen=True)
class Burn:
    """What an error ratio over a window did to the budget."""

    slo: Slo
    error_ratio: Fraction
    window: timedelta
    rate: Fraction  # burn rate r
    consumed: Fraction  # share of the period's budget spent in the window

    @property
    def exhausted_in(self) -> timedelta | None:
        """How long the whole budget lasts at this rate (None when nothing burns)."""
        if self.rate == 0:
            return None
        return timedelta(seconds=float(int(self.period_s) / self.rate))

    @property
    def period_s(self) -> int:
        return int(self.slo.period.total_seconds())

    def to_dict(self) -> dict[str, object]:
        return {
            "service": self.slo.service,
            "objective": float(self.slo.objective),
            "period_days": self.period_s / 86400,
            "error_ratio": float(self.error_ratio),
            "window_s": int(self.window.total_seconds()),
            "burn_rate": float(self.rate),
            "budget_consumed": float(self.consumed),
            "budget_consumed_pct": round(float(self.consumed * 100), 4),
        }

    def summary(self) -> str:
        return (
            f"{self.slo.service}: error ratio {float(self.error_ratio):.4%} for "
            f"{int(self.window.total_seconds()) // 60} min = burn rate {float(self.rate):.1f}× "
            f"= {float(self.consumed):.2%} of the {self.period_s // 86400}-day error budget "
            f"(SLO {float(self.slo.objective):.3%})"
        )


def error_ratio(bad: int, total: int) -> Fraction:
    """bad / total events; refuses impossible counts."""
    if total <= 0 or bad < 0 or bad > total:
        raise InvalidInput(f"need 0 ≤ bad ≤ total and total > 0, got bad={bad} total={total}")
    return Fraction(bad, total)


def burn(slo: Slo, ratio: Fraction, window: timedelta) -> Burn:
    """Burn rate and budget consumed for `ratio` sustained over `window`."""
    if not 0 <= ratio <= 1:
        raise InvalidInput(f"error ratio must be between 0 and 1, got {float(ratio)}")
    if window < timedelta(0):
        raise InvalidInput("window must not be negative")
    rate = ratio / slo.budget
    window_s = int(window.total_seconds())
    consumed = rate * window_s / int(slo.period.total_seconds())
    return Burn(slo, ratio, window, rate, consumed)


def threshold(fraction: Fraction, period: timedelta, window: timedelta) -> Fraction:
    """Burn rate at which `fraction` of the budget goes within `window`: f · T / w."""
    return fraction * int(period.total_seconds()) / int(window.total_seconds())
