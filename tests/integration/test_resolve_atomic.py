"""`resolved` is judged on the incident as it is written: a sample landing mid-check counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stanch.errors import GuardRefused
from stanch.model.status import Status
from stanch.services import incidents, watch
from stanch.services.context import App
from tests.watch.support import Scripted, fast_app


@pytest.fixture
def wapp(project: Path, database_url: str) -> Iterator[App]:
    instance = fast_app(project, database_url)
    yield instance
    instance.close()


def recovered(app: App) -> str:
    key = incidents.declare(app, "Checkout 502s", severity="SEV2").incident.id
    watch.set_signal(app, key, "promql", "sum(rate(errors[5m]))", "< 0.01")
    incidents.set_status(app, key, "mitigating", "flag off")
    report = watch.watch(app, key, until="recovered", readers={"promql": Scripted([0.001])},
                         sleep=lambda _: None)  # fmt: skip
    assert report.stopped == "recovered"
    incidents.set_status(app, key, "monitoring")
    return key


@pytest.fixture
def sample_mid_check() -> Iterator[list[float]]:
    """A guard after the resolve gate that lets another process record a sample once."""
    values: list[float] = []

    def concurrent_sample(app: App, key: str, target: Status, override: str) -> None:
        if target is Status.RESOLVED and values:
            watch.sample(app, key, readers={"promql": Scripted([values.pop()])})

    incidents.STATUS_GUARDS.append(concurrent_sample)
    yield values
    incidents.STATUS_GUARDS.remove(concurrent_sample)


def test_an_unhealthy_sample_during_the_check_stops_the_resolve(
    wapp: App, sample_mid_check: list[float]
) -> None:
    key = recovered(wapp)
    sample_mid_check.append(0.5)  # one bad sample: no relapse yet, but the run is broken
    with pytest.raises(GuardRefused, match="cannot resolve"):
        incidents.set_status(wapp, key, "resolved")
    assert wapp.store.state(key).status is Status.MONITORING


def test_a_healthy_sample_during_the_check_lets_it_resolve_on_the_second_look(
    wapp: App, sample_mid_check: list[float]
) -> None:
    key = recovered(wapp)
    sample_mid_check.append(0.001)
    done = incidents.set_status(wapp, key, "resolved")
    assert done.incident.status is Status.RESOLVED
    assert not sample_mid_check  # the sample landed, and the guards looked again
