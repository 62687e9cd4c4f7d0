"""monitor indexes: instance list by status and opening time; recent task and timer dwell

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 20:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.create_index("ix_process_instance_status_id", ["status", "id"], unique=False)
        batch_op.create_index("ix_process_instance_created_at", ["created_at"], unique=False)
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.create_index("ix_human_task_completed_at", ["completed_at"], unique=False)
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.create_index("ix_timer_closed_at", ["closed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.drop_index("ix_timer_closed_at")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_completed_at")
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_index("ix_process_instance_created_at")
        batch_op.drop_index("ix_process_instance_status_id")
