"""Server tables: API tokens, timers with leases, alert grouping and dedup, posted changes.

Revision ID: server1
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "server1"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "server_tokens",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.String(20), nullable=False),
    )
    op.create_table(
        "server_timers",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("due_at", sa.String(20), nullable=False),
        sa.Column("fired_at", sa.String(20), nullable=True),
        sa.Column("lease_owner", sa.String(100), nullable=True),
        sa.Column("lease_until", sa.String(20), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_server_timers_due", "server_timers", ["fired_at", "due_at"])
    op.create_table(
        "server_alert_groups",
        sa.Column("group_key", sa.String(64), primary_key=True),
        sa.Column("incident_id", sa.String(64), nullable=True),
        sa.Column("claimed_at", sa.String(20), nullable=False),
    )
    op.create_table(
        "server_alerts_seen",
        sa.Column("dedup_key", sa.String(64), primary_key=True),
        sa.Column("incident_id", sa.String(64), nullable=False),
    )
    op.create_table(
        "server_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("service", sa.String(100), nullable=False),
        sa.Column("at", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
    )
    op.create_index("ix_server_changes_at", "server_changes", ["at"])


def downgrade() -> None:
    for table in ("server_changes", "server_alerts_seen", "server_alert_groups"):
        op.drop_table(table)
    op.drop_table("server_timers")
    op.drop_table("server_tokens")
