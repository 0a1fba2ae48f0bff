"""Prometheus HTTP API instant query (`/api/v1/query`)."""

from __future__ import annotations

import math
from typing import Any

import httpx

from stanch.model.signal import Signal
from stanch.watch.base import Reading


class PrometheusReader:
    """Evaluates the signal's PromQL now; several series count by their least healthy value."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.transport = transport

    def read(self, signal: Signal) -> Reading:
        base = (signal.source or self.base_url).rstrip("/")
        if not base:
            return Reading.error("no Prometheus URL: set [watch] prometheus_url or --source")
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(
                    f"{base}/api/v1/query",
                    data={"query": signal.expr, "timeout": f"{self.timeout:g}s"},
                    headers=self.headers,
                )
        except httpx.HTTPError as exc:
            return Reading.error(f"Prometheus at {base} unreachable: {type(exc).__name__}")
        return _interpret(signal, response)


def _interpret(signal: Signal, response: httpx.Response) -> Reading:
    try:
        body: Any = response.json()
    except ValueError:
        return Reading.error(f"Prometheus answered HTTP {response.status_code} without JSON")
    if not isinstance(body, dict) or body.get("status") != "success":
        kind = body.get("errorType", "error") if isinstance(body, dict) else "error"
        text = body.get("error", "") if isinstance(body, dict) else ""
        return Reading.error(f"Prometheus {kind} (HTTP {response.status_code}): {text}")
    data = body.get("data") or {}
    values = _values(data.get("resultType"), data.get("result"))
    if values is None:
        return Reading.error(f"unsupported result type {data.get('resultType')!r}")
    worst = signal.worst(values)
    if worst is None:
        return Reading.no_data("the query returned no series (or only NaN)")
    return Reading.ok(worst, f"{len(values)} series")


def _values(result_type: object, result: object) -> list[float] | None:
    if result_type == "scalar" and isinstance(result, list):
        return [_number(result[1])]
    if result_type == "vector" and isinstance(result, list):
        return [_number(item["value"][1]) for item in result if "value" in item]
    return None


def _number(text: object) -> float:
    # Prometheus writes samples as strings, including "NaN" and "+Inf".
    try:
        return float(str(text))
    except ValueError:
        return math.nan
