"""Engines for SQLite (WAL, durable commits, write lock on begin) and PostgreSQL."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from stanch.errors import (
    InvalidInput,
    ReadOnly,
    StanchError,
    StorageFull,
    StoreUnavailable,
    classify_os_error,
)

WRITE = "stanch_write"


def make_engine(url: str) -> Engine:
    """Build an engine; SQLite gets its pragmas and a real write lock per transaction."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(f"cannot read database URL {redact(url)!r}") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, pool_size=5)
    raise InvalidInput(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
    )


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        try:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise classify_os_error(
                exc, f"cannot create the data directory for {database}"
            ) from exc
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 60000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers take the lock up front, so read-then-write never deadlocks or loses.
        immediate = conn.get_execution_options().get(WRITE)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def redact(url: str) -> str:
    """The URL without its password."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def classify_db_error(exc: SQLAlchemyError, url: str) -> StanchError:
    """Turn a driver error into the one-line error a responder can act on."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    where = redact(url)
    if "disk is full" in text or "no space" in text or "disk i/o error" in text:
        return StorageFull(f"database {where}: disk full, nothing was recorded")
    if "readonly" in text or "read-only" in text or "permission denied" in text:
        return ReadOnly(f"database {where} is read-only, nothing was recorded")
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return StoreUnavailable(f"lost the connection to {where}")
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return StoreUnavailable(f"database {where}: {first}")


@contextlib.contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A connection whose transactions take the write lock (SQLite: BEGIN IMMEDIATE)."""
    with translated(str(engine.url)), engine.connect().execution_options(**{WRITE: True}) as conn:
        yield conn


@contextlib.contextmanager
def translated(url: str) -> Iterator[None]:
    """Map database and OS errors raised inside the block to the stanch tree."""
    try:
        yield
    except StanchError:
        raise
    except SQLAlchemyError as exc:
        raise classify_db_error(exc, url) from exc
    except OSError as exc:
        raise classify_os_error(exc, f"database {redact(url)}") from exc
