"""Marshmallow schemas of the JSON API: XCreate for request bodies, XRead for responses."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, fields, pre_dump, pre_load, validate

from engine import EPISODE_STATUSES, PHASES, InstanceView, TaskDetail

INSTANCE_STATUSES = ("running", "waiting", "completed", "error", "suspended", "terminated")
TASK_SCOPES = ("mine", "team", "all")
TASK_STATUSES = ("ready", "completed")


class UtcDateTime(fields.DateTime):
    """ISO 8601 with an offset; a naive value is taken as UTC."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class QuerySchema(Schema):
    """Query arguments where an empty value (`?status=`) means "not given"."""

    @pre_load
    def _drop_empty(self, data: Any, **_kwargs: Any) -> dict[str, Any]:
        return {key: value for key, value in data.items() if value != ""}


# --- errors -----------------------------------------------------------------------------------


class ErrorRead(Schema):
    """Every error response: a code, a sentence and per-field (or FILE:ELEMENT_ID) messages."""

    error = fields.String(metadata={"description": "machine-readable code, e.g. not_found"})
    message = fields.String(metadata={"description": "what went wrong, for people"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "field path or FILE:ELEMENT_ID -> message"},
    )


# --- processes --------------------------------------------------------------------------------


class ProcessRead(Schema):
    """The newest deployed version of a process."""

    process_id = fields.String()
    version = fields.Integer()
    name = fields.String()
    deployed_at = UtcDateTime()


class DeployQuery(QuerySchema):
    """Query arguments of a raw-XML upload."""

    filename = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "file name of a raw XML body (default upload.bpmn/.dmn)"},
    )


class DeployedItemRead(Schema):
    """One process version in a deployment result."""

    process_id = fields.String()
    version = fields.Integer()


class DeploymentRead(Schema):
    """What a deployment created; unchanged processes keep their current version."""

    deployed = fields.List(fields.Nested(DeployedItemRead))
    unchanged = fields.List(fields.Nested(DeployedItemRead))


# --- tasks ------------------------------------------------------------------------------------


class TaskRead(Schema):
    """A row of the inbox."""

    id = fields.String()
    instance_id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    element_id = fields.String()
    name = fields.String()
    lane = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    candidate_roles = fields.List(fields.String())
    due_at = UtcDateTime(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "Ready and past its due date."})
    status = fields.String()


class FormRead(Schema):
    """A task's form: JSON Schema and UI schema."""

    schema = fields.Dict()
    ui_schema = fields.Dict()


class TaskDetailRead(TaskRead):
    """A task with its form and the values to prefill it with."""

    form = fields.Nested(FormRead)
    data = fields.Dict(metadata={"description": "Values to prefill the form with."})
    context = fields.Dict(metadata={"description": "The task's own process data, to show."})

    @pre_dump
    def _flatten(self, detail: TaskDetail, **_kwargs: Any) -> dict[str, Any]:
        return {
            **asdict(detail.task),
            "form": {"schema": detail.schema, "ui_schema": detail.ui_schema},
            "data": detail.data,
            "context": detail.context,
        }


class TaskQuery(QuerySchema):
    """Filters of the task list."""

    scope = fields.String(load_default="mine", validate=validate.OneOf(TASK_SCOPES))
    status = fields.String(load_default="ready", validate=validate.OneOf(TASK_STATUSES))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class AssignCreate(Schema):
    """Whom a supervisor hands a task to."""

    username = fields.String(required=True, validate=validate.Length(min=1))


class CompleteCreate(Schema):
    """The submitted form values."""

    data = fields.Dict(keys=fields.String(), load_default=dict)


# --- instances --------------------------------------------------------------------------------


class TimerRead(Schema):
    """A timer the instance waits for."""

    task_id = fields.String()
    element_id = fields.String()
    due_at = UtcDateTime()


class InstanceErrorRead(Schema):
    """Where and why an instance failed."""

    element_id = fields.String(allow_none=True)
    message = fields.String(allow_none=True)


class InstanceRead(Schema):
    """A process instance with what it waits for."""

    id = fields.Integer()
    process_id = fields.String()
    version = fields.Integer()
    status = fields.String(metadata={"enum": list(INSTANCE_STATUSES)})
    data = fields.Dict()
    ready_tasks = fields.List(fields.Nested(TaskRead))
    waiting_timers = fields.List(fields.Nested(TimerRead))
    error = fields.Nested(InstanceErrorRead, allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()

    @pre_dump
    def _with_error(self, view: InstanceView, **_kwargs: Any) -> dict[str, Any]:
        failed = view.error_element is not None or view.error_message is not None
        error = {"element_id": view.error_element, "message": view.error_message}
        return {**asdict(view), "error": error if failed else None}


class CompleteRead(Schema):
    """The instance after a task was completed."""

    instance = fields.Nested(InstanceRead)


class InstanceCreate(Schema):
    """Start the newest version of a process."""

    process_id = fields.String(required=True, validate=validate.Length(min=1))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class InstanceQuery(QuerySchema):
    """Filters and paging of the instance list."""

    status = fields.String(validate=validate.OneOf(INSTANCE_STATUSES))
    process_id = fields.String(validate=validate.Length(min=1))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class ReasonCreate(Schema):
    """Why a supervisor suspends, resumes or terminates an instance."""

    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class ResumeCreate(ReasonCreate):
    """Why a supervisor resumes an instance, and data corrections for the failed step."""

    corrections = fields.Dict(keys=fields.String(), load_default=dict)


class MessageCreate(Schema):
    """A BPMN message for an instance; correlation picks the catcher by its data."""

    name = fields.String(required=True, validate=validate.Length(min=1))
    payload = fields.Dict(keys=fields.String(), load_default=dict)
    correlation = fields.Dict(keys=fields.String(), load_default=dict)


# --- cases ------------------------------------------------------------------------------------

CASE_STATUSES = EPISODE_STATUSES
CASE_PHASES = PHASES


class CaseCreate(Schema):
    """A referral: the client and why they were referred (the engine checks the fields)."""

    client = fields.Dict(keys=fields.String(), required=True)
    referral = fields.Dict(keys=fields.String(), required=True)


class CaseOpenedRead(Schema):
    """What opening a case returns."""

    id = fields.Integer()
    instance_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"enum": list(CASE_STATUSES)})
    phase = fields.String(metadata={"enum": list(CASE_PHASES)})


class CaseRead(CaseOpenedRead):
    """A case: client, status (FHIR EpisodeOfCare), phase, manager and risk tier."""

    client = fields.Dict()
    manager = fields.String(allow_none=True)
    risk_tier = fields.String(allow_none=True)
    opened_at = UtcDateTime()
    closed_at = UtcDateTime(allow_none=True)


class CaseQuery(QuerySchema):
    """Filters and paging for case lists."""

    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    manager = fields.String(validate=validate.Length(min=1))
    name = fields.String(validate=validate.Length(min=1))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class SchedulerRead(Schema):
    """Timers waiting, the next due time, and how late the latest firings were."""

    pending = fields.Integer()
    next_due = UtcDateTime(allow_none=True)
    recent_firings = fields.Integer(metadata={"description": "Firings the lateness covers."})
    lateness_ms = fields.Dict(
        keys=fields.String(),
        values=fields.Float(allow_none=True),
        metadata={"description": "p50, p99 and max, in milliseconds."},
    )
    schedulers = fields.List(fields.String(), metadata={"description": "Running schedulers."})
