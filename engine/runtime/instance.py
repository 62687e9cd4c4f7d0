"""One running workflow: start, run until it waits, complete tasks, deliver messages."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.clock import Clock
from engine.runtime import timeclock
from engine.runtime.care_helpers import Directory, directory_bound
from engine.runtime.human_tasks import SCRIPT_ENGINE, ReadyTask, element_id, ready_task
from engine.runtime.pruning import prune
from engine.runtime.serializer import SpecBundle, WorkflowCodec
from engine.runtime.timers import (
    TICK,
    FixedClock,
    WaitingTimer,
    all_definitions,
    realign_cycles,
    waiting_timers,
)

__all__ = ["ReadyTask", "RunningInstance", "StepFailure", "WaitingMessage", "WaitingTimer"]

_SCRIPT_ENGINE = SCRIPT_ENGINE
MAX_FIRINGS = 10_000


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
        self.fired: list[WaitingTimer] = []
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
        """Fire due timers (in due order), then run engine tasks until the workflow waits."""
        failure = self.fire_due()
        if failure is not None:
            return failure
        return self._engine_steps(self.clock)

    def fire_due(self) -> StepFailure | None:
        """Fire every timer due by now, earliest first, each at its own due time.

        Timers that fell due while nobody ran the instance fire in the order they fell due
        (an escalation due at 10:00 cannot overtake a reminder due at 09:30), and a cycle
        timer that missed several periods fires once and resumes one period from now.
        """
        now = self.clock.now()
        for _ in range(MAX_FIRINGS):
            due = [t for t in waiting_timers(self.workflow) if t.due_at < now]
            if not due:
                return None
            first = due[0].due_at
            failure = self._engine_steps(FixedClock(first + TICK))
            self.fired.extend(t for t in due if t.due_at == first)
            realign_cycles(self.workflow, now)
            if failure is not None:
                return failure
        return None

    def complete(self, task_id: str, values: dict[str, Any]) -> StepFailure | None:
        """Complete a ready human task with values, then run until the workflow waits.

        Timers that fell due before the completion fire first; if one of them took the
        task away (an interrupting escalation), TaskNotReady is raised.
        """
        failure = self.fire_due()
        if failure is not None:
            return failure
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

    def update_data(self, values: dict[str, Any]) -> None:
        """Set process variables on every unfinished task, in every sub-process (no run).

        Data flows forward from live tasks (and a call activity hands its last task's data
        back), so the values reach every task the workflow creates from now on.
        """
        live = TaskState.NOT_FINISHED_MASK | TaskState.ERROR
        for workflow in (self.workflow, *self.workflow.subprocesses.values()):
            for task in list(workflow.tasks.values()):
                if task.state & live:
                    task.data.update(copy.deepcopy(values))

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
        manual = self.workflow.get_tasks(state=TaskState.READY, manual=True)
        return [ready_task(t, now) for t in manual]

    def waiting_timers(self) -> list[WaitingTimer]:
        """Every waiting timer with its due time (also in sub-processes and event gateways)."""
        return waiting_timers(self.workflow)

    def waiting_messages(self) -> list[WaitingMessage]:
        """The messages this workflow would catch now."""
        found: list[WaitingMessage] = []
        for task in list(self.workflow.event_manager.tasks.values()):
            if not task.has_state(TaskState.WAITING):
                continue
            for definition in all_definitions(task.task_spec.event_definition):
                if isinstance(definition, MessageEventDefinition):
                    found.append(WaitingMessage(str(task.id), element_id(task), definition.name))
        return found

    # -- internals ---------------------------------------------------------------

    @contextmanager
    def _bound(self, clock: Clock | None = None) -> Iterator[None]:
        with timeclock.bound(clock or self.clock), directory_bound(self.directory):
            yield

    def _engine_steps(self, clock: Clock) -> StepFailure | None:
        with self._bound(clock):
            try:
                self.workflow.refresh_timers()
                self.workflow.do_engine_steps(will_complete_task=self._remember)
            except WorkflowException as exc:
                return self._failure(exc)
        return None

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
        return StepFailure(str(task.id), element_id(task), f"{message}: {_describe(exc)}")

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
            for definition in all_definitions(task.task_spec.event_definition):
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
