"""Alembic environment: always run programmatically by ``hullguard.console.migrate`` with a live
connection in ``config.attributes["connection"]``."""

from __future__ import annotations

from alembic import context

from hullguard.console.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable when someone runs the alembic CLI directly
    raise SystemExit("run migrations with `hullguard console migrate`, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
