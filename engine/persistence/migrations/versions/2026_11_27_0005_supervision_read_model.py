"""supervision read model: user teams, case milestones, satisfaction, cost, agency referrals

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 20:14:34.206101
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_referral",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referral_key", sa.String(length=80), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("agency_type", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["care_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "referral_key"),
    )
    with op.batch_alter_table("case_referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_referral_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_case_referral_status_opened", ["status", "opened_at"], unique=False
        )

    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team", sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f("ix_app_user_team"), ["team"], unique=False)

    with op.batch_alter_table("care_case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_contact_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("plan_approved_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("satisfaction", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cost_estimate", sa.Double(), nullable=True))
        batch_op.create_index(batch_op.f("ix_care_case_closed_at"), ["closed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("care_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_case_closed_at"))
        batch_op.drop_column("cost_estimate")
        batch_op.drop_column("satisfaction")
        batch_op.drop_column("plan_approved_at")
        batch_op.drop_column("first_contact_at")

    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_team"))
        batch_op.drop_column("team")

    with op.batch_alter_table("case_referral", schema=None) as batch_op:
        batch_op.drop_index("ix_case_referral_status_opened")
        batch_op.drop_index(batch_op.f("ix_case_referral_case_id"))

    op.drop_table("case_referral")
