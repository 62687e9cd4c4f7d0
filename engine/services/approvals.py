"""The approvals queue: plans and closures waiting for a supervisor's decision."""

from __future__ import annotations

from engine.services.context import Context
from engine.services.tasks import TaskService


class ApprovalService:
    """Approval tasks for a supervisor's team; approve or return with comments."""

    def __init__(self, ctx: Context, tasks: TaskService) -> None:
        self.ctx = ctx
        self.tasks = tasks
