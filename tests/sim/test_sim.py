"""The simulated production behaves like the real thing stanch reads."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from stanch.sim import traffic
from stanch.sim.service import WINDOW, Running, Service
from stanch.sim.world import FLAG_FILE, World, build, flag_document, flag_is_on

ONSET = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build(tmp_path_factory.mktemp("sim"), ONSET)


def test_history_has_the_flag_flip_before_onset_and_red_herrings(world: World) -> None:
    log = subprocess.run(
        ["git", "log", "--format=%H %cI %s"], cwd=world.repo, capture_output=True, text=True,
        check=True,
    ).stdout.splitlines()  # fmt: skip
    assert len(log) == 5
    sha, when, *subject = log[0].split(" ")
    assert sha == world.culprit
    assert " ".join(subject).startswith("flags: enable new-payment-path")
    assert datetime.fromisoformat(when) == ONSET - timedelta(seconds=20)
    assert "ci: cache pip downloads" in log[1]  # a recent change that is not the culprit
    assert flag_is_on(world.repo)


def test_error_ratio_follows_the_flag_file(world: World, tmp_path: Path) -> None:
    clock = Clock(ONSET + timedelta(minutes=5))
    service = Service(world, clock)
    assert service.error_ratio() == pytest.approx(traffic.FAULTY_RATIO)
    assert service.error_ratio(ONSET - timedelta(minutes=10)) == pytest.approx(
        traffic.BACKGROUND_RATIO
    )
    flag_file = world.repo / FLAG_FILE
    original = flag_file.read_text()
    try:
        flag_file.write_text(flag_document(on=False))
        assert service.poll() is False
        clock.now += WINDOW / 3
        halfway = service.error_ratio()
        assert traffic.BACKGROUND_RATIO < halfway < traffic.FAULTY_RATIO
        clock.now += WINDOW
        assert service.error_ratio() == pytest.approx(traffic.BACKGROUND_RATIO)
    finally:
        flag_file.write_text(original)


def test_query_api_speaks_prometheus(world: World) -> None:
    clock = Clock(ONSET + timedelta(minutes=5))
    with Running(Service(world, clock)) as running:
        ok = httpx.get(f"{running.url}/api/v1/query", params={"query": traffic.RECORDING_RULE})
        assert ok.status_code == 200
        body = ok.json()
        assert body["status"] == "success" and body["data"]["resultType"] == "vector"
        assert float(body["data"]["result"][0]["value"][1]) == pytest.approx(0.3)
        series = httpx.get(
            f"{running.url}/api/v1/query_range",
            params={
                "query": traffic.RECORDING_RULE,
                "start": str((ONSET - timedelta(minutes=10)).timestamp()),
                "end": str((ONSET + timedelta(minutes=2)).timestamp()),
                "step": "30",
            },
        ).json()["data"]["result"][0]["values"]
        assert float(series[0][1]) == pytest.approx(0.002)
        assert float(series[-1][1]) == pytest.approx(0.3)
        posted = httpx.post(f"{running.url}/api/v1/query", data={"query": traffic.RECORDING_RULE})
        assert (
            posted.json()["data"]["result"][0]["value"][1] == body["data"]["result"][0]["value"][1]
        )
        bad = httpx.get(f"{running.url}/api/v1/query", params={"query": "up"})
        assert bad.status_code == 400 and bad.json()["errorType"] == "bad_data"
        metrics = httpx.get(f"{running.url}/metrics").text
        assert 'http_requests_total{service="checkout",code="502"}' in metrics


def test_logs_and_traces_carry_the_fault(world: World, tmp_path: Path) -> None:
    service = Service(world, Clock(ONSET + timedelta(minutes=5)))
    start, end = ONSET - timedelta(minutes=6), ONSET + timedelta(minutes=1)
    lines = service.write_logs(tmp_path / "checkout.log", start, end)
    text = (tmp_path / "checkout.log").read_text()
    assert lines == len(text.splitlines())
    flip = world.flag_flipped_at.strftime("%Y-%m-%dT%H:%M:%S")
    timeouts = [line for line in text.splitlines() if "payment-gateway timeout" in line]
    before = [line for line in timeouts if line < flip]
    after_s = (end - world.flag_flipped_at).total_seconds()
    before_s = (world.flag_flipped_at - start).total_seconds()
    rate_after, rate_before = (len(timeouts) - len(before)) / after_s, len(before) / before_s
    assert rate_after > 50 * max(rate_before, 1 / before_s)  # a spike over a baseline
    assert "cache miss storm" in text.split("payment-gateway timeout")[0]  # a pre-onset herring
    count = service.write_traces(tmp_path / "traces.json", [ONSET, ONSET - timedelta(hours=1)])
    document = json.loads((tmp_path / "traces.json").read_text())
    spans = [s for rs in document["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]]
    assert len(spans) == 4 * count
    failing = [s for s in spans if s["status"]["code"] == 2 and s["name"] == "call payment-gateway"]
    assert failing and all(int(s["startTimeUnixNano"]) >= ONSET.timestamp() * 1e9 for s in failing)
