"""Monitoring process instances: filtered lists, counts, incidents, instance detail, heatmap."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import BadRequest, Conflict, EngineError, NotFound
from engine.identity import Actor
from engine.persistence.tables import AuditEvent, CareCase, ProcessInstance, ProcessVersion
from engine.services import monitor_queries as queries
from engine.services.access import require_supervisor
from engine.services.context import Context
from engine.services.instances import InstanceService
from engine.services.monitor_detail import instance_detail
from engine.services.monitor_diagrams import current_file, diagram_files
from engine.services.monitor_heatmap import heat_cells
from engine.services.monitor_views import (
    Heatmap,
    Incident,
    InstanceDetail,
    InstanceFilter,
    InstancePage,
    RetryOutcome,
)
from engine.services.tasks import TaskService
from engine.services.views import InstanceView, TaskView

PI = ProcessInstance
DWELL_DAYS = 90


def require_reason(reason: str | None) -> str:
    """The reason, stripped; BadRequest when it is blank."""
    text = (reason or "").strip()
    if not text:
        raise BadRequest("reason is required")
    return text


class MonitorService:
    """What a supervisor sees of process instances, and the actions they take on them."""

    def __init__(self, ctx: Context, instances: InstanceService, tasks: TaskService) -> None:
        self.ctx = ctx
        self.instances = instances
        self.tasks = tasks

    # -- reading ---------------------------------------------------------------------------

    def page(
        self, actor: Actor, f: InstanceFilter, limit: int = 50, offset: int = 0
    ) -> InstancePage:
        """One page of matching instances, newest first, and the counts per status."""
        require_supervisor(actor)
        now = self.ctx.clock.now()
        with self.ctx.uow() as uow:
            counts = queries.status_counts(uow.session, f, now)
            ids = queries.page_ids(uow.session, f, now, limit, offset)
            rows = queries.rows_of(uow.session, ids, now)
        total = counts.get(f.status, 0) if f.status else sum(counts.values())
        return InstancePage(rows, total, offset, limit, counts)

    def views(
        self, actor: Actor, f: InstanceFilter, limit: int = 100, offset: int = 0
    ) -> tuple[list[InstanceView], int]:
        """One page of matching instances as full views (the API list), and the total."""
        require_supervisor(actor)
        now = self.ctx.clock.now()
        with self.ctx.uow() as uow:
            counts = queries.status_counts(uow.session, f, now)
            ids = queries.page_ids(uow.session, f, now, limit, offset)
            views = queries.views_of(uow.session, ids, now)
        total = counts.get(f.status, 0) if f.status else sum(counts.values())
        return views, total

    def counts(self, actor: Actor, f: InstanceFilter) -> dict[str, int]:
        """How many instances match the filter in each status (its status filter ignored)."""
        require_supervisor(actor)
        with self.ctx.uow() as uow:
            return queries.status_counts(uow.session, f, self.ctx.clock.now())

    def incidents(self, actor: Actor, limit: int = 500) -> list[Incident]:
        """Instances in error, most recent failure first: element, message and when."""
        require_supervisor(actor)
        with self.ctx.uow() as uow:
            return _incidents(uow.session, limit)

    def detail(self, instance_id: int, actor: Actor) -> InstanceDetail:
        """An instance with its case, data, tasks, timers, audit trail and element states."""
        require_supervisor(actor)
        with self.ctx.uow() as uow:
            row = uow.session.get(PI, instance_id)
            if row is None:
                raise NotFound(f"instance {instance_id} does not exist")
            return instance_detail(uow.session, row, self.instances)

    def heatmap(
        self, process_id: str, version: int, actor: Actor, dwell_days: int = DWELL_DAYS
    ) -> Heatmap:
        """Per element of a process version: instances there now, and their average dwell
        over the visits that ended in the last `dwell_days` days."""
        require_supervisor(actor)
        with self.ctx.uow() as uow:
            row = uow.session.scalar(
                select(ProcessVersion).where(
                    ProcessVersion.process_id == process_id, ProcessVersion.version == version
                )
            )
            if row is None:
                raise NotFound(f"process {process_id} has no version {version}")
            files = diagram_files(row)
            since = self.ctx.clock.now() - timedelta(days=dwell_days)
            cells = heat_cells(uow.session, row.id, files, since)
            sitting = {c.element_id for c in cells if c.waiting_now}
            busy = {f.diagram.file: dict.fromkeys(sitting & f.ids, "active") for f in files}
            diagrams = [f.diagram for f in files]
            current = current_file(files, busy)
            return Heatmap(process_id, version, cells, diagrams, current, since)

    # -- acting ----------------------------------------------------------------------------

    def suspend(self, instance_id: int, actor: Actor, reason: str) -> InstanceView:
        """Pause an instance, saying why."""
        require_supervisor(actor)
        return self.instances.suspend(instance_id, actor, require_reason(reason))

    def resume(self, instance_id: int, actor: Actor, reason: str) -> InstanceView:
        """Lift a suspension (or retry a failure), saying why."""
        require_supervisor(actor)
        return self.instances.resume(instance_id, actor, require_reason(reason))

    def terminate(self, instance_id: int, actor: Actor, reason: str) -> InstanceView:
        """End an instance for good, saying why."""
        require_supervisor(actor)
        return self.instances.terminate(instance_id, actor, require_reason(reason))

    def retry(
        self,
        instance_id: int,
        actor: Actor,
        reason: str,
        corrections: dict[str, Any] | None = None,
    ) -> InstanceView:
        """Run an instance's failed step again (Conflict unless it is in error)."""
        require_supervisor(actor)
        text = require_reason(reason)
        with self.ctx.uow() as uow:
            status = uow.session.scalar(select(PI.status).where(PI.id == instance_id))
        if status is None:
            raise NotFound(f"instance {instance_id} does not exist")
        if status != "error":
            raise Conflict(f"instance {instance_id} is {status}, not in error")
        return self.instances.resume(instance_id, actor, text, corrections)

    def retry_many(self, instance_ids: list[int], actor: Actor, reason: str) -> list[RetryOutcome]:
        """Retry each instance in its own transaction; report each success or failure."""
        require_supervisor(actor)
        text = require_reason(reason)
        outcomes: list[RetryOutcome] = []
        for instance_id in dict.fromkeys(instance_ids):
            try:
                view = self.retry(instance_id, actor, text)
            except EngineError as exc:
                outcomes.append(RetryOutcome(instance_id, False, error=str(exc)))
                continue
            failed = view.status == "error"
            error = view.error_message if failed else None
            outcomes.append(RetryOutcome(instance_id, not failed, view.status, error))
        return outcomes

    def reassign(self, task_id: str, username: str, actor: Actor, reason: str) -> TaskView:
        """Hand a ready task to someone who may work it, saying why (audited with the reason)."""
        require_supervisor(actor)
        return self.tasks.assign(task_id, username, actor, reason=require_reason(reason))


def _incidents(session: Session, limit: int) -> list[Incident]:
    query = (
        select(
            PI.id,
            PI.process_id,
            PI.case_id,
            PI.error_element,
            PI.error_message,
            PI.updated_at,
            ProcessVersion.version,
            CareCase.client_name,
        )
        .join(ProcessVersion, ProcessVersion.id == PI.process_version_id)
        .outerjoin(CareCase, CareCase.id == PI.case_id)
        .where(PI.status == "error")
        .order_by(PI.updated_at.desc(), PI.id.desc())
        .limit(limit)
    )
    found = session.execute(query).all()
    failed_at = _failed_at(session, [r.id for r in found])
    return [
        Incident(
            instance_id=r.id,
            process_id=r.process_id,
            version=r.version,
            case_id=r.case_id,
            client_name=r.client_name,
            element_id=r.error_element,
            message=r.error_message,
            failed_at=failed_at.get(r.id) or r.updated_at,
        )
        for r in found
    ]


def _failed_at(session: Session, ids: list[int]) -> dict[int, datetime]:
    """When each instance last failed, by its audit trail."""
    if not ids:
        return {}
    query = (
        select(AuditEvent.instance_id, func.max(AuditEvent.at))
        .where(AuditEvent.instance_id.in_(ids), AuditEvent.action == "instance.failed")
        .group_by(AuditEvent.instance_id)
    )
    return {int(i): at for i, at in session.execute(query).all() if i is not None}
