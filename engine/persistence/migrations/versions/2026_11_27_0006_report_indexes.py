"""report indexes: none needed (the supervisor reports run on the existing indexes)

Measured on 100,000 generated cases in PostgreSQL (bench/reports.py): every report stays well
under 1 s with the indexes of 0001-0005 (care_case opened_at / closed_at / status+manager,
human_task status+due_at, case_score case_id+instrument+recorded_at, case_referral
status+opened_at). A covering index on human_task (due_at, status, element_id, completed_at,
name) made the deadlines report ~4x faster but would add ~1/3 of the table's size to every
task write, so it is left out. This revision is kept so later revisions keep their numbers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 20:50:00
"""

from __future__ import annotations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change."""


def downgrade() -> None:
    """Nothing to change."""
