"""Prometheus instant query for watched signals, through `stanch.prometheus`."""

from __future__ import annotations

import httpx

from stanch.model.signal import Signal
from stanch.prometheus import QUERY_ERRORS, PrometheusClient
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
        self.token = token
        self.transport = transport

    def read(self, signal: Signal) -> Reading:
        base = (signal.source or self.base_url).rstrip("/")
        if not base:
            return Reading.error("no Prometheus URL: set [watch] prometheus_url or --source")
        client = PrometheusClient(
            base, timeout=self.timeout, token=self.token, transport=self.transport
        )
        try:
            series = client.instant(signal.expr)
        except QUERY_ERRORS as exc:
            return Reading.error(exc.message)
        values = [value for one in series for _, value in one.points]
        worst = signal.worst(values)
        if worst is None:
            return Reading.no_data("the query returned no series (or only NaN)")
        return Reading.ok(worst, f"{len(values)} series")
