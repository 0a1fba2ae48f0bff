"""Confirm by the flagging signal, relapse back to mitigating, resolve only after the window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stanch.errors import GuardRefused, NotFound
from stanch.model.events import Event
from stanch.model.kinds import MITIGATION_CONFIRMED, RELAPSE, SIGNAL_SAMPLED, SIGNAL_SET
from stanch.model.watching import RESOLVE_OVERRIDDEN
from stanch.services import incidents, watch
from stanch.services.context import App
from tests.watch.support import Scripted, fast_app


@pytest.fixture
def wapp(project: Path, database_url: str) -> Iterator[App]:
    instance = fast_app(project, database_url)
    yield instance
    instance.close()


def _declare(app: App) -> str:
    done = incidents.declare(app, "Checkout 502s", severity="SEV2", impact="~20% of requests")
    return done.incident.id


def kinds(app: App, key: str) -> list[str]:
    return [e.kind for e in app.store.iter_events(key)]


def test_confirm_then_window_then_resolve(wapp: App) -> None:
    key = _declare(wapp)
    with pytest.raises(NotFound, match="no flagging signal"):
        watch.sample(wapp, key, readers={"promql": Scripted([0.1])})
    watch.set_signal(wapp, key, "promql", "sum(rate(errors[5m])) / sum(rate(reqs[5m]))", "< 0.01")
    incidents.set_status(wapp, key, "mitigating", "flag turned off")
    reader = Scripted([0.3, 0.002, 0.001, 0.001])
    report = watch.watch(wapp, key, until="confirmed", readers={"promql": reader},
                         sleep=lambda _: None)  # fmt: skip
    assert report.stopped == "confirmed"
    assert [o.healthy for o in report.outcomes] == [False, True, True, True]
    state = wapp.store.state(key)
    assert state.status.value == "mitigated"
    # mitigated is not resolved: the window (1 min, 5 samples for SEV2 here) is not over
    incidents.set_status(wapp, key, "monitoring")
    with pytest.raises(GuardRefused, match="cannot resolve"):
        incidents.set_status(wapp, key, "resolved")
    report = watch.watch(wapp, key, readers={"promql": Scripted([0.001])}, resolve=True,
                         sleep=lambda _: None)  # fmt: skip
    assert report.stopped == "recovered"
    assert report.resolved is not None
    assert wapp.store.state(key).status.value == "resolved"
    assert kinds(wapp, key).count(MITIGATION_CONFIRMED) == 1
    text = wapp.files.path(key).read_text()
    assert "confirmed by the signal: 3 healthy samples" in text
    assert "UNHEALTHY" in text


def test_relapse_moves_back_to_mitigating_and_says_so(wapp: App) -> None:
    key = _declare(wapp)
    watch.set_signal(wapp, key, "promql", "error_ratio", "< 0.01")
    incidents.set_status(wapp, key, "mitigating")
    confirmed: list[Event] = []
    watch.on_confirmed.append(lambda app, k, event: confirmed.append(event))
    try:
        reader = Scripted([0.001, 0.001, 0.001, 0.2, None, 0.4, 0.5])
        report = watch.watch(wapp, key, readers={"promql": reader}, sleep=lambda _: None)
    finally:
        watch.on_confirmed.clear()
    assert [e.kind for e in confirmed] == [MITIGATION_CONFIRMED]
    assert report.stopped == "relapsed"
    # 0.2 alone, then no data, then 0.4 and 0.5: the relapse needs two unhealthy in a row
    assert reader.reads == 7
    state = wapp.store.state(key)
    assert state.status.value == "mitigating"
    events = list(wapp.store.iter_events(key))
    relapse = next(e for e in events if e.kind == RELAPSE)
    assert relapse.data["value"] == 0.5
    assert "back to mitigating" in wapp.files.path(key).read_text()
    # healthy samples before the relapse do not count toward a new confirmation
    again = watch.sample(wapp, key, readers={"promql": Scripted([0.001])})
    assert again.confirmed is None


def test_override_needs_a_reason_and_is_recorded(wapp: App) -> None:
    key = _declare(wapp)
    watch.set_signal(wapp, key, "promql", "error_ratio", "< 0.01")
    watch.sample(wapp, key, readers={"promql": Scripted([0.001])})
    incidents.set_status(wapp, key, "mitigated")
    incidents.set_status(wapp, key, "monitoring")
    with pytest.raises(GuardRefused) as refused:
        incidents.set_status(wapp, key, "resolved", override="  ")
    assert refused.value.hint and "--override" in refused.value.hint
    assert RESOLVE_OVERRIDDEN not in kinds(wapp, key)
    incidents.set_status(wapp, key, "resolved", override="metric pipeline down; verified by hand")
    events = list(wapp.store.iter_events(key))
    resolved = next(i for i, e in enumerate(events) if e.data.get("to") == "resolved")
    overridden = events[resolved - 1]  # recorded right before the move it allowed
    assert overridden.kind == RESOLVE_OVERRIDDEN
    assert overridden.data["reason"] == "metric pipeline down; verified by hand"
    assert "1 samples" in overridden.data["gate"]
    assert wapp.store.state(key).status.value == "resolved"


def test_no_data_never_counts_as_healthy(app: App, project: Path) -> None:
    wapp = fast_app(project)
    key = _declare(wapp)
    watch.set_signal(wapp, key, "promql", "error_ratio", "< 0.01")
    report = watch.watch(wapp, key, max_samples=8, readers={"promql": Scripted([None])},
                         sleep=lambda _: None)  # fmt: skip
    assert report.stopped == "max_samples"
    assert all(o.healthy is None for o in report.outcomes)
    assert MITIGATION_CONFIRMED not in kinds(wapp, key)
    assert kinds(wapp, key).count(SIGNAL_SAMPLED) == 8
    assert kinds(wapp, key).count(SIGNAL_SET) == 1
    wapp.close()


def test_incidents_without_a_signal_resolve_unless_required(project: Path) -> None:
    (project / "stanch.toml").write_text("[watch]\nrequire_signal = true\n")
    from tests.conftest import make_app

    strict = make_app(project)
    key = _declare(strict)
    incidents.set_status(strict, key, "mitigated")
    incidents.set_status(strict, key, "monitoring")
    with pytest.raises(GuardRefused, match="no flagging signal"):
        incidents.set_status(strict, key, "resolved")
    strict.close()
