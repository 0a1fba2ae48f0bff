"""Outbox claims: one row per message a deliverer is sending, with a lease.

Revision ID: outbox1
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "outbox1"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "outbox_claims",
        sa.Column("message_id", sa.String(64), primary_key=True),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("lease_until", sa.String(20), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outbox_claims")
