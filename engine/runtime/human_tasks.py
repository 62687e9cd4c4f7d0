"""Human tasks as CareCycle sees them: lane, roles, form, due date and assignee."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.runtime.scripts import script_engine

SCRIPT_ENGINE: PythonScriptEngine = script_engine()
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


def element_id(task: Any) -> str:
    """The BPMN id of a task's element."""
    return str(getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name)


def ready_task(task: Any, now: datetime) -> ReadyTask:
    """The ReadyTask of a ready SpiffWorkflow user task."""
    spec = task.task_spec
    props: dict[str, str] = (getattr(spec, "extensions", None) or {}).get("properties", {})
    lane = getattr(spec, "lane", None)
    roles = [r.strip() for r in props.get("candidateRoles", "").split(",") if r.strip()]
    if lane and lane not in roles:
        roles.insert(0, lane)
    return ReadyTask(
        task_id=str(task.id),
        element_id=element_id(task),
        name=str(getattr(spec, "bpmn_name", None) or element_id(task)),
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
        value = SCRIPT_ENGINE.evaluate(task, expression)
    except Exception as exc:  # unassigned work stays in the team queue; the validator lints it
        _log.warning("assignTo %r of %s failed: %s", expression, element_id(task), exc)
        return None
    return value if isinstance(value, str) and value else None


def _due_at(task: Any, expression: str | None, now: datetime) -> datetime | None:
    if not expression:
        return None
    try:
        value = SCRIPT_ENGINE.evaluate(task, expression)
        if isinstance(value, str) and value.upper().startswith("P"):
            parsed = TimerEventDefinition.parse_iso_duration(value)
            delta: timedelta = TimerEventDefinition.get_timedelta_from_start(parsed, now)
            return now + delta
        if isinstance(value, str):
            return datetime.fromisoformat(TimerEventDefinition.get_datetime(value).isoformat())
    except Exception as exc:  # a bad dueIn must not stop the work; the validator lints it
        _log.warning("dueIn %r of %s failed: %s", expression, element_id(task), exc)
        return None
    return None
