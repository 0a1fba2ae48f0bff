"""Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`) behind a small protocol."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx

from stanch.errors import EnvironmentProblem, InvalidInput

MAX_POINTS = 11_000  # Prometheus refuses more points per series


class PrometheusUnavailable(EnvironmentProblem):
    """Prometheus cannot be reached or failed on its side."""


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    points: list[tuple[float, float]]  # (unix seconds, value); NaN samples dropped


class MetricSource(Protocol):
    def query(self, expr: str, at: datetime) -> list[Series]: ...

    def query_range(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> list[Series]: ...


def _number(text: Any) -> float:
    value = float(text)  # "NaN", "+Inf" are strings Python parses
    return value


@dataclass
class Prometheus:
    """A Prometheus server (or anything speaking its query API)."""

    url: str
    timeout: float = 30.0
    transport: httpx.BaseTransport | None = None
    headers: dict[str, str] | None = None

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            with httpx.Client(
                base_url=self.url, timeout=self.timeout, transport=self.transport,
                headers=self.headers,
            ) as client:  # fmt: skip
                response = client.post(path, data=params)
        except httpx.HTTPError as exc:
            raise PrometheusUnavailable(f"Prometheus at {self.url} unreachable: {exc}") from None
        try:
            body = response.json()
        except ValueError:
            raise PrometheusUnavailable(
                f"Prometheus at {self.url} answered HTTP {response.status_code} without JSON"
            ) from None
        if body.get("status") != "success":
            kind, error = body.get("errorType", "error"), body.get("error", "no detail")
            if response.status_code in (400, 422):
                raise InvalidInput(f"Prometheus refused {params['query']!r}: {kind}: {error}")
            raise PrometheusUnavailable(f"Prometheus at {self.url}: {kind}: {error}")
        data: dict[str, Any] = body["data"]
        return data

    def query(self, expr: str, at: datetime) -> list[Series]:
        data = self._get("/api/v1/query", {"query": expr, "time": f"{at.timestamp():.3f}"})
        if data["resultType"] == "scalar":
            return [Series({}, _clean([data["result"]]))]
        return [Series(r["metric"], _clean([r["value"]])) for r in data["result"]]

    def query_range(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> list[Series]:
        if end <= start:
            raise InvalidInput("empty window: the end is not after the start")
        seconds = max(step.total_seconds(), 1.0)
        if (end - start).total_seconds() / seconds > MAX_POINTS:
            seconds = math.ceil((end - start).total_seconds() / MAX_POINTS)
        params = {
            "query": expr, "start": f"{start.timestamp():.3f}", "end": f"{end.timestamp():.3f}",
            "step": f"{seconds:g}",
        }  # fmt: skip
        data = self._get("/api/v1/query_range", params)
        return [Series(r["metric"], _clean(r["values"])) for r in data["result"]]


def _clean(values: list[list[Any]]) -> list[tuple[float, float]]:
    out = []
    for stamp, text in values:
        value = _number(text)
        if math.isfinite(value):  # NaN is "no data" (0/0), not zero
            out.append((float(stamp), value))
    return out
