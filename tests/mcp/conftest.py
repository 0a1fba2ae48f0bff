"""A real HTTP service for the signal the MCP tests watch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.watch.servers import Service, running_service


@pytest.fixture(scope="session")
def mcp_service() -> Iterator[Service]:
    with running_service() as running:
        yield running
