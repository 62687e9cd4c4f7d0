"""simulated clock and scheduler leases

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 18:32:02.542447
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clock_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offset_seconds", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "scheduler_lease",
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("holder"),
    )
    with op.batch_alter_table("scheduler_lease", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduler_lease_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduler_lease", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduler_lease_expires_at"))

    op.drop_table("scheduler_lease")
    op.drop_table("clock_state")
