"""Bring a database to the newest schema with the one Alembic migration set."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import Connection

from stanch.store.schema import SCHEMA_HEAD

_MIGRATIONS = Path(__file__).parent / "migrations"
_PG_LOCK = 0x57A9C4  # advisory lock id for concurrent upgrades


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def alembic_head() -> str:
    """The newest revision Alembic knows (tests compare it with SCHEMA_HEAD)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return str(head)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return str(row[0]) if row else None


def upgrade(engine: Engine, lock_dir: Path | None = None) -> None:
    """Upgrade to head unless already there; safe when many processes start at once."""
    if current_revision(engine) == SCHEMA_HEAD:
        return
    with _exclusive(engine, lock_dir), engine.begin() as conn:
        config = alembic_config(conn)
        command.upgrade(config, "head")


@contextlib.contextmanager
def _exclusive(engine: Engine, lock_dir: Path | None) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK})
                conn.commit()
        return
    if lock_dir is None:
        yield
        return
    lock_dir.mkdir(parents=True, exist_ok=True)
    with (lock_dir / ".migrate.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
