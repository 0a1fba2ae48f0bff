"""Alembic environment: the connection is handed in by stanch.store.migrate."""

from __future__ import annotations

from alembic import context

from stanch.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
