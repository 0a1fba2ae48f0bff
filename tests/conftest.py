"""Shared fixtures: real PostgreSQL, isolated project dirs, guards against real systems."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stanch.model.clock import fixed_clock
from stanch.services.context import App
from stanch.settings import load_settings
from tests.support.postgres import PostgresServer, pg_bindir, running_postgres

T0 = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _guard_real_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real home directory, kube context or tokens."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KUBECONFIG", str(home / "no-such-kubeconfig"))
    for name in list(os.environ):
        if name.startswith("STANCH_") or name.endswith("_TOKEN") or name.endswith("_API_KEY"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STANCH_ACTOR", "tester")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole run."""
    if pg_bindir() is None:
        pytest.fail("PostgreSQL server binaries are required (make test installs them)")
    with running_postgres() as server:
        yield server


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """A fresh, empty database on the shared server."""
    return postgres.url(postgres.create_database())


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run a test against both stores."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'stanch.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.url(server.create_database())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project directory with a stanch.toml."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "stanch.toml").write_text("[stanch]\n")
    return root


def make_app(root: Path, url: str | None = None, start: datetime = T0,
             step: timedelta = timedelta(seconds=1)) -> App:  # fmt: skip
    env = {"STANCH_ACTOR": "tester"}
    if url:
        env["STANCH_DATABASE_URL"] = url
    settings = load_settings(cwd=root, env=env)
    return App(settings, clock=fixed_clock(start, step))


@pytest.fixture
def app(project: Path) -> Iterator[App]:
    """An App on SQLite in the project dir, with a clock starting at T0, one second a call."""
    instance = make_app(project)
    yield instance
    instance.close()


@pytest.fixture
def any_app(project: Path, database_url: str) -> Iterator[App]:
    """The same, once on SQLite and once on PostgreSQL."""
    instance = make_app(project, database_url)
    yield instance
    instance.close()
