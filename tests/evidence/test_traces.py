"""Failing hop from traces the OpenTelemetry SDK exported, with red herrings; Jaeger JSON too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stanch.errors import InvalidInput
from stanch.services import incidents
from stanch.services.context import App
from stanch.services.traces import analyse
from tests.evidence.otel_app import App as Shop
from tests.evidence.otel_app import Fault, jaeger
from tests.support.cli import cli


@pytest.fixture(scope="module")
def otlp_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 requests; from request 20 on, every other one times out at the bank."""
    shop = Shop()
    for i in range(60):
        shop.request(Fault(bank_timeout=i >= 20 and i % 2 == 0))
    return shop.write(tmp_path_factory.mktemp("traces") / "traces.json")


def _check_hop(hop: dict[str, object]) -> None:
    assert hop["service"] == "payments"
    assert hop["operation"] == "POST"
    assert hop["downstream"] == "bank.example"
    assert hop["error"] == "timeout"
    assert hop["share"] == 1.0
    assert len(hop["trace_ids"]) == 5  # type: ignore[arg-type]


@pytest.mark.parametrize("stream", [False, True])
def test_failing_hop_ignores_errors_that_healthy_traces_have_too(
    otlp_file: Path, stream: bool
) -> None:
    report = analyse(otlp_file, stream=stream)
    assert report.traces == 60 and report.failing == 20
    assert report.spans == 60 * 9 - 20 * 0
    _check_hop(report.to_dict()["failing_hop"])
    assert report.hops[0]["healthy_share"] == 0.0


def test_jaeger_json_gives_the_same_hop(otlp_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "jaeger.json"
    path.write_text(json.dumps(jaeger(json.loads(otlp_file.read_text()))))
    report = analyse(path)
    assert report.failing == 20
    _check_hop(report.to_dict()["failing_hop"])


def test_slow_span_that_is_slow_everywhere_does_not_win(tmp_path: Path) -> None:
    shop = Shop()
    for _ in range(50):  # inventory is always slow (80 ms of its own)
        shop.request(Fault(cache_miss=False))
    path = shop.write(tmp_path / "a.json")
    data = json.loads(path.read_text())
    # Make the bank call 900 ms slower in 6 traces: the latency regression to find.
    bank_spans = [
        span for r in data["resourceSpans"] for s in r["scopeSpans"] for span in s["spans"]
        if span["name"] == "POST" and any(a["value"].get("stringValue") == "bank.example" for a in span.get("attributes", []))
    ]  # fmt: skip
    slow_traces = {span["traceId"] for span in bank_spans[:6]}
    for r in data["resourceSpans"]:
        for s in r["scopeSpans"]:
            for span in s["spans"]:
                if (
                    (
                        span["traceId"] in slow_traces
                        and span["spanId"] in {b["spanId"] for b in bank_spans}
                    )
                    or (span["traceId"] in slow_traces and not span.get("parentSpanId"))
                    or (
                        span["traceId"] in slow_traces
                        and span["name"] in {"POST /charge", "POST /checkout", "POST"}
                    )
                ):
                    span["endTimeUnixNano"] = str(int(span["endTimeUnixNano"]) + 900_000_000)
    path.write_text(json.dumps(data))
    report = analyse(path)
    assert report.failing == 0
    hop = report.to_dict()["failing_hop"]
    assert hop["kind"] == "latency"
    assert (hop["service"], hop["downstream"]) == ("payments", "bank.example")
    assert hop["regression_ms"] == pytest.approx(900, abs=1)
    assert set(hop["trace_ids"]) <= slow_traces


def test_partial_traces_and_clock_skew(tmp_path: Path) -> None:
    spans = [
        {"traceId": "a" * 32, "spanId": "1" * 16, "parentSpanId": "9" * 16, "name": "POST /charge", "kind": 2,
         "startTimeUnixNano": "1000", "endTimeUnixNano": "5000", "status": {"code": 2}},
        # child starts before its parent (skewed clock) and fails: still the origin
        {"traceId": "a" * 32, "spanId": "2" * 16, "parentSpanId": "1" * 16, "name": "SELECT", "kind": 3,
         "startTimeUnixNano": "500", "endTimeUnixNano": "4000", "status": {"code": 2, "message": "deadlock"},
         "attributes": [{"key": "db.system", "value": {"stringValue": "postgresql"}}]},
    ]  # fmt: skip
    doc = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "payments"}}]},
                              "scopeSpans": [{"spans": spans}]}]}  # fmt: skip
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(doc))
    report = analyse(path)
    assert report.broken == 1 and report.failing == 1
    hop = report.to_dict()["failing_hop"]
    assert (hop["service"], hop["operation"], hop["downstream"], hop["error"]) == (
        "payments", "SELECT", "postgresql", "deadlock",
    )  # fmt: skip


def test_json_lines_of_traces_data(otlp_file: Path, tmp_path: Path) -> None:
    data = json.loads(otlp_file.read_text())
    path = tmp_path / "lines.jsonl"
    path.write_text(
        "\n".join(json.dumps({"resourceSpans": [r]}) for r in data["resourceSpans"]) + "\n"
    )
    for stream in (False, True):
        assert analyse(path, stream=stream).failing == 20


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"resourceSpans": [{"scopeSpans": [', "malformed JSON"),
        (b'{"resourceSpans": [], "x": "\xff\xfe"}', "UTF-8"),
        (b"", "empty file"),
        (b'{"hello": 1}', "neither OTLP"),
        (b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "x"}]}]}]}', "not a otlp trace"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_bad_files_are_one_clear_error(
    tmp_path: Path, content: bytes, message: str, stream: bool
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        analyse(path, stream=stream)


def test_cli_records_the_hop(app: App, otlp_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = incidents.declare(app, "Checkout 502", severity="SEV2").incident.id
    ran = cli(capsys, app, "evidence", "traces", str(otlp_file), key, "--json")
    assert ran.code == 0, ran.err
    hop = ran.json()["failing_hop"]
    assert set(hop) >= {"service", "operation", "downstream", "error", "share", "trace_ids"}
    event = app.store.events(key)[-1]
    assert event.kind == "evidence.traces"
    assert event.data["failing_hop"]["trace_ids"] == hop["trace_ids"]
    assert "payments POST → bank.example (timeout)" in app.files.path(key).read_text()
    ran = cli(capsys, app, "evidence", "traces", "/nonexistent.json", key)
    assert ran.code == 1 and "no such file" in ran.err


def test_enum_names_are_accepted(tmp_path: Path) -> None:
    span = {"traceId": "b" * 32, "spanId": "1" * 16, "name": "GET /", "kind": "SPAN_KIND_SERVER",
            "startTimeUnixNano": 1, "endTimeUnixNano": 2, "status": {"code": "STATUS_CODE_ERROR"}}  # fmt: skip
    path = tmp_path / "named.json"
    path.write_text(json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]}))
    report = analyse(path)
    assert report.failing == 1 and report.hops[0]["operation"] == "GET /"


def test_traces_from_the_jaeger_query_api(
    project: Path, otlp_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.conftest import make_app
    from tests.fakes.evidence_jaeger import FakeJaeger, serving

    data = jaeger(json.loads(otlp_file.read_text()))["data"]
    first = min(s["startTime"] for t in data for s in t["spans"])
    fake = FakeJaeger(data)
    since = (datetime.fromtimestamp(first / 1e6, UTC) - timedelta(minutes=1)).replace(microsecond=0)
    until = since + timedelta(hours=1)
    app = make_app(project, start=until + timedelta(hours=1))
    key = incidents.declare(app, "Checkout 502", severity="SEV2", services=["frontend"]).incident.id
    with serving(fake) as url:
        ran = cli(capsys, app, "evidence", "traces", "--source", f"jaeger:{url}", "--incident", key,
                  "--since", since.isoformat(), "--until", until.isoformat(), "--json")  # fmt: skip
        assert ran.code == 0, ran.err
        _check_hop(ran.json()["failing_hop"])
        assert fake.queries[-1]["service"] == "frontend"
        assert int(fake.queries[-1]["start"]) == int(since.timestamp() * 1e6)
        ran = cli(capsys, app, "evidence", "traces", "--source", f"jaeger:{url}", "--incident", key,
                  "--since", until.isoformat(), "--until", since.isoformat())  # fmt: skip
        assert ran.code == 1 and "start time is after end time" in ran.err
    ran = cli(capsys, app, "evidence", "traces", "--source", f"jaeger:{url}", "--incident", key)
    assert ran.code == 3 and "unreachable" in ran.err
    app.close()
