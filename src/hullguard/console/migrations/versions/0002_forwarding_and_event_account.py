"""SIEM forwarding (destinations, dead letters) and the AWS account of each event, read from its ARN.

Revision ID: 0002
Revises: 0001

Existing events keep every value; their new ``account`` column is filled from the stored ARN
(``arn:aws:lambda:REGION:ACCOUNT:function:NAME``) so the dashboard's account filter covers them too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "destinations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("secret", sa.String(length=255), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("delivered", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("destination_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["destination_id"], ["destinations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dead_letters_destination_id"), ["destination_id"], unique=False)

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account", sa.String(length=32), nullable=False, server_default=""))
    _backfill_event_accounts()
    # The server default only served the existing rows; new rows always get a value from the code.
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column("account", server_default=None)


def _backfill_event_accounts() -> None:
    connection = op.get_bind()
    events = sa.table(
        "events", sa.column("id", sa.BigInteger), sa.column("arn", sa.String), sa.column("account", sa.String)
    )
    rows = connection.execute(sa.select(events.c.id, events.c.arn).where(events.c.arn.like("arn:%"))).all()
    for event_id, arn in rows:
        parts = str(arn).split(":")
        if len(parts) > 4 and parts[4]:
            connection.execute(sa.update(events).where(events.c.id == event_id).values(account=parts[4][:32]))


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("account")
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dead_letters_destination_id"))
    op.drop_table("dead_letters")
    op.drop_table("destinations")
