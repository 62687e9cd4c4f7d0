"""Marshmallow schemas of the supervision API: approvals and caseloads."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.api.schemas import InstanceRead, UtcDateTime

DECISIONS = ("approve", "return")


class ApprovalPlanRead(Schema):
    """The plan under review."""

    problems = fields.List(fields.String())
    goals = fields.List(fields.Dict())
    interventions = fields.List(fields.Dict())
    total_cost = fields.Float(metadata={"description": "Sum of the interventions' estimates."})
    referrals = fields.List(fields.Dict())
    client_agrees = fields.Boolean(allow_none=True)
    client_choice = fields.String(allow_none=True)


class ApprovalClosureRead(Schema):
    """The closure under review."""

    reason = fields.String(allow_none=True)
    reason_other = fields.String(allow_none=True)
    transition_plan = fields.String(allow_none=True)


class ApprovalRead(Schema):
    """A plan or closure waiting for a supervisor."""

    task_id = fields.String()
    instance_id = fields.Integer()
    case_id = fields.Integer()
    client_name = fields.String()
    manager = fields.String(allow_none=True)
    kind = fields.String(metadata={"enum": ["plan", "closure"]})
    task_name = fields.String()
    risk_tier = fields.String(allow_none=True)
    waiting_since = UtcDateTime()
    due_at = UtcDateTime(allow_none=True)
    overdue = fields.Boolean()
    assignee = fields.String(allow_none=True)
    instance_status = fields.String()
    plan = fields.Nested(ApprovalPlanRead, allow_none=True)
    closure = fields.Nested(ApprovalClosureRead, allow_none=True)


class ApprovalDecisionCreate(Schema):
    """Approve, or return with comments (required when returning)."""

    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    comments = fields.String(load_default=None, allow_none=True)


class ApprovalDecisionRead(Schema):
    """The decision taken and the instance after it."""

    task_id = fields.String()
    case_id = fields.Integer(allow_none=True)
    kind = fields.String()
    decision = fields.String()
    comments = fields.String(allow_none=True)
    instance = fields.Nested(InstanceRead)


class CaseloadManagerRead(Schema):
    """One case manager's load."""

    username = fields.String()
    display_name = fields.String()
    active = fields.Boolean()
    open_cases = fields.Integer()
    open_tasks = fields.Integer()
    overdue_tasks = fields.Integer()
    risk = fields.Dict(keys=fields.String(), values=fields.Integer())


class CaseloadTotalsRead(Schema):
    """The team's totals."""

    open_cases = fields.Integer()
    open_tasks = fields.Integer()
    overdue_tasks = fields.Integer()
    risk = fields.Dict(keys=fields.String(), values=fields.Integer())


class CaseloadOverviewRead(Schema):
    """Every case manager a supervisor oversees, with totals."""

    team = fields.String(allow_none=True)
    managers = fields.List(fields.Nested(CaseloadManagerRead))
    totals = fields.Nested(CaseloadTotalsRead)


class CaseReassignCreate(Schema):
    """Whom to move one case to, and why."""

    manager = fields.String(required=True, validate=validate.Length(min=1, max=80))
    reason = fields.String(required=True, validate=validate.Length(max=2000))


class CaseReassignmentRead(Schema):
    """A case moved, with the ready tasks that moved with it."""

    case_id = fields.Integer()
    client_name = fields.String()
    from_manager = fields.String(allow_none=True)
    to_manager = fields.String()
    moved_task_ids = fields.List(fields.String())


class CaseloadBulkReassignCreate(Schema):
    """Move a departing manager's cases to one or several others."""

    from_manager = fields.String(required=True, validate=validate.Length(min=1, max=80))
    to_managers = fields.List(fields.String(validate=validate.Length(min=1, max=80)), required=True)
    reason = fields.String(required=True, validate=validate.Length(max=2000))
    deactivate = fields.Boolean(load_default=False)


class CaseMoveFailureRead(Schema):
    """A case that did not move, and why."""

    case_id = fields.Integer()
    message = fields.String()


class CaseloadBulkReassignmentRead(Schema):
    """Per case: moved or failed; whether the departing user was deactivated."""

    from_manager = fields.String()
    moved = fields.List(fields.Nested(CaseReassignmentRead))
    failed = fields.List(fields.Nested(CaseMoveFailureRead))
    deactivated = fields.Boolean()
