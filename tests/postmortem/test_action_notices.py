"""An overdue escalation reaches the person: queued in the outbox, delivered to the pager."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from stanch.model.clock import fixed_clock
from stanch.services import action_notices, actions, outbox
from stanch.services.context import App
from stanch.sim.receiver import Receiver
from tests.conftest import T0, make_app
from tests.postmortem.scripted import ID, SLO_TOML, at, run_ok, script

SECRET_ENV = "STANCH_TEST_WEBHOOK_SECRET"


@pytest.fixture
def pager(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv(SECRET_ENV, "s3cret-for-tests")
    with Receiver("s3cret-for-tests") as receiver:
        yield receiver


def test_an_overdue_item_is_sent_to_its_owner_then_the_lead(
    capsys: pytest.CaptureFixture[str], project: Path, pager: Receiver
) -> None:
    (project / "stanch.toml").write_text(
        SLO_TOML + f'\n[comms.webhook]\nurl = "{pager.url}/hooks"\nkey_env = "{SECRET_ENV}"\n'
    )
    app: App = make_app(project, start=T0.replace(hour=12))
    try:
        script(capsys, app)
        run_ok(capsys, app, "actions", "add", ID, "Add a CI check that rejects pool_size below 4",
               "--owner", "bob", "--kind", "guardrail", "--due", "2026-11-25")  # fmt: skip
        notify = action_notices.outbox_notifier(app)
        for moment in ("2026-11-24T12:00:00Z", "2026-11-26T00:00:30Z", "2026-11-29T00:00:30Z"):
            app.clock = fixed_clock(at(moment), timedelta(seconds=1))
            actions.escalate_overdue(app, notify=notify)
            outbox.deliver(app, ID)
    finally:
        app.close()
    sent = [(r["payload"]["action"], r["payload"]["target"]) for r in pager.received]
    assert sent == [("action_overdue", "bob"), ("action_overdue", "carol")]
    texts = [str(r["payload"]["text"]) for r in pager.received]
    assert texts[0].startswith(f"OVERDUE: action item {ID}#A1 (P1, owner bob)")
    assert "notified carol (escalation target of bob)" in texts[1]
