"""The scheduler's pass: triggers page by themselves once, deliveries go out when due."""

from __future__ import annotations

from pathlib import Path

from stanch.model.kinds import PAGE_SENT
from stanch.services import incidents, timers
from stanch.services.context import App
from tests.comms.clock import ManualClock
from tests.conftest import T0
from tests.fakes.comms_pagerduty import FakePagerDuty


def test_sev1_pages_itself_once_after_15_minutes(wired: App, pd: FakePagerDuty) -> None:
    toml = Path(wired.settings.root / "stanch.toml")
    toml.write_text(toml.read_text().replace("[comms.escalation]\n",
                                             "[comms.escalation]\nauto_page = true\n"))  # fmt: skip
    from tests.conftest import make_app

    app = make_app(wired.settings.root)
    clock = ManualClock(T0)
    app.clock = clock
    try:
        key = incidents.declare(app, "Checkout down", severity="SEV1",
                                services=["checkout"]).incident.id  # fmt: skip
        clock.advance(minutes=14)
        [first] = timers.tick(app)
        assert first.paged is None and not pd.alerts
        clock.advance(minutes=1)
        [second] = timers.tick(app)
        assert second.paged == "payments"
        assert len(pd.alerts) == 1
        clock.advance(minutes=5)
        [third] = timers.tick(app)
        assert third.paged is None
        assert sum(1 for e in app.store.events(key) if e.kind == PAGE_SENT) == 2  # PD + Opsgenie
    finally:
        app.close()


def test_without_auto_page_it_only_reports(wired: App, pd: FakePagerDuty) -> None:
    clock = ManualClock(T0)
    wired.clock = clock
    incidents.declare(wired, "Checkout down", severity="SEV1", services=["checkout"])
    clock.advance(minutes=20)
    [tick] = timers.tick(wired)
    assert tick.paged is None and not pd.alerts
    assert [t.code for t in tick.agenda.triggers] == ["unmitigated"]
