"""Counting caseloads from the read models: open cases, open and overdue tasks, risk mix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.persistence.tables import CareCase, HumanTask, User
from engine.services.case_projection import OPEN_STATUSES
from engine.services.caseload_team import Scope, case_managers

RISK_TIERS = ("high", "moderate", "low", "unknown")


@dataclass(frozen=True)
class ManagerLoad:
    """One case manager's open cases, open and overdue tasks, and risk mix."""

    username: str
    display_name: str
    active: bool
    open_cases: int
    open_tasks: int
    overdue_tasks: int
    risk: dict[str, int]


@dataclass(frozen=True)
class CaseloadOverview:
    """Every case manager a supervisor oversees, with totals."""

    team: str | None
    managers: list[ManagerLoad]
    totals: ManagerLoad


def overview_of(session: Session, scope: Scope, now: datetime) -> CaseloadOverview:
    """The scope's case managers: active ones, and inactive ones still holding open work."""
    people = case_managers(session, scope, active_only=False)
    names = [u.username for u in people]
    risk = _risk_mix(session, names)
    tasks = _task_counts(session, names, now)
    loads = [_load(u, risk.get(u.username, {}), tasks.get(u.username, (0, 0))) for u in people]
    shown = [m for m in loads if m.active or m.open_cases or m.open_tasks]
    return CaseloadOverview(scope.team, shown, _totals(shown))


def open_counts(session: Session, names: list[str]) -> list[tuple[str, int]]:
    """Open cases per manager among names."""
    query = (
        select(CareCase.manager, func.count())
        .where(CareCase.manager.in_(names), CareCase.status.in_(OPEN_STATUSES))
        .group_by(CareCase.manager)
    )
    return [(str(name), int(count)) for name, count in session.execute(query)]


def _risk_mix(session: Session, names: list[str]) -> dict[str, dict[str, int]]:
    query = (
        select(CareCase.manager, CareCase.risk_tier, func.count())
        .where(CareCase.manager.in_(names), CareCase.status.in_(OPEN_STATUSES))
        .group_by(CareCase.manager, CareCase.risk_tier)
    )
    mix: dict[str, dict[str, int]] = {}
    for manager, tier, count in session.execute(query):
        key = tier if tier in RISK_TIERS else "unknown"
        per = mix.setdefault(str(manager), {})
        per[key] = per.get(key, 0) + int(count)
    return mix


def _task_counts(session: Session, names: list[str], now: datetime) -> dict[str, tuple[int, int]]:
    overdue = func.sum(case((HumanTask.due_at < now, 1), else_=0))
    query = (
        select(HumanTask.assignee, func.count(), overdue)
        .where(HumanTask.status == "ready", HumanTask.assignee.in_(names))
        .group_by(HumanTask.assignee)
    )
    return {str(a): (int(n), int(late or 0)) for a, n, late in session.execute(query)}


def _load(user: User, risk: dict[str, int], tasks: tuple[int, int]) -> ManagerLoad:
    mix = {tier: risk.get(tier, 0) for tier in RISK_TIERS}
    return ManagerLoad(
        username=user.username,
        display_name=user.display_name or user.username,
        active=bool(user.active),
        open_cases=sum(mix.values()),
        open_tasks=tasks[0],
        overdue_tasks=tasks[1],
        risk=mix,
    )


def _totals(loads: list[ManagerLoad]) -> ManagerLoad:
    return ManagerLoad(
        username="",
        display_name="All case managers",
        active=True,
        open_cases=sum(m.open_cases for m in loads),
        open_tasks=sum(m.open_tasks for m in loads),
        overdue_tasks=sum(m.overdue_tasks for m in loads),
        risk={tier: sum(m.risk[tier] for m in loads) for tier in RISK_TIERS},
    )


@dataclass(frozen=True)
class ManagedCase:
    """One open case of a manager's caseload, as the caseloads page lists it."""

    case_id: int
    client_name: str
    status: str
    phase: str
    risk_tier: str | None
    opened_at: datetime


def open_cases_of(session: Session, manager: str, limit: int) -> list[ManagedCase]:
    """A manager's open cases, highest risk first, then oldest first."""
    risk_order = case(
        (CareCase.risk_tier == "high", 0),
        (CareCase.risk_tier == "moderate", 1),
        (CareCase.risk_tier == "low", 2),
        else_=3,
    )
    query = (
        select(CareCase)
        .where(CareCase.manager == manager, CareCase.status.in_(OPEN_STATUSES))
        .order_by(risk_order, CareCase.opened_at, CareCase.id)
        .limit(limit)
    )
    return [
        ManagedCase(c.id, c.client_name, c.status, c.phase, c.risk_tier, c.opened_at)
        for c in session.scalars(query)
    ]
