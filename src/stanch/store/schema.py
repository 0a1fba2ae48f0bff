"""Tables, as SQLAlchemy Core. Migrations in migrations/versions create exactly these."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text

# The newest migration of each branch. Capabilities that need their own table add a
# migration that revises "0001" and list its revision here; a test checks this against
# Alembic's heads, and `upgrade` applies them all.
SCHEMA_HEADS: frozenset[str] = frozenset({"0001"})

metadata = MetaData()

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("severity", Integer, nullable=False),
    Column("declared_at", String(20), nullable=False),
    Column("last_seq", Integer, nullable=False),
    Column("chain", String(64), nullable=False),
    Column("state", Text, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("incident_id", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(64), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("occurred_at", String(20), nullable=False),
    Column("recorded_at", String(20), nullable=False),
    Column("data", Text, nullable=False),
    Column("chain", String(64), nullable=False),
)

Index("ix_events_kind", events.c.kind)
Index("ix_incidents_status", incidents.c.status)
