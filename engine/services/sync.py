"""Write a workflow back: its state, status, inbox rows and timer rows, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.persistence.tables import HumanTask, HumanTaskRole, ProcessInstance, Timer
from engine.runtime.instance import ReadyTask, RunningInstance, StepFailure, WaitingTimer
from engine.services.case_projection import project
from engine.services.context import Context, record

ACTIVE = ("running", "waiting")


@dataclass(frozen=True)
class StepResult:
    """What a store() changed, for the audit trail."""

    from_status: str
    to_status: str


def store(
    ctx: Context,
    session: Session,
    row: ProcessInstance,
    running: RunningInstance,
    failure: StepFailure | None,
    actor: str,
    completed_task: str | None = None,
    submitted: dict[str, Any] | None = None,
) -> StepResult:
    """Persist the workflow; keep human_task, timer and case rows in step with it."""
    now = ctx.clock.now()
    before = row.status
    row.state = running.dump(ctx.codec)
    row.data = running.data()
    row.updated_at = now
    closed = row.status == "terminated"
    ready = [] if closed else running.ready_tasks()
    timers = [] if closed else running.waiting_timers()
    if row.status not in ("suspended", "terminated"):
        row.status = _status(running, failure, waits=bool(ready or timers))
    _record_failure(session, row, failure, actor, now)
    sync_tasks(session, row, ready, now, actor, completed_task)
    sync_timers(session, row, timers, now, cancel_all=closed)
    if row.status == "completed" and row.completed_at is None:
        row.completed_at = now
    for timer in running.fired:
        lateness = (now - timer.due_at).total_seconds() * 1000
        record(
            session,
            now,
            actor,
            "timer.fired",
            instance_id=row.id,
            case_id=row.case_id,
            task_id=timer.task_id,
            element_id=timer.element_id,
            detail={"due_at": timer.due_at.isoformat(), "lateness_ms": round(lateness, 1)},
        )
    running.fired.clear()
    if row.case_id is not None:
        project(session, row, row.data, now, submitted)
    return StepResult(before, row.status)


def _status(running: RunningInstance, failure: StepFailure | None, waits: bool) -> str:
    if failure is not None or running.failed_tasks():
        return "error"
    if running.is_completed():
        return "completed"
    return "waiting" if waits or running.waiting_messages() else "running"


def _record_failure(
    session: Session, row: ProcessInstance, failure: StepFailure | None, actor: str, now: datetime
) -> None:
    if failure is None:
        if row.status != "error":
            row.error_element = row.error_message = None
        return
    row.error_element, row.error_message = failure.element_id, failure.message
    record(
        session,
        now,
        actor,
        "instance.failed",
        instance_id=row.id,
        case_id=row.case_id,
        element_id=failure.element_id,
        to_status="error",
        detail={"message": failure.message},
    )


def sync_tasks(
    session: Session,
    row: ProcessInstance,
    ready: list[ReadyTask],
    now: datetime,
    actor: str,
    completed_task: str | None,
) -> None:
    """Insert rows for new ready tasks; close rows whose task is no longer ready."""
    existing = {
        t.id: t
        for t in session.scalars(
            select(HumanTask).where(HumanTask.instance_id == row.id, HumanTask.status == "ready")
        )
    }
    wanted = {t.task_id for t in ready}
    for task_id, task_row in existing.items():
        if task_id not in wanted:
            done = task_id == completed_task
            task_row.status = "completed" if done else "cancelled"
            task_row.completed_at = now
            task_row.completed_by = actor if done else None
            if not done:
                record(
                    session,
                    now,
                    actor,
                    "task.cancelled",
                    instance_id=row.id,
                    case_id=row.case_id,
                    task_id=task_id,
                    element_id=task_row.element_id,
                )
    new = [task for task in ready if task.task_id not in existing]
    reopened = _known_rows(session, [task.task_id for task in new])
    for task in new:
        _insert_task(session, row, task, now, reopened.get(task.task_id))
    if new:
        session.flush()  # task rows before the role rows that point at them
    for task in new:
        if task.task_id not in reopened:
            for role in task.candidate_roles or ("*",):
                session.add(HumanTaskRole(task_id=task.task_id, role=role))
        record(
            session,
            now,
            actor,
            "task.created",
            instance_id=row.id,
            case_id=row.case_id,
            task_id=task.task_id,
            element_id=task.element_id,
            detail={"name": task.name, "lane": task.lane},
        )


def _known_rows(session: Session, task_ids: list[str]) -> dict[str, HumanTask]:
    """Rows of tasks made ready again (a retry after an error): reopened, not inserted."""
    if not task_ids:
        return {}
    rows = session.scalars(select(HumanTask).where(HumanTask.id.in_(task_ids)))
    return {r.id: r for r in rows}


def _insert_task(
    session: Session,
    row: ProcessInstance,
    task: ReadyTask,
    now: datetime,
    known: HumanTask | None,
) -> None:
    if known is not None:
        known.status, known.completed_at, known.completed_by = "ready", None, None
        return
    roles = list(task.candidate_roles)
    session.add(
        HumanTask(
            id=task.task_id,
            instance_id=row.id,
            case_id=row.case_id,
            process_id=row.process_id,
            element_id=task.element_id,
            name=task.name,
            lane=task.lane,
            candidate_roles=roles,
            form_id=task.form_id,
            assignee=task.assignee,
            due_at=task.due_at,
            status="ready",
            created_at=now,
            claimed_at=now if task.assignee else None,
        )
    )


def sync_timers(
    session: Session,
    row: ProcessInstance,
    timers: list[WaitingTimer],
    now: datetime,
    cancel_all: bool = False,
) -> None:
    """Keep one pending row per waiting timer; close rows whose timer fired or was cancelled."""
    pending = {
        t.task_id: t
        for t in session.scalars(
            select(Timer).where(Timer.instance_id == row.id, Timer.status == "pending")
        )
    }
    wanted = {t.task_id: t for t in timers}
    for task_id, timer_row in pending.items():
        waiting = wanted.get(task_id)
        if waiting is None:
            fired = timer_row.due_at <= now and not cancel_all
            timer_row.status = "fired" if fired else "cancelled"
            timer_row.closed_at = now
        elif waiting.due_at != timer_row.due_at:
            timer_row.status, timer_row.closed_at = "fired", now
            _add_timer(session, row, waiting, now)
    for task_id, waiting in wanted.items():
        if task_id not in pending:
            _add_timer(session, row, waiting, now)


def _add_timer(session: Session, row: ProcessInstance, timer: WaitingTimer, now: datetime) -> None:
    earliest = session.info.get("earliest_new_timer")
    if earliest is None or timer.due_at < earliest:
        session.info["earliest_new_timer"] = timer.due_at
    session.add(
        Timer(
            instance_id=row.id,
            task_id=timer.task_id,
            element_id=timer.element_id,
            kind=timer.kind,
            due_at=timer.due_at,
            status="pending",
            created_at=now,
        )
    )
