"""One running workflow: start, run until it waits, complete tasks, deliver messages."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.clock import Clock
from engine.runtime import timeclock
from engine.runtime.care_helpers import Directory, directory_bound
from engine.runtime.pruning import prune
from engine.runtime.scripts import script_engine
from engine.runtime.serializer import SpecBundle, WorkflowCodec

_SCRIPT_ENGINE = script_engine()
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadyTask:
    """A human task waiting for a person."""

    task_id: str
    element_id: str
    name: str
    lane: str | None
    candidate_roles: tuple[str, ...]
    form_id: str | None
    due_at: datetime | None
    assignee: str | None = None
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class WaitingTimer:
    """A timer event waiting for its due time."""

    task_id: str
    element_id: str
    due_at: datetime
    kind: str


@dataclass(frozen=True)
class WaitingMessage:
    """A catch event (or event-based gateway) waiting for a named message."""

    task_id: str
    element_id: str
    name: str


@dataclass(frozen=True)
class StepFailure:
    """A task that raised while the engine ran it."""

    task_id: str | None
    element_id: str
    message: str


class TaskNotReady(Exception):
    """The task is not a ready human task of this workflow."""


class NotWaitingForMessage(Exception):
    """Nothing in the workflow waits for that message."""


class RunningInstance:
    """A SpiffWorkflow workflow with CareCycle's clock, script engine and error capture."""

    def __init__(self, workflow: Any, clock: Clock, directory: Directory | None = None) -> None:
        self.workflow = workflow
        self.clock = clock
        self.directory = directory
        workflow.script_engine = _SCRIPT_ENGINE
        self._before_step: dict[UUID, dict[str, Any]] = {}

    @classmethod
    def start(cls, bundle: SpecBundle, data: dict[str, Any], clock: Clock) -> RunningInstance:
        """A new workflow of bundle's process, seeded with data (not yet run)."""
        workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=_SCRIPT_ENGINE)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(copy.deepcopy(data))
        return cls(workflow, clock)

    @classmethod
    def load(
        cls, codec: WorkflowCodec, state: str, bundle: SpecBundle, clock: Clock
    ) -> RunningInstance:
        """Restore a stored workflow."""
        return cls(codec.load_workflow(state, bundle), clock)

    def dump(self, codec: WorkflowCodec) -> str:
        """Prune finished history, then serialize for storage."""
        prune(self.workflow)
        return codec.dump_workflow(self.workflow)

    # -- running -----------------------------------------------------------------

    def run(self) -> StepFailure | None:
        """Fire due timers and run engine tasks until the workflow waits; capture a failure."""
        with self._bound():
            try:
                self.workflow.refresh_timers()
                self.workflow.do_engine_steps(will_complete_task=self._remember)
            except WorkflowException as exc:
                return self._failure(exc)
        return None

    def complete(self, task_id: str, values: dict[str, Any]) -> StepFailure | None:
        """Complete a ready human task with values, then run until the workflow waits."""
        task = self._ready_human_task(task_id)
        self._remember(task)
        task.data.update(copy.deepcopy(values))
        with self._bound():
            try:
                task.run()
            except WorkflowException as exc:
                return self._failure(exc)
        return self.run()

    def deliver(
        self, name: str, payload: dict[str, Any], correlation: dict[str, Any] | None = None
    ) -> StepFailure | None:
        """Deliver a message to one waiting catcher whose data matches correlation.

        Correlation maps dotted data paths (``referral.id``) to the values the catching
        task's data must hold; raise NotWaitingForMessage when no catcher matches.
        """
        target = self._catcher(name, correlation or {})
        if target is None:
            raise NotWaitingForMessage(name)
        task, definition = target
        event = BpmnEvent(definition, payload=copy.deepcopy(payload))
        with self._bound():
            try:
                task.task_spec.catch(task, event)
                task.task_spec._update(task)
            except WorkflowException as exc:
                return self._failure(exc)
        return self.run()

    def retry(self, corrections: dict[str, Any] | None = None) -> StepFailure | None:
        """Make failed tasks runnable again, with corrected data if given, and run."""
        for task in self.workflow.get_tasks(state=TaskState.ERROR):
            if corrections:
                task.data.update(copy.deepcopy(corrections))
            task._set_state(TaskState.READY)
        return self.run()

    def cancel(self) -> None:
        """Cancel every unfinished task (terminate)."""
        self.workflow.cancel()

    # -- reading -----------------------------------------------------------------

    def is_completed(self) -> bool:
        """Whether the workflow has finished."""
        return bool(self.workflow.is_completed())

    def failed_tasks(self) -> list[StepFailure]:
        """Tasks left in ERROR state."""
        return [
            StepFailure(str(t.id), t.task_spec.bpmn_id or t.task_spec.name, "failed")
            for t in self.workflow.get_tasks(state=TaskState.ERROR)
        ]

    def data(self) -> dict[str, Any]:
        """The process data: the final data once completed, else the newest live task's."""
        if self.is_completed():
            return dict(self.workflow.data)
        live = self.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.ERROR)
        if not live:
            return {}
        newest = max(live, key=lambda t: t.last_state_change)
        return dict(newest.data)

    def task_data(self, task_id: str) -> dict[str, Any] | None:
        """A task's own data (a copy), or None if the task is gone."""
        try:
            task = self.workflow.get_task_from_id(UUID(task_id))
        except (ValueError, WorkflowException):
            return None
        return copy.deepcopy(task.data) if task is not None else None

    def ready_tasks(self) -> list[ReadyTask]:
        """The human tasks ready for a person."""
        now = self.clock.now()
        return [
            _ready_task(t, now) for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
        ]

    def waiting_timers(self) -> list[WaitingTimer]:
        """Every waiting timer with its due time (also in sub-processes and event gateways)."""
        timers: list[WaitingTimer] = []
        for task in list(self.workflow.event_manager.tasks.values()):
            if not task.has_state(TaskState.WAITING):
                continue
            for definition in _timer_definitions(task.task_spec.event_definition):
                due = _due_time(definition, task.internal_data.get("event_value"))
                if due is not None:
                    kind = type(definition).__name__.replace("TimerEventDefinition", "").lower()
                    timers.append(
                        WaitingTimer(str(task.id), _element_id(task), due, kind or "date")
                    )
        return sorted(timers, key=lambda t: t.due_at)

    def waiting_messages(self) -> list[WaitingMessage]:
        """The messages this workflow would catch now."""
        found: list[WaitingMessage] = []
        for task in list(self.workflow.event_manager.tasks.values()):
            if not task.has_state(TaskState.WAITING):
                continue
            for definition in _all_definitions(task.task_spec.event_definition):
                if isinstance(definition, MessageEventDefinition):
                    found.append(WaitingMessage(str(task.id), _element_id(task), definition.name))
        return found

    # -- internals ---------------------------------------------------------------

    @contextmanager
    def _bound(self) -> Iterator[None]:
        with timeclock.bound(self.clock), directory_bound(self.directory):
            yield

    def _remember(self, task: Any) -> None:
        self._before_step[task.id] = copy.deepcopy(task.data)

    def _failure(self, exc: WorkflowException) -> StepFailure:
        task = getattr(exc, "task", None)
        if task is None:
            return StepFailure(None, "-", str(exc))
        saved = self._before_step.get(task.id)
        if saved is not None:
            task.data = saved
        if not task.has_state(TaskState.ERROR):
            task._set_state(TaskState.ERROR)
        message = getattr(exc, "error_type", None) or type(exc).__name__
        return StepFailure(str(task.id), _element_id(task), f"{message}: {_describe(exc)}")

    def _ready_human_task(self, task_id: str) -> Any:
        try:
            task = self.workflow.get_task_from_id(UUID(task_id))
        except (ValueError, WorkflowException) as exc:
            raise TaskNotReady(task_id) from exc
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(task_id)
        return task

    def _catcher(self, name: str, correlation: dict[str, Any]) -> tuple[Any, Any] | None:
        for message in self.waiting_messages():
            if message.name != name:
                continue
            task = self.workflow.get_task_from_id(UUID(message.task_id))
            if not all(_lookup(task.data, path) == value for path, value in correlation.items()):
                continue
            for definition in _all_definitions(task.task_spec.event_definition):
                if isinstance(definition, MessageEventDefinition) and definition.name == name:
                    return task, definition
        return None


_MISSING = object()


def _lookup(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return _MISSING
    return data


def _describe(exc: WorkflowException) -> str:
    text = str(exc)
    for note in getattr(exc, "notes", []) or []:
        if note and note not in text:
            text = f"{text} ({note})"
    return text


def _element_id(task: Any) -> str:
    return str(getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name)


def _all_definitions(definition: Any) -> list[Any]:
    return list(getattr(definition, "event_definitions", [definition]))


def _timer_definitions(definition: Any) -> list[Any]:
    return [d for d in _all_definitions(definition) if isinstance(d, TimerEventDefinition)]


def _due_time(definition: Any, value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(definition, CycleTimerEventDefinition):
        return None if value["cycles"] == 0 else datetime.fromisoformat(value["next"])
    if isinstance(definition, DurationTimerEventDefinition):
        return datetime.fromisoformat(TimerEventDefinition.get_datetime(value).isoformat())
    parsed = TimerEventDefinition.parse_time_or_duration(value)
    return datetime.fromisoformat(parsed.isoformat()) if isinstance(parsed, datetime) else None


def _ready_task(task: Any, now: datetime) -> ReadyTask:
    spec = task.task_spec
    props: dict[str, str] = (getattr(spec, "extensions", None) or {}).get("properties", {})
    lane = getattr(spec, "lane", None)
    roles = [r.strip() for r in props.get("candidateRoles", "").split(",") if r.strip()]
    if lane and lane not in roles:
        roles.insert(0, lane)
    return ReadyTask(
        task_id=str(task.id),
        element_id=_element_id(task),
        name=str(getattr(spec, "bpmn_name", None) or _element_id(task)),
        lane=lane,
        candidate_roles=tuple(roles),
        form_id=_form_id(props),
        due_at=_due_at(task, props.get("dueIn"), now),
        assignee=_assignee(task, props.get("assignTo")),
        data=task.data,
    )


def _form_id(props: dict[str, str]) -> str | None:
    name = props.get("formJsonSchemaFilename")
    if not name:
        return None
    return name.removesuffix(".json").removesuffix(".schema")


def _assignee(task: Any, expression: str | None) -> str | None:
    if not expression:
        return None
    try:
        value = _SCRIPT_ENGINE.evaluate(task, expression)
    except Exception as exc:  # unassigned work stays in the team queue; the validator lints it
        _log.warning("assignTo %r of %s failed: %s", expression, _element_id(task), exc)
        return None
    return value if isinstance(value, str) and value else None


def _due_at(task: Any, expression: str | None, now: datetime) -> datetime | None:
    if not expression:
        return None
    try:
        value = _SCRIPT_ENGINE.evaluate(task, expression)
        if isinstance(value, str) and value.upper().startswith("P"):
            parsed = TimerEventDefinition.parse_iso_duration(value)
            delta: timedelta = TimerEventDefinition.get_timedelta_from_start(parsed, now)
            return now + delta
        if isinstance(value, str):
            return datetime.fromisoformat(TimerEventDefinition.get_datetime(value).isoformat())
    except Exception as exc:  # a bad dueIn must not stop the work; the validator lints it
        _log.warning("dueIn %r of %s failed: %s", expression, _element_id(task), exc)
        return None
    return None
