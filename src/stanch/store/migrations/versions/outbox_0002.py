"""Rate-limit buckets shared by every replica: one token bucket per client address.

Revision ID: ratelimit1
Revises: outbox1
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ratelimit1"
down_revision = "outbox1"


def upgrade() -> None:
    op.create_table(
        "server_rate_buckets",
        sa.Column("client", sa.String(100), primary_key=True),
        sa.Column("tokens", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_server_rate_buckets_updated", "server_rate_buckets", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_server_rate_buckets_updated", "server_rate_buckets")
    op.drop_table("server_rate_buckets")
