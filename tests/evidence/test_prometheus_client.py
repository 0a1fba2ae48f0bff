"""The one Prometheus client (`stanch.prometheus`) against the real, backfilled Prometheus."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from stanch.errors import EnvironmentProblem, InvalidInput
from stanch.prometheus import PrometheusClient, PrometheusRefused, PrometheusUnavailable
from tests.evidence.promserver import PromServer
from tests.support.process import free_port

ERRORS = 'sum(rate(http_requests_total{job="checkout",code="500"}[1m]))'


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_instant_and_range_read_the_backfilled_history(prom: PromServer) -> None:
    client = PrometheusClient(prom.url, timeout=5)
    before = client.instant(ERRORS, at(prom.history.fault - 600))
    after = client.instant(ERRORS, at(prom.history.fault + 600))
    assert before[0].points[0][1] == pytest.approx(0.5)
    assert after[0].points[0][1] == pytest.approx(20)
    start, end = at(prom.history.fault - 300), at(prom.history.fault + 300)
    (series,) = client.range(ERRORS, start, end, timedelta(minutes=1))
    stamps = [stamp for stamp, _ in series.points]
    assert stamps[0] == start.timestamp() and stamps[-1] == end.timestamp() and len(stamps) == 11
    assert series.points[0][1] == pytest.approx(0.5) and series.points[-1][1] == pytest.approx(20)


def test_no_data_is_not_zero(prom: PromServer) -> None:
    client = PrometheusClient(prom.url, timeout=5)
    moment = at(prom.history.fault)
    assert client.instant("no_such_metric_anywhere", moment) == []
    ((_, nan),) = client.instant("vector(0) / vector(0)", moment)[0].points
    assert math.isnan(nan)
    assert client.instant("vector(0) / vector(0)", moment)[0].finite().points == []
    ((_, zero),) = client.instant("scalar(vector(0))", moment)[0].points
    assert zero == 0 and not math.isnan(zero)


def test_bad_promql_is_invalid_input_and_down_is_environment(prom: PromServer) -> None:
    with pytest.raises(PrometheusRefused) as refused:
        PrometheusClient(prom.url, timeout=5).instant("sum(rate(", None)
    assert isinstance(refused.value, InvalidInput) and refused.value.exit_code == 1
    assert "bad_data" in refused.value.message and "\n" not in refused.value.message
    with pytest.raises(PrometheusRefused):  # a range vector is not an instant answer
        PrometheusClient(prom.url, timeout=5).instant("http_requests_total[5m]")
    with pytest.raises(PrometheusUnavailable) as down:
        PrometheusClient(f"http://127.0.0.1:{free_port()}", timeout=1).instant("up")
    assert isinstance(down.value, EnvironmentProblem) and down.value.exit_code == 3
    assert down.value.message.startswith("Prometheus unreachable")
    with pytest.raises(InvalidInput):
        PrometheusClient(prom.url).range("up", at(100), at(100), timedelta(seconds=15))


def test_token_timeout_and_server_side_failures() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("Authorization") != "Bearer t0ken":
            return httpx.Response(401, text="unauthorized")
        if b"query=boom" in request.content:
            return httpx.Response(503, json={"status": "error", "errorType": "unavailable",
                                             "error": "overloaded"})  # fmt: skip
        return httpx.Response(200, json={"status": "success", "data": {
            "resultType": "vector", "result": [{"metric": {"a": "b"}, "value": [1, "0.5"]}]}})  # fmt: skip

    transport = httpx.MockTransport(handle)
    with pytest.raises(PrometheusUnavailable, match="HTTP 401 without JSON"):
        PrometheusClient("http://prom", transport=transport).instant("up")
    client = PrometheusClient("http://prom", timeout=7, token="t0ken", transport=transport)
    (series,) = client.instant("up")
    assert series.labels == {"a": "b"} and series.points == [(1.0, 0.5)]
    assert b"timeout=7s" in seen[-1].content and seen[-1].method == "POST"
    with pytest.raises(PrometheusUnavailable, match=r"unavailable \(HTTP 503\): overloaded"):
        client.instant("boom")


def test_range_widens_the_step_to_stay_under_the_point_limit() -> None:
    steps: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        form = dict(pair.split("=", 1) for pair in request.content.decode().split("&"))
        steps.append(form["step"])
        return httpx.Response(200, json={"status": "success",
                                         "data": {"resultType": "matrix", "result": []}})  # fmt: skip

    client = PrometheusClient("http://prom", transport=httpx.MockTransport(handle))
    assert client.range("up", at(0), at(30 * 86400), timedelta(seconds=1)) == []
    assert float(steps[-1]) * 11_000 >= 30 * 86400
