from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stanch.services.context import App
from tests.conftest import T0, make_app
from tests.postmortem.scripted import SLO_TOML


@pytest.fixture
def pm_app(project: Path) -> Iterator[App]:
    """An App whose stanch.toml has a roster, escalation leads and a checkout SLO."""
    (project / "stanch.toml").write_text(SLO_TOML)
    instance = make_app(project, start=T0.replace(hour=12))
    yield instance
    instance.close()


@pytest.fixture
def pm_any_app(project: Path, database_url: str) -> Iterator[App]:
    """The same on SQLite and on PostgreSQL."""
    (project / "stanch.toml").write_text(SLO_TOML)
    instance = make_app(project, database_url, start=T0.replace(hour=12))
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def prometheus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real Prometheus for the session, holding the scripted outage's counters."""
    from tests.postmortem.prom import backfilled_prometheus

    with backfilled_prometheus(tmp_path_factory.mktemp("prometheus")) as url:
        yield url
