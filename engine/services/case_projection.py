"""Keep a case row in step with its workflow's data (the keys processes/README.md lists)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.identity import Actor
from engine.persistence.tables import (
    CareCase,
    CaseGoal,
    CaseScore,
    HumanTask,
    ProcessInstance,
    User,
)
from engine.services.case_milestones import project_milestones
from engine.services.score_trends import note_score

PHASES = (
    "intake",
    "assessment",
    "planning",
    "implementation",
    "monitoring",
    "evaluation",
    "closure",
    "closed",
)
EPISODE_STATUSES = (
    "planned",
    "waitlist",
    "active",
    "onhold",
    "finished",
    "cancelled",
    "entered-in-error",
)
OPEN_STATUSES = ("planned", "waitlist", "active", "onhold")
INSTRUMENT_KEYS = ("phq9", "gad7", "auditc", "ahc")
_INSTANCE_OVERLAY = {"suspended": "onhold", "terminated": "cancelled"}


def project(
    session: Session,
    instance: ProcessInstance,
    data: dict[str, Any],
    now: datetime,
    submitted: dict[str, Any] | None,
) -> None:
    """Copy the workflow's case keys into its case row, goals and score history."""
    case = session.get(CareCase, instance.case_id) if instance.case_id else None
    if case is None:
        return
    _project_fields(case, data, instance.status, now)
    _project_goals(session, case, data, now)
    project_milestones(session, case, data, submitted, now)
    measured = [key for key in INSTRUMENT_KEYS if submitted and key in submitted]
    if measured:
        _record_scores(session, case, data.get("scores") or {}, measured, now)
    case.updated_at = now


def _project_fields(
    case: CareCase, data: dict[str, Any], instance_status: str, now: datetime
) -> None:
    if data.get("phase") in PHASES:
        case.phase = data["phase"]
    status = data.get("case_status")
    if status in EPISODE_STATUSES:
        case.status = status
    case.status = _INSTANCE_OVERLAY.get(instance_status, case.status)
    if data.get("case_manager"):
        case.manager = str(data["case_manager"])
    if data.get("risk_tier") in ("low", "moderate", "high"):
        case.risk_tier = data["risk_tier"]
    if isinstance(data.get("consents"), list):
        case.consents = data["consents"]
    if isinstance(data.get("plan"), dict):
        case.plan = {k: v for k, v in data["plan"].items() if k != "goals"}
    if isinstance(data.get("scores"), dict) and data["scores"]:
        case.scores = data["scores"]
    if isinstance(data.get("baseline_scores"), dict):
        case.baseline_scores = data["baseline_scores"]
    closure = data.get("closure")
    if isinstance(closure, dict) and closure.get("reason"):
        case.closure_reason = str(closure["reason"])
    if case.status in ("finished", "cancelled") and case.closed_at is None:
        case.closed_at = now


def _project_goals(session: Session, case: CareCase, data: dict[str, Any], now: datetime) -> None:
    plan = data.get("plan")
    goals = plan.get("goals") if isinstance(plan, dict) else None
    if not isinstance(goals, list):
        return
    progress = data.get("goal_progress") or {}
    existing = {
        g.goal_key: g for g in session.scalars(select(CaseGoal).where(CaseGoal.case_id == case.id))
    }
    current = set()
    for goal in goals:
        key = str(goal.get("id") or goal.get("description", ""))[:80]
        current.add(key)
        row = existing.get(key)
        if row is None:
            row = CaseGoal(case_id=case.id, goal_key=key, updated_at=now)
            session.add(row)
        row.description = str(goal.get("description", ""))
        row.target_date = goal.get("target_date")
        row.measure = goal.get("measure")
        row.active = True
        latest = progress.get(key) or {}
        if latest:
            row.achievement = latest.get("achievement")
            row.progress_note = latest.get("note")
            row.progress_at = latest.get("at")
        row.updated_at = now
    for key, row in existing.items():
        if key not in current:
            row.active = False


def _record_scores(
    session: Session, case: CareCase, scores: dict[str, Any], measured: list[str], now: datetime
) -> None:
    """One score row per instrument administered in this submission."""
    for instrument in measured:
        value = scores.get(instrument)
        if not isinstance(value, dict):
            continue
        total = value.get("total", value.get("safety_score"))
        band = value.get("band")
        if band is None and "positive" in value:
            band = "positive" if value["positive"] else "negative"
        number = int(total) if isinstance(total, int | float) else None
        session.add(
            CaseScore(
                case_id=case.id,
                instrument=instrument,
                total=number,
                band=band,
                detail=value,
                recorded_at=now,
            )
        )
        note_score(session, case.id, instrument, number, now)


def lowest_caseload(session: Session) -> str | None:
    """The active case manager with the fewest open cases (ties: alphabetical)."""
    managers = [
        u.username
        for u in session.scalars(select(User).where(User.active.is_(True)))
        if "case_manager" in u.roles
    ]
    if not managers:
        return None
    counts = dict(
        session.execute(
            select(CareCase.manager, func.count())
            .where(CareCase.manager.in_(managers), CareCase.status.in_(OPEN_STATUSES))
            .group_by(CareCase.manager)
        ).all()
    )
    return min(sorted(managers), key=lambda name: counts.get(name, 0))


def may_see(session: Session, case: CareCase, actor: Actor) -> bool:
    """Minimum necessary: supervisors see all; others their own cases or cases they work on."""
    if actor.has("supervisor"):
        return True
    if case.manager == actor.username or case.opened_by == actor.username:
        return True
    if "intake" in actor.roles and case.phase == "intake":
        return True
    worked = session.scalar(
        select(func.count())
        .select_from(HumanTask)
        .where(
            HumanTask.case_id == case.id,
            (HumanTask.assignee == actor.username) | (HumanTask.completed_by == actor.username),
        )
    )
    return bool(worked)
