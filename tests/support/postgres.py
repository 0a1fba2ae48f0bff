"""Start a real, throw-away PostgreSQL server from the installed binaries."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.support.process import Probe, ServerProcess, free_port


def pg_bindir() -> Path | None:
    """The newest installed PostgreSQL server bin directory, if any."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def libpq(self, database: str = "postgres") -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname={database}"

    def create_database(self, prefix: str = "t") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.libpq(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name


def _accepts_connections(server: PostgresServer) -> Probe:
    def probe() -> bool:
        try:
            with psycopg.connect(server.libpq(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    return probe


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """initdb into a temp dir, start on a free loopback port, stop and delete afterwards."""
    bindir = pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="stanch-pg-"))
    owner = "postgres" if os.geteuid() == 0 else None  # the server refuses to run as root
    if owner:
        shutil.chown(root, owner, owner)
    data = root / "data"
    info = PostgresServer("127.0.0.1", free_port(), owner or os.environ.get("USER", "postgres"))
    try:
        subprocess.run(
            [str(bindir / "initdb"), "-D", str(data), "-U", info.user, "--auth=trust", "-E", "UTF8",
             "--no-sync"],
            check=True, capture_output=True, user=owner, group=owner,
        )  # fmt: skip
        argv = [bindir / "postgres", "-D", data, "-p", info.port, "-k", root, "-h", info.host,
                "-c", "fsync=off", "-c", "max_connections=200"]  # fmt: skip
        with ServerProcess("PostgreSQL", [str(part) for part in argv],
                           ready=_accepts_connections(info), log=root / "server.log",
                           user=owner, group=owner):  # fmt: skip
            yield info
    finally:
        shutil.rmtree(root, ignore_errors=True)
