"""A person's override of the resolve gate is recorded once, however often the guards run."""

from __future__ import annotations

from pathlib import Path

import pytest

from stanch.model.status import Status
from stanch.model.watching import RESOLVE_OVERRIDDEN
from stanch.services import incidents, watch
from stanch.services.context import App
from tests.watch.support import Scripted, fast_app


def _monitoring(app: App) -> str:
    key = incidents.declare(app, "Checkout fails", severity="SEV2").incident.id
    watch.set_signal(app, key, "promql", "error_ratio", "< 0.01")
    watch.sample(app, key, readers={"promql": Scripted([0.001])})
    incidents.set_status(app, key, "mitigated")
    incidents.set_status(app, key, "monitoring")
    return key


def test_guards_that_run_again_record_the_override_once(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = fast_app(project)
    key = _monitoring(app)
    landed: list[int] = []

    def sample_arrives(app: App, key: str, target: Status, override: str) -> None:
        # a sample lands while the guards judge the move, once: they must run again
        if target is Status.RESOLVED and not landed:
            landed.append(watch.sample(app, key, readers={"promql": Scripted([0.002])}).sampled.seq)

    monkeypatch.setattr(incidents, "STATUS_GUARDS", [*incidents.STATUS_GUARDS, sample_arrives])
    reason = "metric pipeline down; verified by hand"
    incidents.set_status(app, key, "resolved", override=reason)
    events = list(app.store.iter_events(key))
    assert landed, "the guards ran with a sample landing in between"
    overrides = [e for e in events if e.kind == RESOLVE_OVERRIDDEN]
    assert [e.data["reason"] for e in overrides] == [reason]
    assert app.store.state(key).status is Status.RESOLVED
    app.close()


def test_a_later_override_of_a_later_move_is_recorded_again(project: Path) -> None:
    app = fast_app(project)
    key = _monitoring(app)
    reason = "metric pipeline down; verified by hand"
    incidents.set_status(app, key, "resolved", override=reason)
    incidents.set_status(app, key, "monitoring", reason="it came back")
    incidents.set_status(app, key, "resolved", override=reason)
    overrides = [e for e in app.store.iter_events(key) if e.kind == RESOLVE_OVERRIDDEN]
    assert len(overrides) == 2
    app.close()
