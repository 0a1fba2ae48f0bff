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

from stanch.store.schema import SCHEMA_HEADS

_MIGRATIONS = Path(__file__).parent / "migrations"
_PG_LOCK = 0x57A9C4  # advisory lock id for concurrent upgrades


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def alembic_heads() -> frozenset[str]:
    """The newest revisions Alembic knows (tests compare them with SCHEMA_HEADS)."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return frozenset(str(head) for head in heads)


def current_revisions(engine: Engine) -> frozenset[str]:
    """The revisions the database is at (one per branch); empty when never migrated."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return frozenset()
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        return frozenset(str(row[0]) for row in rows)


def upgrade(engine: Engine, lock_dir: Path | None = None) -> None:
    """Upgrade every branch to its head unless already there; safe under concurrency."""
    if current_revisions(engine) == SCHEMA_HEADS:
        return
    with _exclusive(engine, lock_dir), engine.begin() as conn:
        config = alembic_config(conn)
        command.upgrade(config, "heads")


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
