"""Session-wide real servers for the watch tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.watch.servers import Service, running_prometheus, running_service


@pytest.fixture(scope="session")
def service() -> Iterator[Service]:
    with running_service() as running:
        yield running


@pytest.fixture(scope="session")
def prometheus(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_prometheus(service, tmp_path_factory.mktemp("prometheus")) as url:
        yield url
