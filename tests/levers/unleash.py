"""Start a real Unleash server (npm `unleash-server`, installed by scripts/setup.d/levers.sh)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.postgres import PostgresServer
from tests.support.process import ServerProcess, free_port, http_ready

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / ".cache" / "unleash" / "node_modules" / "unleash-server"
ADMIN_TOKEN = "*:*.stanch-test-admin-token"


@dataclass
class Unleash:
    url: str
    token: str


def missing_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (PACKAGE / "package.json").is_file():
        return "unleash-server is not installed (npm could not reach the registry)"
    return None


@contextlib.contextmanager
def running_unleash(database_url: str, log: Path) -> Iterator[Unleash]:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": database_url, "DATABASE_SSL": "false", "HTTP_PORT": str(port),
        "PORT": str(port), "HTTP_HOST": "127.0.0.1",
        "INIT_ADMIN_API_TOKENS": ADMIN_TOKEN, "LOG_LEVEL": "warn",
        "UNLEASH_TELEMETRY_DISABLED": "true", "CHECK_VERSION": "false",
    }  # fmt: skip
    script = (
        "require('unleash-server').start().catch((e) => { console.error(e); process.exit(1); });"
    )
    url = f"http://127.0.0.1:{port}"
    with ServerProcess("unleash", ["node", "-e", script], ready=http_ready(f"{url}/health"),
                       log=log, cwd=PACKAGE.parent.parent, env=env, start_timeout=120,
                       poll_every=0.5, stop_timeout=15):  # fmt: skip
        yield Unleash(url, ADMIN_TOKEN)


@contextlib.contextmanager
def unleash_server(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory,
                   database: str) -> Iterator[Unleash]:  # fmt: skip
    """A real Unleash on its own database of the tests' PostgreSQL; skips when not installed."""
    reason = missing_reason()
    if reason is not None:
        pytest.skip(reason)
    name = postgres.create_database(database)
    url = f"postgres://{postgres.user}@{postgres.host}:{postgres.port}/{name}"
    with running_unleash(url, tmp_path_factory.mktemp(database) / "server.log") as server:
        yield server
