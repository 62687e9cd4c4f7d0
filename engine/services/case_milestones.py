"""Case milestones and agency referrals in the read model (what the reports count on)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.persistence.tables import CareCase, CaseReferral

CLOSED_REFERRAL_STATUSES = ("responded", "refused", "closed")


def project_milestones(
    session: Session,
    case: CareCase,
    data: dict[str, Any],
    submitted: dict[str, Any] | None,
    now: datetime,
) -> None:
    """Stamp first contact and plan approval once; keep satisfaction, cost and referrals current."""
    submitted = submitted or {}
    if case.first_contact_at is None and submitted.get("reached") is True:
        case.first_contact_at = now
    satisfaction = submitted.get("satisfaction")
    if isinstance(satisfaction, int) and not isinstance(satisfaction, bool):
        case.satisfaction = satisfaction
    plan = data.get("plan")
    if isinstance(plan, dict):
        case.cost_estimate = plan_cost(plan)
        if plan.get("approved_at") and case.plan_approved_at is None:
            case.plan_approved_at = now
        if plan.get("approved_at"):
            _project_referrals(session, case, plan, data.get("referral_results"), now)
    if case.status in ("finished", "cancelled"):
        _close_open_referrals(session, case.id, now)


def plan_cost(plan: dict[str, Any]) -> float:
    """The sum of the plan's intervention cost estimates (missing or bad values count 0)."""
    total = 0.0
    for item in plan.get("interventions") or []:
        cost = item.get("estimated_cost") if isinstance(item, dict) else None
        if isinstance(cost, int | float) and not isinstance(cost, bool) and cost > 0:
            total += float(cost)
    return total


def record_agency_response(
    session: Session, case_id: int | None, correlation: dict[str, Any], now: datetime
) -> None:
    """An agency answered: its referral is no longer open."""
    key = correlation.get("referral.id")
    if case_id is None or key is None:
        return
    row = _referral_rows(session, case_id).get(str(key)[:80])
    if row is not None and row.status == "open":
        row.status, row.status_at = "responded", now


def _project_referrals(
    session: Session, case: CareCase, plan: dict[str, Any], results: Any, now: datetime
) -> None:
    rows = _referral_rows(session, case.id)
    for item in plan.get("referrals") or []:
        if not isinstance(item, dict) or not item.get("id"):
            continue
        key = str(item["id"])[:80]
        if key not in rows:
            rows[key] = CaseReferral(
                case_id=case.id,
                referral_key=key,
                agency=str(item.get("agency") or "")[:200],
                agency_type=item.get("agency_type"),
                status="open",
                opened_at=now,
                status_at=now,
            )
            session.add(rows[key])
    for result in results if isinstance(results, list) else []:
        row = rows.get(str(result.get("id"))[:80]) if isinstance(result, dict) else None
        status = result.get("status") if isinstance(result, dict) else None
        if row is not None and row.status == "open" and status in ("responded", "refused"):
            row.status, row.status_at = str(status), now


def _close_open_referrals(session: Session, case_id: int, now: datetime) -> None:
    for row in _referral_rows(session, case_id).values():
        if row.status == "open":
            row.status, row.status_at = "closed", now


def _referral_rows(session: Session, case_id: int) -> dict[str, CaseReferral]:
    rows = session.scalars(select(CaseReferral).where(CaseReferral.case_id == case_id))
    return {row.referral_key: row for row in rows}
