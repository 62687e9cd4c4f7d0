"""JSON API of the supervisor's console: the approvals queue and caseloads."""

from __future__ import annotations

from typing import Any

from engine.services.approval_views import ApprovalDecision, ApprovalItem
from engine.services.caseload_counts import CaseloadOverview
from engine.services.caseload_moves import Reassignment
from engine.services.caseloads import BulkReassignment
from web.api.base import make_blueprint
from web.api.supervision_schemas import (
    ApprovalDecisionCreate,
    ApprovalDecisionRead,
    ApprovalRead,
    CaseloadBulkReassignCreate,
    CaseloadBulkReassignmentRead,
    CaseloadOverviewRead,
    CaseReassignCreate,
    CaseReassignmentRead,
)
from web.context import current_actor, current_engine

bp = make_blueprint(
    "supervision_api", "", "Supervisor's console: supervision (supervisors and admins)."
)


@bp.route("/approvals", methods=["GET"])
@bp.response(200, ApprovalRead(many=True))
def list_approvals() -> list[ApprovalItem]:
    """Plans and closures waiting for my team's decision (and any assigned to me)."""
    return current_engine().approvals.queue(current_actor())


@bp.route("/approvals/<task_id>", methods=["POST"])
@bp.arguments(ApprovalDecisionCreate)
@bp.response(200, ApprovalDecisionRead)
@bp.alt_response(422, description="comments missing when returning; errors by field")
@bp.alt_response(409, description="the task is claimed by another supervisor or not ready")
def decide(body: dict[str, Any], task_id: str) -> ApprovalDecision:
    """Approve, or return with comments; claims the task first when nobody holds it."""
    return current_engine().approvals.decide(
        task_id, current_actor(), body["decision"], body.get("comments")
    )


@bp.route("/caseloads", methods=["GET"])
@bp.response(200, CaseloadOverviewRead)
def caseloads() -> CaseloadOverview:
    """Open cases, open and overdue tasks and risk mix per case manager of my team."""
    return current_engine().caseloads.overview(current_actor())


@bp.route("/cases/<int:case_id>/reassign", methods=["POST"])
@bp.arguments(CaseReassignCreate)
@bp.response(200, CaseReassignmentRead)
@bp.alt_response(409, description="the case's workflow is completed or terminated")
def reassign(body: dict[str, Any], case_id: int) -> Reassignment:
    """Move one case (its workflow and its manager's ready tasks) to another case manager."""
    return current_engine().caseloads.reassign(
        case_id, body["manager"], body["reason"], current_actor()
    )


@bp.route("/caseloads/reassign", methods=["POST"])
@bp.arguments(CaseloadBulkReassignCreate)
@bp.response(200, CaseloadBulkReassignmentRead)
def reassign_all(body: dict[str, Any]) -> BulkReassignment:
    """Spread a departing manager's cases over others; each case its own audited move."""
    return current_engine().caseloads.reassign_all(
        body["from_manager"],
        body["to_managers"],
        body["reason"],
        current_actor(),
        deactivate=body["deactivate"],
    )
