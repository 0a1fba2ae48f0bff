"""Evidence fixtures: one real Prometheus for the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.evidence.promserver import PromServer, running_prometheus


@pytest.fixture(scope="session")
def prom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PromServer]:
    with running_prometheus(tmp_path_factory.mktemp("prometheus")) as server:
        yield server
