"""Token buckets in the store, so every replica draws on the same allowance per client.

One transaction per request: create the bucket if new, lock it, refill it for the time
gone by, take a token if there is one. SQLite serialises it with its write lock,
PostgreSQL with a row lock, so two replicas never spend the same token.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from stanch.store.engine import writing
from stanch.store.schema import server_rate_buckets as buckets


def take(engine: Engine, client: str, rate: float, burst: float, now: float) -> float:
    """0 when the client may send now (a token is spent), else seconds until it may."""
    key = client[:100]
    maker: Any = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    with writing(engine) as conn, conn.begin():
        conn.execute(
            maker(buckets)
            .values(client=key, tokens=float(burst), updated_at=now)
            .on_conflict_do_nothing()
        )
        query = select(buckets.c.tokens, buckets.c.updated_at).where(buckets.c.client == key)
        if engine.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).one()
        # A replica whose clock lags another's refills nothing rather than going back.
        tokens = min(float(burst), float(row.tokens) + max(0.0, now - float(row.updated_at)) * rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
        conn.execute(
            update(buckets)
            .where(buckets.c.client == key)
            .values(tokens=tokens - 1 if wait == 0 else tokens,
                    updated_at=max(now, float(row.updated_at)))
        )  # fmt: skip
    return wait


def forget_idle(engine: Engine, before: float) -> None:
    """Drop the buckets of clients not heard from since `before` (they are full again)."""
    with writing(engine) as conn, conn.begin():
        conn.execute(delete(buckets).where(buckets.c.updated_at < before))
