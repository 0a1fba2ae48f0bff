"""The error ratio during the outage window, from Prometheus (instant query at its end)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import httpx

from stanch.prometheus import QUERY_ERRORS, PrometheusClient, Series

TIMEOUT_S = 10.0
WINDOW = "{window}"  # replaced by the outage window, e.g. 2700s


@dataclass(frozen=True)
class RatioResult:
    """ok with a value, no_data (empty or NaN), or error with a message."""

    status: str  # "ok" | "no_data" | "error"
    value: float | None = None
    message: str = ""


class RatioSource(Protocol):
    def error_ratio(self, expr: str, end: datetime, window: timedelta) -> RatioResult:
        """The ratio of `expr` (with {window}) over `window` ending at `end`."""
        ...


def fill(expr: str, window: timedelta) -> str:
    return expr.replace(WINDOW, f"{max(int(window.total_seconds()), 1)}s")


@dataclass(frozen=True)
class Prometheus:
    """A RatioSource on a Prometheus server: an instant query at the window's end."""

    url: str
    transport: httpx.BaseTransport | None = None

    def error_ratio(self, expr: str, end: datetime, window: timedelta) -> RatioResult:
        client = PrometheusClient(self.url, timeout=TIMEOUT_S, transport=self.transport)
        try:
            series = client.instant(fill(expr, window), end)
        except QUERY_ERRORS as exc:
            return RatioResult("error", message=exc.message)
        return _ratio(series)


def _ratio(series: list[Series]) -> RatioResult:
    samples = [value for one in series for _, value in one.points]
    if not samples:
        return RatioResult("no_data", message="no series matched during the outage window")
    if len(samples) > 1:
        return RatioResult(
            "error", message="the error-ratio query returned several series; sum them"
        )
    value = samples[0]
    if math.isnan(value):
        return RatioResult("no_data", message="no traffic in the window (0/0)")
    if not 0 <= value <= 1:
        return RatioResult("error", message=f"error ratio {value} is outside 0–1")
    return RatioResult("ok", round(value, 9))
