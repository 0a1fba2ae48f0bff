"""Durations and burn computed exactly on a scripted incident (`--at` times)."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from stanch.model.slo import Slo, burn, threshold
from stanch.services import postmortem
from stanch.services.context import App
from tests.postmortem.scripted import ID, at, run_ok, script
from tests.support.cli import cli


def test_durations_and_burn_are_exact(capsys: pytest.CaptureFixture[str], pm_any_app: App) -> None:
    app = pm_any_app
    script(capsys, app)
    out = run_ok(capsys, app, "postmortem", ID, "--bad", "1200", "--total", "24000", "--json")
    data = __import__("json").loads(out)
    assert data["durations_s"] == {
        "to_detect": 12 * 60,  # 09:40 → 09:52
        "to_declare": 8 * 60,  # 09:52 → 10:00
        "to_acknowledge": 3 * 60,  # 10:00 → 10:03 (recorded after a later lever)
        "to_first_lever": 30 * 60,  # 09:40 → 10:10 (the 10:08 dry run does not count)
        "to_mitigate": 45 * 60,  # 09:40 → 10:25, the confirmation before the status change
        "to_resolve": 2 * 3600,  # 09:40 → 11:40
        "mitigated_to_resolved": 75 * 60,
    }
    assert data["milestones"]["levers_tried"] == 2
    (only,) = data["burn"]
    # 5 % errors for 45 min on 99.9 % / 30 d: rate 50, 50 · 2700 s / 2 592 000 s = 5/96
    assert only["burn_rate"] == 50
    assert only["budget_consumed"] == pytest.approx(5 / 96, abs=0)
    draft = postmortem.build(app, ID)
    assert draft.burns[0].consumed == Fraction(5, 96)
    assert draft.burns[0].window == timedelta(minutes=45)
    text = app.files.path(ID).read_text()
    assert "| Onset → mitigated (time to mitigate) | 45m |" in text
    assert "burn rate 50.0× = 5.21% of the 30-day error budget" in text
    assert "- 2026-11-22T09:40:00Z — **OUTAGE BEGINS** (onset)" in text
    assert "- 2026-11-22T10:25:00Z — **OUTAGE MITIGATED**" in text
    assert "- 2026-11-22T11:40:00Z — **OUTAGE ENDS** (resolved)" in text
    assert "detection took 12m after onset" in text  # measured, under what went badly
    assert "the page was acknowledged 3m after declaration" in text
    assert (
        "Detected 2026-11-22T09:52:00Z, 12m after onset; first page to payments-oncall at "
        "2026-11-22T10:00:30Z, acknowledged at 2026-11-22T10:03:00Z." in text
    )
    assert (
        "Rollback applied at 2026-11-22T10:10:00Z; scale applied at 2026-11-22T10:12:00Z; "
        "mitigated at 2026-11-22T10:25:00Z; resolved at 2026-11-22T11:40:00Z." in text
    )


def test_postmortem_due_48h_after_resolution_shows_overdue(
    capsys: pytest.CaptureFixture[str], pm_app: App
) -> None:
    script(capsys, pm_app)
    early = postmortem.build(pm_app, ID, as_of=at("2026-11-24T11:39:59Z"))
    assert early.due == at("2026-11-24T11:40:00Z") and early.overdue_by is None
    late = postmortem.build(pm_app, ID, as_of=at("2026-11-24T14:40:00Z"))
    assert late.overdue_by == timedelta(hours=3)
    assert late.to_dict()["overdue_s"] == 3 * 3600


def test_status_change_alone_marks_mitigation_when_nothing_else_does(
    capsys: pytest.CaptureFixture[str], pm_app: App
) -> None:
    run_ok(capsys, pm_app, "declare", "Search slow", "-s", "SEV3", "--service", "search",
           "--started", "2026-11-22T09:00:00Z", "--at", "2026-11-22T09:05:00Z")  # fmt: skip
    run_ok(capsys, pm_app, "status", "mitigated", "--at", "2026-11-22T09:35:00Z")
    draft = postmortem.build(pm_app, "2026-11-22-search-slow")
    assert draft.durations.to_mitigate == timedelta(minutes=35)
    assert draft.durations.to_acknowledge is None and draft.durations.to_resolve is None
    assert draft.burns == []  # no SLO for search, no error ratio


@pytest.mark.parametrize(
    ("ratio", "rate", "exhausted"),
    [("0.001", 1, timedelta(days=30)), ("0.006", 6, timedelta(days=5)),
     ("0.0144", Fraction(72, 5), timedelta(hours=50)),
     ("1", 1000, timedelta(minutes=43.2))],
)  # fmt: skip
def test_worked_examples_of_the_workbook(ratio: str, rate: Fraction, exhausted: timedelta) -> None:
    slo = Slo("checkout", Fraction(999, 1000))
    result = burn(slo, Fraction(ratio), timedelta(hours=1))
    assert result.rate == rate
    assert result.exhausted_in == exhausted
    assert result.consumed == rate * Fraction(3600, 30 * 86400)


def test_multiwindow_thresholds_follow_from_budget_fractions() -> None:
    period = timedelta(days=30)
    assert threshold(Fraction(2, 100), period, timedelta(hours=1)) == Fraction(72, 5)  # 14.4
    assert threshold(Fraction(5, 100), period, timedelta(hours=6)) == 6
    assert threshold(Fraction(10, 100), period, timedelta(days=3)) == 1
    assert Slo("x", Fraction(999, 1000)).budget_time == timedelta(minutes=43, seconds=12)


def test_bad_numbers_are_one_line_errors(capsys: pytest.CaptureFixture[str], pm_app: App) -> None:
    script(capsys, pm_app)
    for args in (["--bad", "5", "--total", "4"], ["--bad", "5"], ["--error-ratio", "1.5"],
                 ["--set", "trigger=cosmic_rays"], ["--set", "nonsense=1"]):  # fmt: skip
        ran = cli(capsys, pm_app, "postmortem", ID, *args)
        assert ran.code == 1, args
        assert ran.err.startswith("stanch: error:") and "Traceback" not in ran.err
