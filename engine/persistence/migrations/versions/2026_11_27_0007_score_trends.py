"""score trends: first and latest score per case and instrument (backfilled from case_score)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 21:10:08.547735
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_PICK = (
    "(SELECT x.total FROM case_score x WHERE x.case_id = a.case_id"
    " AND x.instrument = a.instrument AND x.total IS NOT NULL"
    " ORDER BY x.recorded_at {order}, x.id {order} LIMIT 1)"
)
BACKFILL = (
    "INSERT INTO case_score_trend (case_id, instrument, administrations, baseline_total,"
    " baseline_at, latest_total, latest_at)"
    f" SELECT a.case_id, a.instrument, a.n, {_PICK.format(order='ASC')}, a.first_at,"
    f" {_PICK.format(order='DESC')}, a.last_at"
    " FROM (SELECT case_id, instrument, count(*) AS n, min(recorded_at) AS first_at,"
    " max(recorded_at) AS last_at FROM case_score WHERE total IS NOT NULL"
    " GROUP BY case_id, instrument) a"
)


def upgrade() -> None:
    op.create_table(
        "case_score_trend",
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("instrument", sa.String(length=20), nullable=False),
        sa.Column("administrations", sa.Integer(), nullable=False),
        sa.Column("baseline_total", sa.Integer(), nullable=False),
        sa.Column("baseline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latest_total", sa.Integer(), nullable=False),
        sa.Column("latest_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["care_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "instrument"),
    )
    with op.batch_alter_table("case_score_trend", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_score_trend_instrument_latest", ["instrument", "latest_at"], unique=False
        )
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("case_score_trend", schema=None) as batch_op:
        batch_op.drop_index("ix_case_score_trend_instrument_latest")

    op.drop_table("case_score_trend")
