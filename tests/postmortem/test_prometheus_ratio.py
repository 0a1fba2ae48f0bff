"""The error ratio over the outage window comes from a real, backfilled Prometheus."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from stanch.postmortem.prometheus import Prometheus
from stanch.services import postmortem
from tests.conftest import T0, make_app
from tests.postmortem.scripted import ID, SLO_TOML, at, run_ok, script
from tests.support.cli import cli

QUERY = (
    'sum(increase(http_requests_total{service="checkout",code=~"5.."}[{window}])) / '
    'sum(increase(http_requests_total{service="checkout"}[{window}]))'
)


def _toml(url: str) -> str:
    return SLO_TOML.replace(
        "period_days = 30", f"period_days = 30\nerror_ratio = '{QUERY}'"
    ).replace("due_hours = 48", f'due_hours = 48\nprometheus_url = "{url}"')


def test_burn_from_prometheus_is_exact(
    capsys: pytest.CaptureFixture[str], project: Path, prometheus_url: str
) -> None:
    (project / "stanch.toml").write_text(_toml(prometheus_url))
    app = make_app(project, start=T0.replace(hour=12))
    try:
        script(capsys, app)
        data = cli(capsys, app, "postmortem", ID, "--prometheus", "--json").json()
        assert data["fields"]["error_ratio"] == 0.05
        assert postmortem.build(app, ID).burns[0].consumed == Fraction(5, 96)
        assert "postmortem error_ratio: 0.05" in app.files.path(ID).read_text()
    finally:
        app.close()


def test_no_traffic_is_no_data_not_zero(prometheus_url: str) -> None:
    source = Prometheus(prometheus_url)
    quiet = source.error_ratio(QUERY.replace("checkout", "nothing"), at("2026-11-22T10:25:00Z"),
                               timedelta(minutes=45))  # fmt: skip
    assert quiet.status == "no_data" and quiet.value is None
    healthy = source.error_ratio(QUERY, at("2026-11-22T12:00:00Z"), timedelta(minutes=30))
    assert healthy.status == "ok" and healthy.value == 0
    broken = source.error_ratio("sum(", at("2026-11-22T12:00:00Z"), timedelta(minutes=30))
    assert broken.status == "error" and "400" in broken.message
    gone = Prometheus("http://127.0.0.1:9").error_ratio(QUERY, at("2026-11-22T12:00:00Z"),
                                                       timedelta(minutes=30))  # fmt: skip
    assert gone.status == "error" and "unreachable" in gone.message


def test_unreachable_prometheus_is_a_one_line_environment_error(
    capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    (project / "stanch.toml").write_text(_toml("http://127.0.0.1:9"))
    app = make_app(project, start=T0.replace(hour=12))
    try:
        script(capsys, app)
        ran = cli(capsys, app, "postmortem", ID, "--prometheus")
        assert ran.code == 3 and ran.err.startswith("stanch: error: Prometheus unreachable")
        run_ok(capsys, app, "postmortem", ID)  # nothing half-recorded
        assert "error_ratio" not in postmortem.build(app, ID).facts.fields
    finally:
        app.close()
