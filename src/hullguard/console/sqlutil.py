"""Dialect-aware statements the ORM has no portable spelling for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_conflicts(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT rows, silently skipping those that hit a unique constraint (idempotent ingestion)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(table).on_conflict_do_nothing(), list(rows))
    elif dialect == "sqlite":
        session.execute(sqlite.insert(table).on_conflict_do_nothing(), list(rows))
    else:  # pragma: no cover - the console supports SQLite and PostgreSQL only
        raise RuntimeError(f"unsupported database dialect {dialect}")


def upsert(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str], update: Sequence[str]
) -> None:
    """INSERT rows, or UPDATE the ``update`` columns of the row with the same ``keys``: one statement,
    so two uploads racing on the same row cannot fail on the unique constraint. ``rows`` must not
    repeat a key (PostgreSQL refuses to touch one row twice in a statement)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        pg = postgresql.insert(table)
        session.execute(
            pg.on_conflict_do_update(index_elements=list(keys), set_={c: pg.excluded[c] for c in update}), list(rows)
        )
    elif dialect == "sqlite":
        lite = sqlite.insert(table)
        session.execute(
            lite.on_conflict_do_update(index_elements=list(keys), set_={c: lite.excluded[c] for c in update}),
            list(rows),
        )
    else:  # pragma: no cover - the console supports SQLite and PostgreSQL only
        raise RuntimeError(f"unsupported database dialect {dialect}")
