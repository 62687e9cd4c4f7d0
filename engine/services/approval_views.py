"""What a supervisor reads before deciding: the plan or closure summary of an approval task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.persistence.tables import CareCase, HumanTask
from engine.services.case_milestones import plan_cost
from engine.services.views import InstanceView

KINDS = {"plan_approval": "plan", "closure_approval": "closure"}
DECISIONS = ("approve", "return")


@dataclass(frozen=True)
class PlanSummary:
    """The proposed service plan: problems, goals, interventions (with cost) and referrals."""

    problems: list[str]
    goals: list[dict[str, Any]]
    interventions: list[dict[str, Any]]
    total_cost: float
    referrals: list[dict[str, Any]]
    client_agrees: bool | None = None
    client_choice: str | None = None


@dataclass(frozen=True)
class ClosureSummary:
    """The proposed closure: reason and transition plan."""

    reason: str | None
    reason_other: str | None
    transition_plan: str | None


@dataclass(frozen=True)
class ApprovalItem:
    """One plan or closure waiting for a supervisor's decision."""

    task_id: str
    instance_id: int
    case_id: int
    client_name: str
    manager: str | None
    kind: str
    task_name: str
    risk_tier: str | None
    waiting_since: datetime
    due_at: datetime | None
    overdue: bool
    assignee: str | None
    instance_status: str
    plan: PlanSummary | None = None
    closure: ClosureSummary | None = None


@dataclass(frozen=True)
class ApprovalDecision:
    """A decision taken: what was decided, with which comments, and the instance after it."""

    task_id: str
    case_id: int | None
    kind: str
    decision: str
    comments: str | None
    instance: InstanceView


def approval_item(
    task: HumanTask, case: CareCase, data: dict[str, Any], instance_status: str, now: datetime
) -> ApprovalItem:
    """The queue entry of an approval task, its summary read from the instance's data."""
    kind = KINDS.get(task.element_id, "plan")
    return ApprovalItem(
        task_id=task.id,
        instance_id=task.instance_id,
        case_id=case.id,
        client_name=case.client_name,
        manager=case.manager,
        kind=kind,
        task_name=task.name,
        risk_tier=case.risk_tier,
        waiting_since=task.created_at,
        due_at=task.due_at,
        overdue=bool(task.due_at and task.due_at < now),
        assignee=task.assignee,
        instance_status=instance_status,
        plan=plan_summary(data, case) if kind == "plan" else None,
        closure=closure_summary(data, case) if kind == "closure" else None,
    )


def plan_summary(data: dict[str, Any], case: CareCase) -> PlanSummary:
    """The plan under review: the planning form's values, else the case's current plan."""
    stored = case.plan or {}
    interventions = _dicts(_pick(data, stored, "interventions"))
    return PlanSummary(
        problems=[str(p) for p in _pick(data, stored, "problems") if p],
        goals=_dicts(_pick(data, stored, "goals")),
        interventions=interventions,
        total_cost=plan_cost({"interventions": interventions}),
        referrals=_dicts(_pick(data, stored, "referrals")),
        client_agrees=data.get("client_agrees")
        if isinstance(data.get("client_agrees"), bool)
        else None,
        client_choice=_text(data.get("client_choice")),
    )


def closure_summary(data: dict[str, Any], case: CareCase) -> ClosureSummary:
    """The closure under review: reason (or the case's recorded one) and transition plan."""
    return ClosureSummary(
        reason=_text(data.get("closure_reason")) or case.closure_reason,
        reason_other=_text(data.get("closure_reason_other")),
        transition_plan=_text(data.get("transition_plan")),
    )


def _pick(data: dict[str, Any], stored: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        value = stored.get(key)
    return value if isinstance(value, list) else []


def _dicts(items: list[Any]) -> list[dict[str, Any]]:
    return [dict(item) for item in items if isinstance(item, dict)]


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value.strip() else None
