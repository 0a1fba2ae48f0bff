"""Leased claims on outbox messages, so that one deliverer at a time sends each message.

A deliverer claims a message before sending it and lets go once the outcome is recorded.
A claim whose lease ran out (its deliverer died) can be taken over. One upsert decides
on SQLite and PostgreSQL alike: it inserts a new claim, or takes over an expired one,
and answers a row only to the deliverer that now holds it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from stanch.model.clock import iso
from stanch.store.engine import writing
from stanch.store.schema import outbox_claims as claims


def claim(
    engine: Engine, message_id: str, incident_id: str, owner: str, now: datetime, lease: timedelta
) -> bool:
    """Take the message for `owner` unless someone else holds an unexpired claim on it."""
    row = {
        "message_id": message_id,
        "incident_id": incident_id,
        "owner": owner[:100],
        "lease_until": iso(now + lease),
    }
    maker: Any = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        maker(claims)
        .values(**row)
        .on_conflict_do_update(
            index_elements=[claims.c.message_id],
            set_={"owner": row["owner"], "lease_until": row["lease_until"]},
            where=claims.c.lease_until < iso(now),
        )
        .returning(claims.c.owner)
    )
    with writing(engine) as conn, conn.begin():
        taken = conn.execute(statement).first()
    return taken is not None


def release(engine: Engine, message_id: str, owner: str) -> None:
    """Let go of a claim this owner holds (a claim taken over by another stays theirs)."""
    with writing(engine) as conn, conn.begin():
        conn.execute(
            delete(claims).where(claims.c.message_id == message_id, claims.c.owner == owner)
        )
