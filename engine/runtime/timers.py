"""Waiting timers: their due times, and firing them in due order at their own time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.util.task import TaskState

from engine.runtime.human_tasks import element_id

TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class WaitingTimer:
    """A timer event waiting for its due time."""

    task_id: str
    element_id: str
    due_at: datetime
    kind: str


class FixedClock:
    """A clock stopped at one moment: a timer fires at its own due time, not at catch-up time."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        """The fixed moment."""
        return self.moment


def all_definitions(definition: Any) -> list[Any]:
    """The event definitions of a (possibly multiple) event definition."""
    return list(getattr(definition, "event_definitions", [definition]))


def waiting_timers(workflow: Any) -> list[WaitingTimer]:
    """Every waiting timer with its due time (also in sub-processes and event gateways)."""
    timers: list[WaitingTimer] = []
    for task in list(workflow.event_manager.tasks.values()):
        if not task.has_state(TaskState.WAITING):
            continue
        for definition in _timer_definitions(task.task_spec.event_definition):
            due = _due_time(definition, task.internal_data.get("event_value"))
            if due is not None:
                kind = type(definition).__name__.replace("TimerEventDefinition", "").lower()
                timers.append(WaitingTimer(str(task.id), element_id(task), due, kind or "date"))
    return sorted(timers, key=lambda t: t.due_at)


def realign_cycles(workflow: Any, now: datetime) -> None:
    """A cycle timer that fell behind resumes one period from now instead of bursting."""
    for task in list(workflow.event_manager.tasks.values()):
        value = task.internal_data.get("event_value")
        cyclic = any(
            isinstance(d, CycleTimerEventDefinition)
            for d in _timer_definitions(task.task_spec.event_definition)
        )
        if not cyclic or not isinstance(value, dict) or value.get("cycles") == 0:
            continue
        if datetime.fromisoformat(value["next"]) < now:
            value["next"] = (now + timedelta(seconds=value["duration"])).isoformat()


def _timer_definitions(definition: Any) -> list[Any]:
    return [d for d in all_definitions(definition) if isinstance(d, TimerEventDefinition)]


def _due_time(definition: Any, value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(definition, CycleTimerEventDefinition):
        return None if value["cycles"] == 0 else datetime.fromisoformat(value["next"])
    if isinstance(definition, DurationTimerEventDefinition):
        return datetime.fromisoformat(TimerEventDefinition.get_datetime(value).isoformat())
    parsed = TimerEventDefinition.parse_time_or_duration(value)
    return datetime.fromisoformat(parsed.isoformat()) if isinstance(parsed, datetime) else None


def parse_duration(text: str, start: datetime) -> timedelta:
    """An ISO 8601 duration (P30D, PT4H, P1M) as the time it adds to start."""
    parsed = TimerEventDefinition.parse_iso_duration(text.strip().upper())
    delta: timedelta = TimerEventDefinition.get_timedelta_from_start(parsed, start)
    return delta
