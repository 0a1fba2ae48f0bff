"""Tables, as SQLAlchemy Core. Migrations in migrations/versions create exactly these."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text

# The newest migration of each branch. Capabilities that need their own table add a
# migration that revises "0001" and list its revision here; a test checks this against
# Alembic's heads, and `upgrade` applies them all.
SCHEMA_HEADS: frozenset[str] = frozenset({"server1", "ratelimit1"})

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

# -- server (revision "server1") ------------------------------------------------------------

server_tokens = Table(
    "server_tokens",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("created_at", String(20), nullable=False),
)

server_timers = Table(
    "server_timers",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("incident_id", String(64), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("due_at", String(20), nullable=False),
    Column("fired_at", String(20), nullable=True),
    Column("lease_owner", String(100), nullable=True),
    Column("lease_until", String(20), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
)
Index("ix_server_timers_due", server_timers.c.fired_at, server_timers.c.due_at)

server_alert_groups = Table(
    "server_alert_groups",
    metadata,
    Column("group_key", String(64), primary_key=True),
    Column("incident_id", String(64), nullable=True),
    Column("claimed_at", String(20), nullable=False),
)

server_alerts_seen = Table(
    "server_alerts_seen",
    metadata,
    Column("dedup_key", String(64), primary_key=True),
    Column("incident_id", String(64), nullable=False),
)

server_changes = Table(
    "server_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),
    Column("ref", String(200), nullable=False),
    Column("service", String(100), nullable=False),
    Column("at", String(20), nullable=False),
    Column("summary", Text, nullable=False),
    Column("actor", String(100), nullable=False),
)
Index("ix_server_changes_at", server_changes.c.at)

# -- outbox (revision "outbox1") ------------------------------------------------------------

outbox_claims = Table(
    "outbox_claims",
    metadata,
    Column("message_id", String(64), primary_key=True),
    Column("incident_id", String(64), nullable=False),
    Column("owner", String(100), nullable=False),
    Column("lease_until", String(20), nullable=False),
)

# -- shared rate limits (revision "ratelimit1", after "outbox1") -----------------------------

server_rate_buckets = Table(
    "server_rate_buckets",
    metadata,
    Column("client", String(100), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated_at", Float, nullable=False),  # seconds since the epoch
)
Index("ix_server_rate_buckets_updated", server_rate_buckets.c.updated_at)
