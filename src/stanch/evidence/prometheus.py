"""Evidence reads metrics through the `MetricSource` protocol, served by `stanch.prometheus`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import httpx

from stanch.prometheus import MAX_POINTS, PrometheusClient, PrometheusUnavailable, Series

__all__ = ["MAX_POINTS", "MetricSource", "Prometheus", "PrometheusUnavailable", "Series"]


class MetricSource(Protocol):
    def query(self, expr: str, at: datetime) -> list[Series]: ...

    def query_range(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> list[Series]: ...


@dataclass
class Prometheus:
    """A MetricSource on a Prometheus server; NaN and infinite samples are dropped (no data)."""

    url: str
    timeout: float = 30.0
    transport: httpx.BaseTransport | None = None
    headers: dict[str, str] | None = None

    def _client(self) -> PrometheusClient:
        return PrometheusClient(
            self.url, timeout=self.timeout, headers=self.headers, transport=self.transport
        )

    def query(self, expr: str, at: datetime) -> list[Series]:
        return [series.finite() for series in self._client().instant(expr, at)]

    def query_range(
        self, expr: str, start: datetime, end: datetime, step: timedelta
    ) -> list[Series]:
        return [series.finite() for series in self._client().range(expr, start, end, step)]
