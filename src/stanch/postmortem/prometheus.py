"""The error ratio during the outage window, from Prometheus (instant query at its end)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx

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
    """`GET /api/v1/query?query=…&time=…` (Prometheus HTTP API v1)."""

    url: str
    transport: httpx.BaseTransport | None = None

    def error_ratio(self, expr: str, end: datetime, window: timedelta) -> RatioResult:
        params = {"query": fill(expr, window), "time": f"{end.timestamp():.0f}"}
        try:
            with httpx.Client(base_url=self.url, timeout=TIMEOUT_S, transport=self.transport) as c:
                response = c.get("/api/v1/query", params=params)
        except httpx.HTTPError as exc:
            return RatioResult("error", message=f"Prometheus unreachable at {self.url}: {exc}")
        return _ratio(response)


def _samples(response: httpx.Response) -> list[Any] | str:
    """The samples of a successful vector/scalar answer, or what went wrong."""
    try:
        body: Any = response.json()
    except ValueError:
        return f"Prometheus answered {response.status_code}, not JSON"
    if not isinstance(body, dict) or body.get("status") != "success":
        error = body.get("error", "") if isinstance(body, dict) else ""
        return f"Prometheus {response.status_code}: {error}"
    data = body.get("data") or {}
    result = data.get("result")
    if data.get("resultType") == "scalar" and isinstance(result, list):
        return [result]
    if data.get("resultType") == "vector" and isinstance(result, list):
        return [r.get("value") for r in result]
    return "Prometheus returned neither a vector nor a scalar"


def _ratio(response: httpx.Response) -> RatioResult:
    samples = _samples(response)
    if isinstance(samples, str):
        return RatioResult("error", message=samples)
    if not samples:
        return RatioResult("no_data", message="no series matched during the outage window")
    if len(samples) > 1:
        return RatioResult(
            "error", message="the error-ratio query returned several series; sum them"
        )
    value = float(samples[0][1])
    if math.isnan(value):
        return RatioResult("no_data", message="no traffic in the window (0/0)")
    if not 0 <= value <= 1:
        return RatioResult("error", message=f"error ratio {value} is outside 0–1")
    return RatioResult("ok", round(value, 9))
