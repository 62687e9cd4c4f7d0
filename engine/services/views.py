"""Read-only views the services return (plain data, no ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.persistence.tables import HumanTask, ProcessInstance, Timer


@dataclass(frozen=True)
class TaskView:
    """A row of the inbox."""

    id: str
    instance_id: int
    case_id: int | None
    process_id: str
    element_id: str
    name: str
    lane: str | None
    assignee: str | None
    candidate_roles: list[str]
    form_id: str | None
    due_at: datetime | None
    status: str
    created_at: datetime
    completed_at: datetime | None
    completed_by: str | None
    overdue: bool = False

    @classmethod
    def of(cls, row: HumanTask, now: datetime | None = None) -> TaskView:
        """The view of a human_task row (overdue: ready and past its due date at now)."""
        overdue = bool(now and row.status == "ready" and row.due_at and row.due_at < now)
        return cls(
            id=row.id,
            instance_id=row.instance_id,
            case_id=row.case_id,
            process_id=row.process_id,
            element_id=row.element_id,
            name=row.name,
            lane=row.lane,
            assignee=row.assignee,
            candidate_roles=[r for r in row.candidate_roles if r != "*"],
            form_id=row.form_id,
            due_at=row.due_at,
            status=row.status,
            created_at=row.created_at,
            completed_at=row.completed_at,
            completed_by=row.completed_by,
            overdue=overdue,
        )


@dataclass(frozen=True)
class TaskDetail:
    """A task with its form and the values to prefill it with."""

    task: TaskView
    schema: dict[str, Any]
    ui_schema: dict[str, Any]
    data: dict[str, Any]
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TimerView:
    """A waiting timer."""

    task_id: str
    element_id: str
    due_at: datetime

    @classmethod
    def of(cls, row: Timer) -> TimerView:
        """The view of a timer row."""
        return cls(row.task_id, row.element_id, row.due_at)


@dataclass(frozen=True)
class InstanceView:
    """A process instance with what it waits for."""

    id: int
    process_id: str
    version: int
    status: str
    data: dict[str, Any]
    case_id: int | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    error_element: str | None
    error_message: str | None
    ready_tasks: list[TaskView] = field(default_factory=list)
    waiting_timers: list[TimerView] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        row: ProcessInstance,
        version: int,
        tasks: list[HumanTask],
        timers: list[Timer],
        now: datetime | None = None,
    ) -> InstanceView:
        """The view of an instance row with its ready tasks and pending timers."""
        return cls(
            id=row.id,
            process_id=row.process_id,
            version=version,
            status=row.status,
            data=row.data,
            case_id=row.case_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
            completed_at=row.completed_at,
            error_element=row.error_element,
            error_message=row.error_message,
            ready_tasks=[TaskView.of(t, now) for t in tasks],
            waiting_timers=[TimerView.of(t) for t in timers],
        )
