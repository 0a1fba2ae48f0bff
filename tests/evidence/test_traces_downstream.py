"""A server span that failed because its own client call failed names the downstream.

Some instrumentations leave a client span's status UNSET and only record the response
(HTTP 503, a gRPC status, error.type): the failing hop is that call and its downstream,
not the server span above it. Traces come from the OpenTelemetry SDK.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from stanch.services.traces import analyse
from tests.evidence.otel_app import App as Shop
from tests.evidence.otel_app import jaeger

BANK_503 = {"http.response.status_code": 503}
LEDGER_GRPC = {"rpc.grpc.status_code": 14}  # UNAVAILABLE


def _request(shop: Shop, bank: dict[str, int] | None, *, ledger_down: bool = False,
             bank_tolerated: bool = False) -> None:  # fmt: skip
    """payments: POST /charge → POST bank.example (HTTP) and Post ledger (gRPC)."""
    tracer = shop.tracers["payments"]
    server = tracer.start_span("POST /charge", kind=SpanKind.SERVER, start_time=shop._t(1))
    with trace.use_span(server, end_on_exit=False):
        call = tracer.start_span("POST", kind=SpanKind.CLIENT, start_time=shop._t(1),
                                 attributes={"server.address": "bank.example",
                                             "http.response.status_code": 200})  # fmt: skip
        if bank:  # the response failed, the status stays UNSET
            call.set_attributes(bank)
        call.end(end_time=shop._t(20))
        ledger = tracer.start_span("Post", kind=SpanKind.CLIENT, start_time=shop._t(1),
                                   attributes={"rpc.service": "ledger.Ledger",
                                               "rpc.grpc.status_code": 0})  # fmt: skip
        if ledger_down:
            ledger.set_attributes(LEDGER_GRPC)
        ledger.end(end_time=shop._t(5))
    if (bank and not bank_tolerated) or ledger_down:
        server.set_attribute("http.response.status_code", 502)
        server.set_status(Status(StatusCode.ERROR))
    server.end(end_time=shop._t(1))


@pytest.fixture
def shop_file(tmp_path: Path) -> Path:
    shop = Shop()
    for i in range(30):
        _request(shop, BANK_503 if i % 3 == 0 else None)
    return shop.write(tmp_path / "traces.json")


def test_server_origin_names_the_failed_downstream_call(shop_file: Path) -> None:
    report = analyse(shop_file)
    assert report.failing == 10
    hop = report.to_dict()["failing_hop"]
    assert (hop["service"], hop["operation"], hop["downstream"], hop["error"]) == (
        "payments", "POST", "bank.example", "503",
    )  # fmt: skip
    assert hop["share"] == 1.0 and hop["healthy_share"] == 0.0


def test_jaeger_json_names_the_same_downstream(shop_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "jaeger.json"
    path.write_text(json.dumps(jaeger(json.loads(shop_file.read_text()))))
    hop = analyse(path).to_dict()["failing_hop"]
    assert (hop["service"], hop["downstream"], hop["error"]) == ("payments", "bank.example", "503")


def test_grpc_status_and_the_rarest_failed_call_win(tmp_path: Path) -> None:
    shop = Shop()
    for i in range(20):  # bank answers 503 to every request (tolerated); ledger fails half
        _request(shop, BANK_503, ledger_down=i % 2 == 0, bank_tolerated=True)
    report = analyse(shop.write(tmp_path / "t.json"))
    assert report.failing == 10
    hop = report.to_dict()["failing_hop"]
    assert (hop["service"], hop["operation"], hop["downstream"], hop["error"]) == (
        "payments", "Post", "ledger.Ledger", "UNAVAILABLE",
    )  # fmt: skip
    assert hop["share"] == 1.0 and hop["healthy_share"] == 0.0


def test_a_server_error_without_failed_calls_stays_at_the_server(tmp_path: Path) -> None:
    shop = Shop()
    tracer = shop.tracers["payments"]
    for _ in range(3):
        server = tracer.start_span("POST /charge", kind=SpanKind.SERVER, start_time=shop._t(1))
        with trace.use_span(server, end_on_exit=False):
            call = tracer.start_span("POST", kind=SpanKind.CLIENT, start_time=shop._t(1),
                                     attributes={"server.address": "bank.example",
                                                 "http.response.status_code": 200})  # fmt: skip
            call.end(end_time=shop._t(2))
        server.set_attribute("error.type", "ValueError")
        server.set_status(Status(StatusCode.ERROR))
        server.end(end_time=shop._t(1))
    hop = analyse(shop.write(tmp_path / "t.json")).to_dict()["failing_hop"]
    assert (hop["service"], hop["operation"], hop["downstream"], hop["error"]) == (
        "payments", "POST /charge", None, "ValueError",
    )  # fmt: skip
