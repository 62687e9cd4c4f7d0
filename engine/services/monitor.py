"""Monitoring process instances: filtered lists, counts, incidents, instance detail, heatmap."""

from __future__ import annotations

from engine.services.context import Context
from engine.services.instances import InstanceService
from engine.services.tasks import TaskService


class MonitorService:
    """What a supervisor sees of process instances, and the actions they take on them."""

    def __init__(self, ctx: Context, instances: InstanceService, tasks: TaskService) -> None:
        self.ctx = ctx
        self.instances = instances
        self.tasks = tasks
