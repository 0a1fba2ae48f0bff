"""The one Prometheus HTTP API client (`/api/v1/query`, `/api/v1/query_range`).

Errors map to one line each: Prometheus down, timing out or failing on its side is
`PrometheusUnavailable` (an EnvironmentProblem, exit 3); a query Prometheus refuses
(bad PromQL, HTTP 400/422) or answers with a result type the caller cannot use is
`PrometheusRefused` (InvalidInput, exit 1). No data is an empty list or a NaN sample,
never a zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from stanch.errors import EnvironmentProblem, InvalidInput

MAX_POINTS = 11_000  # Prometheus refuses more points per series
DEFAULT_TIMEOUT_S = 30.0


class PrometheusUnavailable(EnvironmentProblem):
    """Prometheus cannot be reached, timed out or failed on its side."""


class PrometheusRefused(InvalidInput):
    """Prometheus refused the query (bad PromQL) or answered with an unusable result."""


QUERY_ERRORS = (PrometheusUnavailable, PrometheusRefused, InvalidInput)


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    points: list[tuple[float, float]]  # (unix seconds, value)

    def finite(self) -> Series:
        """The same series without NaN ("no data", e.g. 0/0) and infinite samples."""
        return Series(self.labels, [(t, v) for t, v in self.points if math.isfinite(v)])


def number(text: object) -> float:
    """A sample value: Prometheus writes them as strings, including "NaN" and "+Inf"."""
    try:
        return float(str(text))
    except ValueError:
        return math.nan


@dataclass(frozen=True)
class PrometheusClient:
    """A Prometheus server, or anything speaking its query API."""

    url: str
    timeout: float = DEFAULT_TIMEOUT_S
    token: str | None = None
    headers: dict[str, str] | None = None
    transport: httpx.BaseTransport | None = None

    def instant(self, expr: str, at: datetime | None = None) -> list[Series]:
        """Evaluate `expr` at `at` (Prometheus' now when None): a vector or a scalar."""
        params = {"query": expr}
        if at is not None:
            params["time"] = f"{at.timestamp():.3f}"
        data = self._call("/api/v1/query", params)
        kind, result = data.get("resultType"), data.get("result")
        if kind == "scalar" and isinstance(result, list):
            return [Series({}, [_point(result)])]
        if kind == "vector" and isinstance(result, list):
            return [Series(_labels(r), [_point(r["value"])]) for r in result if "value" in r]
        raise PrometheusRefused(f"Prometheus answered {kind!r} for {expr!r}, not a vector")

    def range(self, expr: str, start: datetime, end: datetime, step: timedelta) -> list[Series]:
        """Evaluate `expr` from `start` to `end`; the step widens to stay under MAX_POINTS."""
        if end <= start:
            raise InvalidInput("empty window: the end is not after the start")
        seconds = max(step.total_seconds(), 1.0)
        if (end - start).total_seconds() / seconds > MAX_POINTS:
            seconds = math.ceil((end - start).total_seconds() / MAX_POINTS)
        params = {
            "query": expr, "start": f"{start.timestamp():.3f}", "end": f"{end.timestamp():.3f}",
            "step": f"{seconds:g}",
        }  # fmt: skip
        data = self._call("/api/v1/query_range", params)
        result = data.get("result")
        if data.get("resultType") != "matrix" or not isinstance(result, list):
            raise PrometheusRefused(f"Prometheus answered {data.get('resultType')!r}, not a matrix")
        return [Series(_labels(r), [_point(v) for v in r.get("values", [])]) for r in result]

    def _call(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        form = {**params, "timeout": f"{self.timeout:g}s"}
        try:
            with httpx.Client(
                base_url=self.url.rstrip("/"), timeout=self.timeout, transport=self.transport,
                headers=self._headers(),
            ) as client:  # fmt: skip
                response = client.post(path, data=form)
        except httpx.HTTPError as exc:
            raise PrometheusUnavailable(
                f"Prometheus unreachable at {self.url}: {type(exc).__name__}: {exc}"
            ) from None
        return _data(self.url, params["query"], response)

    def _headers(self) -> dict[str, str]:
        headers = dict(self.headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers


def _data(url: str, expr: str, response: httpx.Response) -> dict[str, Any]:
    try:
        body: Any = response.json()
    except ValueError:
        raise PrometheusUnavailable(
            f"Prometheus at {url} answered HTTP {response.status_code} without JSON"
        ) from None
    if not isinstance(body, dict) or body.get("status") != "success":
        body = body if isinstance(body, dict) else {}
        kind, error = body.get("errorType", "error"), body.get("error", "no detail")
        detail = f"{kind} (HTTP {response.status_code}): {error}"
        if response.status_code in (400, 422):
            raise PrometheusRefused(f"Prometheus refused {expr!r}: {detail}")
        raise PrometheusUnavailable(f"Prometheus at {url}: {detail}")
    data = body.get("data")
    if not isinstance(data, dict):
        raise PrometheusUnavailable(f"Prometheus at {url} answered without data")
    return data


def _labels(item: dict[str, Any]) -> dict[str, str]:
    metric = item.get("metric")
    return {str(k): str(v) for k, v in metric.items()} if isinstance(metric, dict) else {}


def _point(pair: list[Any]) -> tuple[float, float]:
    return float(pair[0]), number(pair[1])
