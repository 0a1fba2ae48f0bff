"""Onset and RED/USE numbers from a real Prometheus (backfilled history and a live service)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stanch.errors import InvalidInput
from stanch.evidence.onset import detect
from stanch.services import evidence, incidents, metrics
from stanch.services.context import App
from tests.conftest import make_app
from tests.evidence.promserver import PromServer, free_port
from tests.support.cli import cli

ERROR_RATIO = (
    'sum(rate(http_requests_total{job="checkout",code=~"5.."}[1m]))'
    ' / sum(rate(http_requests_total{job="checkout"}[1m]))'
)


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@pytest.fixture
def live_app(project: Path) -> Iterator[App]:
    instance = make_app(project, start=datetime.now(UTC), step=timedelta(0))
    yield instance
    instance.close()


def _declare(app: App, onset: datetime) -> str:
    return incidents.declare(
        app, "checkout 5xx", severity="SEV2", started=onset.isoformat(), services=["checkout"],
    ).incident.id  # fmt: skip


def test_onset_found_and_disagreement_with_the_responder(live_app: App, prom: PromServer) -> None:
    fault = at(prom.history.fault)
    key = _declare(live_app, fault + timedelta(minutes=25))  # the responder guessed late
    report = metrics.onset(live_app, key, query=ERROR_RATIO, prometheus=prom.url,
                           since=at(prom.history.start).isoformat())  # fmt: skip
    assert report.detected_at is not None
    assert abs((report.detected_at - fault).total_seconds()) <= 90  # rate window [1m] + steps
    assert report.detected is not None and report.detected.direction == "up"
    assert report.detected.before == pytest.approx(0.005, abs=0.002)  # errors before onset too
    assert report.disagree
    event = live_app.store.events(key)[-1]
    assert event.kind == "evidence.onset" and event.data["query"] == ERROR_RATIO
    assert event.data["disagree"] is True


def test_onset_agrees_when_the_responder_was_right(
    live_app: App, prom: PromServer, capsys: pytest.CaptureFixture[str]
) -> None:
    key = _declare(live_app, at(prom.history.fault + 30))
    ran = cli(capsys, live_app, "evidence", "onset", key, "--query", ERROR_RATIO,
              "--prometheus", prom.url, "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    assert ran.json()["disagree"] is False


def test_red_use_before_and_after(live_app: App, prom: PromServer, tmp_path: Path) -> None:
    key = _declare(live_app, at(prom.history.fault))
    report = metrics.metrics(
        live_app, key, prometheus=prom.url, window="20m", plot=tmp_path / "p.svg"
    )
    numbers = {n["name"]: n for n in report.numbers}
    assert numbers["rate"]["before"] == pytest.approx(100.5, rel=0.05)
    assert numbers["error_ratio"]["before"] < 0.01
    assert numbers["error_ratio"]["after"] > 0.15
    assert numbers["p99"]["before"] < 0.3 < numbers["p99"]["after"]
    assert numbers["cpu"]["after"] == pytest.approx(0.9, rel=0.1)
    assert numbers["memory"]["status"] == "no data"  # no such series: said, not zero
    assert "histogram_quantile(0.99" in numbers["p99"]["query"]
    svg = (tmp_path / "p.svg").read_text()
    assert svg.startswith("<svg") and "onset" in svg and "<polyline" in svg


def test_live_service_fault_is_seen(live_app: App, prom: PromServer) -> None:
    time.sleep(6)  # a few healthy scrapes first
    prom.live.inject()
    time.sleep(8)
    assert prom.live.fault_at is not None
    query = 'sum(rate(live_requests_total{code="500"}[2s])) / sum(rate(live_requests_total[2s]))'
    now = datetime.now(UTC)
    key = _declare(live_app, now - timedelta(seconds=30))
    report = metrics.onset(live_app, key, query=query, prometheus=prom.url,
                           since=(now - timedelta(seconds=14)).isoformat(), until=now.isoformat())  # fmt: skip
    assert report.detected_at is not None
    assert (
        abs(report.detected_at.timestamp() - prom.live.fault_at) <= 5
    )  # scrape every 1 s, rate over 2 s
    assert report.detected is not None and report.detected.after > 0.3


def test_prometheus_errors_are_one_line(
    live_app: App, prom: PromServer, capsys: pytest.CaptureFixture[str]
) -> None:
    key = _declare(live_app, datetime.now(UTC) - timedelta(minutes=5))
    ran = cli(
        capsys, live_app, "evidence", "onset", key, "--query", "sum(rate(", "--prometheus", prom.url
    )
    assert ran.code == 1 and "Prometheus refused" in ran.err and "Traceback" not in ran.err
    down = f"http://127.0.0.1:{free_port()}"
    ran = cli(capsys, live_app, "evidence", "onset", key, "--query", "up", "--prometheus", down)
    assert ran.code == 3 and "unreachable" in ran.err
    ran = cli(
        capsys,
        live_app,
        "evidence",
        "onset",
        key,
        "--query",
        "nothing_here",
        "--prometheus",
        prom.url,
    )
    assert ran.code == 1 and "no data" in ran.err
    with pytest.raises(InvalidInput, match="empty window"):
        metrics.onset(
            live_app, key, query="up", prometheus=prom.url, since="1 min ago", until="2 min ago"
        )


def test_series_file_and_bad_files(app: App, tmp_path: Path) -> None:
    key = incidents.declare(
        app, "slow", severity="SEV3", started="2026-11-22T09:10:00Z"
    ).incident.id
    base = datetime(2026, 11, 22, 9, 0, tzinfo=UTC).timestamp()
    rows = ["time,value"] + [
        f"{base + 30 * i},{0.2 if i >= 40 else 0.01 + 0.001 * (i % 3)}" for i in range(60)
    ]
    series = tmp_path / "s.csv"
    series.write_text("\n".join(rows) + "\n")
    report = metrics.onset(app, key, file=series)
    assert report.detected_at == at(base + 30 * 40)
    assert report.disagree  # 09:20 vs the responder's 09:10
    changes = evidence.changes(app, key, record_it=False)  # later evidence starts from it
    assert (changes.onset, changes.onset_source) == (at(base + 30 * 40), "detected")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InvalidInput, match="UTF-8"):
        metrics.onset(app, key, file=bad)
    bad.write_text("time,value\n1,2\nx\n")
    with pytest.raises(InvalidInput, match="time,value"):
        metrics.onset(app, key, file=bad)


def test_detector_ignores_noise_and_finds_ramps() -> None:
    flat = [(float(i), 1.0 + 0.01 * ((i * 7) % 5)) for i in range(100)]
    assert detect(flat) is None
    ramp = [(float(i), 1.0 if i < 50 else 1.0 + 0.5 * min(i - 49, 4)) for i in range(100)]
    step = detect(ramp)
    assert step is not None and step.at == 50.0
