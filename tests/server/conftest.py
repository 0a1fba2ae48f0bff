"""Server fixtures: the app on a real store, tokens per role, an HTTP client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from stanch.server.app import create_app
from stanch.services import tokens
from stanch.services.context import App


@dataclass
class Server:
    app: App
    client: TestClient
    viewer: str
    responder: str
    admin: str

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def make_server(app: App) -> Server:
    return Server(
        app=app,
        client=TestClient(create_app(app)),
        viewer=tokens.create(app, "vera", "viewer"),
        responder=tokens.create(app, "rory", "responder"),
        admin=tokens.create(app, "ada", "admin"),
    )


@pytest.fixture
def server(app: App) -> Iterator[Server]:
    """On SQLite."""
    made = make_server(app)
    with made.client:
        yield made


@pytest.fixture
def any_server(any_app: App) -> Iterator[Server]:
    """Once on SQLite, once on PostgreSQL."""
    made = make_server(any_app)
    with made.client:
        yield made
