"""Marshmallow schemas of the monitor API: instance filters, incidents, retries, detail, heatmap."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC
from typing import Any
from urllib.parse import urlencode

from flask import request
from marshmallow import Schema, fields, pre_dump, validate

from engine import PHASES
from engine.services.monitor_views import InstanceDetail, InstanceFilter
from web.api.schemas import (
    INSTANCE_STATUSES,
    InstanceRead,
    QuerySchema,
    TaskRead,
    TimerRead,
    UtcDateTime,
)

RISK_TIERS = ("low", "moderate", "high")
FILTER_FIELDS = (
    "status",
    "phase",
    "process_id",
    "version",
    "manager",
    "risk_tier",
    "overdue",
    "opened_from",
    "opened_to",
)


class InstanceFilterQuery(QuerySchema):
    """Filters of the instance list and counts (every one optional)."""

    status = fields.String(validate=validate.OneOf(INSTANCE_STATUSES))
    phase = fields.String(validate=validate.OneOf(PHASES))
    process_id = fields.String(validate=validate.Length(min=1, max=200))
    version = fields.Integer(validate=validate.Range(min=1))
    manager = fields.String(
        validate=validate.Length(min=1, max=80), metadata={"description": "case manager username"}
    )
    risk_tier = fields.String(validate=validate.OneOf(RISK_TIERS))
    overdue = fields.Boolean(
        load_default=False, metadata={"description": "only instances with an overdue ready task"}
    )
    opened_from = fields.AwareDateTime(
        default_timezone=UTC, metadata={"description": "created at or after (ISO 8601)"}
    )
    opened_to = fields.AwareDateTime(
        default_timezone=UTC, metadata={"description": "created before (ISO 8601)"}
    )


class InstanceListQuery(InstanceFilterQuery):
    """Filters and paging of the instance list (X-Total-Count and Link headers tell the rest)."""

    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


def to_filter(args: dict[str, Any]) -> InstanceFilter:
    """The engine filter of parsed query arguments."""
    return InstanceFilter(**{k: args[k] for k in FILTER_FIELDS if k in args})


class CountsRead(Schema):
    """Instances per status for the filter (its status filter ignored), and their sum."""

    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer()


class RetryCreate(Schema):
    """Why a supervisor retries an instance's failed step, and data corrections."""

    reason = fields.String(required=True, validate=validate.Length(max=2000))
    corrections = fields.Dict(keys=fields.String(), load_default=dict)


class BulkRetryCreate(Schema):
    """Which failed instances to retry, and why."""

    instance_ids = fields.List(
        fields.Integer(), required=True, validate=validate.Length(min=1, max=500)
    )
    reason = fields.String(required=True, validate=validate.Length(max=2000))


class RetryOutcomeRead(Schema):
    """What retrying one instance did."""

    instance_id = fields.Integer()
    ok = fields.Boolean()
    status = fields.String(allow_none=True)
    error = fields.String(allow_none=True, metadata={"description": "why it failed again"})


class ReasonRequired(Schema):
    """Why a supervisor acts on an instance (required)."""

    reason = fields.String(required=True, validate=validate.Length(max=2000))


class ReassignCreate(ReasonRequired):
    """Whom a supervisor hands a task to, and why."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=80))


class IncidentRead(Schema):
    """An instance in error."""

    instance_id = fields.Integer()
    process_id = fields.String()
    version = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    client_name = fields.String(allow_none=True)
    element_id = fields.String(allow_none=True)
    message = fields.String(allow_none=True)
    failed_at = UtcDateTime()


class AuditRead(Schema):
    """One audit event of an instance."""

    id = fields.Integer()
    at = UtcDateTime()
    actor = fields.String()
    action = fields.String()
    element_id = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    detail = fields.Dict()


class CaseSummaryRead(Schema):
    """The instance's case."""

    id = fields.Integer()
    client_name = fields.String()
    phase = fields.String()
    status = fields.String()
    manager = fields.String(allow_none=True)
    risk_tier = fields.String(allow_none=True)


class DiagramRead(Schema):
    """One BPMN file of the process version."""

    file = fields.String()
    processes = fields.List(fields.String())
    drawable = fields.Boolean(metadata={"description": "has a BPMN DI drawing"})
    xml = fields.String()


class InstanceDetailRead(Schema):
    """An instance with its case, audit trail and element states per BPMN file."""

    instance = fields.Nested(InstanceRead)
    case = fields.Nested(CaseSummaryRead, allow_none=True)
    ready_tasks = fields.List(fields.Nested(TaskRead))
    waiting_timers = fields.List(fields.Nested(TimerRead))
    audit = fields.List(fields.Nested(AuditRead), metadata={"description": "newest first"})
    element_states = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.String()),
        metadata={"description": "file -> element id -> completed|active|waiting|failed"},
    )
    current_diagram = fields.String(allow_none=True)
    diagrams = fields.List(fields.Nested(DiagramRead))

    @pre_dump
    def _plain(self, detail: InstanceDetail, **_kwargs: Any) -> dict[str, Any]:
        data = asdict(detail)
        data["instance"] = detail.instance
        return data


class HeatCellRead(Schema):
    """One element of the heatmap."""

    element_id = fields.String()
    name = fields.String()
    waiting_now = fields.Integer()
    avg_dwell_seconds = fields.Float(allow_none=True)
    samples = fields.Integer(metadata={"description": "finished visits the average is over"})


class HeatmapQuery(QuerySchema):
    """Over how many days of finished visits the average dwell is taken."""

    dwell_days = fields.Integer(load_default=90, validate=validate.Range(min=1, max=3660))


class HeatmapRead(Schema):
    """Per element of a process version: instances there now and average dwell."""

    process_id = fields.String()
    version = fields.Integer()
    dwell_since = UtcDateTime(metadata={"description": "dwell averages visits ended since"})
    cells = fields.List(fields.Nested(HeatCellRead))
    current_diagram = fields.String(allow_none=True)
    diagrams = fields.List(fields.Nested(DiagramRead))


PAGING_HEADERS = {
    "X-Total-Count": {
        "description": "how many instances match the filters",
        "schema": {"type": "integer"},
    },
    "Link": {
        "description": "RFC 8288 links to the first, previous, next and last pages",
        "schema": {"type": "string"},
    },
}


def paging_headers(total: int, limit: int, offset: int) -> dict[str, str]:
    """X-Total-Count and a Link header (first, prev, next, last) for the current request."""
    links = {"first": 0, "last": max(0, (total - 1) // limit * limit)}
    if offset > 0:
        links["prev"] = max(0, offset - limit)
    if offset + limit < total:
        links["next"] = offset + limit
    parts = [f'<{_page_url(limit, at)}>; rel="{rel}"' for rel, at in links.items()]
    return {"X-Total-Count": str(total), "Link": ", ".join(parts)}


def _page_url(limit: int, offset: int) -> str:
    args = request.args.to_dict()
    args.update(limit=str(limit), offset=str(offset))
    return f"{request.base_url}?{urlencode(args)}"
