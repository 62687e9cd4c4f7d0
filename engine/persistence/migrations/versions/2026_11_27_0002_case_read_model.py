"""case read model

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 18:21:36.488088
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
        "care_case",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "instance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("client_name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.String(length=10), nullable=True),
        sa.Column("client", sa.JSON(), nullable=False),
        sa.Column("referral", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("manager", sa.String(length=80), nullable=True),
        sa.Column("risk_tier", sa.String(length=10), nullable=True),
        sa.Column("consents", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("baseline_scores", sa.JSON(), nullable=True),
        sa.Column("closure_reason", sa.String(length=40), nullable=True),
        sa.Column("opened_by", sa.String(length=80), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("care_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_case_birth_date"), ["birth_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_case_client_name"), ["client_name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_care_case_closure_reason"), ["closure_reason"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_care_case_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_case_manager"), ["manager"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_case_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_case_phase"), ["phase"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_case_risk_tier"), ["risk_tier"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_case_status"), ["status"], unique=False)
        batch_op.create_index("ix_care_case_status_manager", ["status", "manager"], unique=False)

    op.create_table(
        "case_goal",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("goal_key", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("target_date", sa.String(length=10), nullable=True),
        sa.Column("measure", sa.Text(), nullable=True),
        sa.Column("achievement", sa.String(length=30), nullable=True),
        sa.Column("progress_note", sa.Text(), nullable=True),
        sa.Column("progress_at", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["care_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "goal_key"),
    )
    with op.batch_alter_table("case_goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_goal_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_score",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("instrument", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("band", sa.String(length=30), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["care_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_score", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_score_case_instrument", ["case_id", "instrument", "recorded_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("case_score", schema=None) as batch_op:
        batch_op.drop_index("ix_case_score_case_instrument")

    op.drop_table("case_score")
    with op.batch_alter_table("case_goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_goal_case_id"))

    op.drop_table("case_goal")
    with op.batch_alter_table("care_case", schema=None) as batch_op:
        batch_op.drop_index("ix_care_case_status_manager")
        batch_op.drop_index(batch_op.f("ix_care_case_status"))
        batch_op.drop_index(batch_op.f("ix_care_case_risk_tier"))
        batch_op.drop_index(batch_op.f("ix_care_case_phase"))
        batch_op.drop_index(batch_op.f("ix_care_case_opened_at"))
        batch_op.drop_index(batch_op.f("ix_care_case_manager"))
        batch_op.drop_index(batch_op.f("ix_care_case_instance_id"))
        batch_op.drop_index(batch_op.f("ix_care_case_closure_reason"))
        batch_op.drop_index(batch_op.f("ix_care_case_client_name"))
        batch_op.drop_index(batch_op.f("ix_care_case_birth_date"))

    op.drop_table("care_case")
