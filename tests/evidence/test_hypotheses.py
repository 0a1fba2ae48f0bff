"""Hypothesis → prediction → check → verdict, recorded; refuted ones stay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stanch.services import incidents
from stanch.services.context import App
from tests.conftest import make_app
from tests.evidence.otel_app import App as Shop
from tests.evidence.otel_app import Fault
from tests.evidence.promserver import PromServer
from tests.support.cli import cli

RATIO = (
    'sum(rate(http_requests_total{job="checkout",code=~"5.."}[1m] @ {t}))'
    ' / sum(rate(http_requests_total{job="checkout"}[1m] @ {t}))'
)


@pytest.fixture
def live_app(project: Path) -> Iterator[App]:
    instance = make_app(project, start=datetime.now(UTC), step=timedelta(0))
    yield instance
    instance.close()


def test_checks_decide_and_refuted_ones_stay(
    live_app: App, prom: PromServer, capsys: pytest.CaptureFixture[str]
) -> None:
    key = incidents.declare(live_app, "checkout 5xx", severity="SEV2").incident.id
    after = RATIO.replace("{t}", str(prom.history.fault + 600))
    ran = cli(capsys, live_app, "hypothesis", key, "errors come from checkout itself",
              "--predict", "5xx ratio above 5% after onset", "--check", after, "--expect", "> 0.05",
              "--prometheus", prom.url, "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    assert ran.json()["verdict"] == "supported"
    assert ran.json()["value"] == pytest.approx(0.2, abs=0.01)
    before = RATIO.replace("{t}", str(prom.history.fault - 600))
    ran = cli(capsys, live_app, "hypothesis", key, "it was already broken yesterday",
              "--predict", "5xx ratio above 5% before onset", "--check", before, "--expect", "> 0.05",
              "--prometheus", prom.url, "--json")  # fmt: skip
    assert ran.json()["verdict"] == "refuted"
    listed = cli(capsys, live_app, "hypotheses", key, "--json").json()
    assert [h["verdict"] for h in listed] == ["supported", "refuted"]
    text = live_app.files.path(key).read_text()
    assert "hypothesis H2 refuted" in text and "hypothesis H1 supported" in text


def test_one_hypothesis_at_a_time_and_manual_verdicts(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = incidents.declare(app, "checkout 5xx", severity="SEV2").incident.id
    ran = cli(
        capsys, app, "hypothesis", key, "the bank is timing out", "--predict", "traces fail at bank"
    )
    assert ran.code == 0 and "H1 open" in ran.out
    ran = cli(capsys, app, "hypothesis", key, "DNS", "--predict", "resolution errors")
    assert ran.code == 1 and "H1" in ran.err and "still open" in ran.err
    ran = cli(capsys, app, "verdict", key, "H1", "inconclusive", "--evidence", "no bank dashboards")
    assert ran.code == 0, ran.err
    shop = Shop()
    for i in range(10):
        shop.request(Fault(bank_timeout=i % 2 == 0))
    file = shop.write(tmp_path / "t.json")
    ran = cli(capsys, app, "hypothesis", key, "half of requests fail", "--predict", "half the traces fail",
              "--check", f"traces:{file}", "--expect", ">= 0.5", "--json")  # fmt: skip
    assert ran.code == 0, ran.err
    assert ran.json()["verdict"] == "supported" and ran.json()["value"] == 0.5
    ran = cli(capsys, app, "verdict", key, "H9", "refuted")
    assert ran.code == 1 and "no hypothesis H9" in ran.err
    ran = cli(
        capsys, app, "hypothesis", key, "x", "--predict", "y", "--check", "up", "--expect", "big"
    )
    assert ran.code == 1 and "comparison" in ran.err
