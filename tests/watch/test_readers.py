"""Signal readers against real parts: Prometheus, an HTTP endpoint, a command."""

from __future__ import annotations

import httpx

from stanch.model.signal import make_signal
from stanch.watch.base import ReadStatus
from stanch.watch.checks import CommandCheckReader, HttpCheckReader
from stanch.watch.prometheus import PrometheusReader
from tests.watch.servers import Service, free_port, wait_for_value

QUERY = 'checkout_error_ratio{job="checkout"}'


def test_prometheus_instant_query_takes_the_worst_series(prometheus: str, service: Service) -> None:
    service.error_ratio = 0.25
    wait_for_value(prometheus, 'checkout_error_ratio{region="eu"}', 0.25)
    reader = PrometheusReader(prometheus, timeout=5)
    reading = reader.read(make_signal("promql", QUERY, "< 0.01"))
    assert reading.status is ReadStatus.OK
    assert reading.value == 0.25  # eu is worse than us (0.025)
    assert reading.detail == "2 series"
    # a "higher is healthy" rule takes the lowest series instead
    low = reader.read(make_signal("promql", QUERY, "> 0.1"))
    assert low.value == 0.025


def test_prometheus_empty_nan_and_errors_are_told_apart(prometheus: str) -> None:
    reader = PrometheusReader(prometheus, timeout=5)
    empty = reader.read(make_signal("promql", "no_such_metric_at_all", "< 1"))
    assert empty.status is ReadStatus.NO_DATA
    nan = reader.read(make_signal("promql", "vector(0) / vector(0)", "< 1"))
    assert nan.status is ReadStatus.NO_DATA
    scalar = reader.read(make_signal("promql", "scalar(vector(0.5))", "< 1"))
    assert scalar.status is ReadStatus.OK
    assert scalar.value == 0.5
    broken = reader.read(make_signal("promql", "sum(rate(x[5m]", "< 1"))
    assert broken.status is ReadStatus.ERROR
    assert "bad_data" in broken.detail
    down = PrometheusReader(f"http://127.0.0.1:{free_port()}", timeout=1)
    assert down.read(make_signal("promql", "up", "< 1")).status is ReadStatus.ERROR


def test_prometheus_sends_the_bearer_token_when_configured() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("Authorization") != "Bearer s3cret-token":
            return httpx.Response(401, text="unauthorized")
        return httpx.Response(200, json={"status": "success", "data": {
            "resultType": "vector", "result": [{"metric": {}, "value": [1, "0.5"]}]}})  # fmt: skip

    signal = make_signal("promql", "up", "< 1")
    anonymous = PrometheusReader("http://prom", transport=httpx.MockTransport(handle))
    assert anonymous.read(signal).status is ReadStatus.ERROR
    reader = PrometheusReader("http://prom", token="s3cret-token",
                              transport=httpx.MockTransport(handle))  # fmt: skip
    assert reader.read(signal).value == 0.5
    assert seen[-1].url.path == "/api/v1/query"


def test_http_check_reads_the_status_code(service: Service) -> None:
    reader = HttpCheckReader(timeout=2)
    signal = make_signal("http", f"{service.url}/health", None)
    service.health_status = 503
    bad = reader.read(signal)
    assert bad.value == 503
    assert not signal.is_healthy(503)
    service.health_status = 200
    assert signal.is_healthy(reader.read(signal).value or 0)
    gone = reader.read(make_signal("http", f"http://127.0.0.1:{free_port()}/", None))
    assert gone.status is ReadStatus.OK
    assert gone.value == 599.0  # unreachable fails the check; it is not "no data"


def test_command_check_uses_argv_never_a_shell(tmp_path: object) -> None:
    reader = CommandCheckReader(timeout=5)
    ok = reader.read(make_signal("command", "true", None))
    assert ok.value == 0
    failed = reader.read(make_signal("command", "false", None))
    assert failed.value == 1
    # a shell metacharacter is just an argument: test(1) compares '1' with '1;false'
    odd = reader.read(make_signal("command", "test 1 = '1;false'", None))
    assert odd.value == 1
    missing = reader.read(make_signal("command", "no-such-check-binary --now", None))
    assert missing.status is ReadStatus.ERROR
