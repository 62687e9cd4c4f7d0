"""Closure reasons, and goals achieved at closure, for the cases closed in the period.

Closure reasons: the cases closed (care_case.closed_at) in the period, counted per
closure_reason (goals_met, client_declined, unable_to_contact, moved, transferred, deceased,
other; "unrecorded" when the case closed without a reason), with each reason's share.

Goals at closure: the same closed cases' current plan goals (case_goal rows still active);
a goal counts as achieved when its latest achievement is "achieved". Per closure reason and
for all: cases with goals, goals, goals achieved and the % achieved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.persistence.tables import CareCase, CaseGoal
from engine.services.reports.filters import ReportFilter, in_period, team_members
from engine.services.reports.shapes import Report, Table, count, label, stat
from engine.services.reports.stats import pct

REASONS = (
    "goals_met",
    "client_declined",
    "unable_to_contact",
    "moved",
    "transferred",
    "deceased",
    "other",
)
UNRECORDED = "unrecorded"
CLOSURES = "closures"
CLOSURES_TITLE = "Closure reasons"
CLOSURES_DEFINITION = "Cases closed in the period, per closure reason."
GOALS = "goals"
GOALS_TITLE = "Goals achieved at closure"
GOALS_DEFINITION = (
    "Goals of the plans of the cases closed in the period whose latest progress is "
    "'achieved', out of all their goals, per closure reason."
)


def closed_in(report_filter: ReportFilter) -> list[Any]:
    """Conditions: closed in the period (and managed by the team)."""
    conditions = [in_period(CareCase.closed_at, report_filter)]
    if report_filter.team:
        conditions.append(CareCase.manager.in_(team_members(report_filter.team)))
    return conditions


def _ordered(found: dict[str, Any]) -> list[str]:
    extra = sorted(k for k in found if k not in REASONS)
    return [*REASONS, *extra]


def closure_reasons(session: Session, report_filter: ReportFilter, now: datetime) -> Report:
    """The closure reasons report."""
    reason = func.coalesce(CareCase.closure_reason, UNRECORDED)
    found = {
        str(r): int(n)
        for r, n in session.execute(
            select(reason, func.count()).where(*closed_in(report_filter)).group_by(reason)
        ).all()
    }
    closed = sum(found.values())
    rows = [
        {
            "reason": r,
            "closed": closed,
            "cases": found.get(r, 0),
            "pct": pct(found.get(r, 0), closed),
        }
        for r in _ordered(found)
    ]
    table = Table(
        "reasons",
        "Cases closed per reason",
        (
            label("reason", "Closure reason"),
            count("cases", "Cases"),
            count("closed", "All closed"),
            stat("pct", "% of closed", "closed", "cases", unit="%"),
        ),
        tuple(rows),
    )
    return Report(CLOSURES, CLOSURES_TITLE, CLOSURES_DEFINITION, report_filter, now, (table,))


def goals_at_closure(session: Session, report_filter: ReportFilter, now: datetime) -> Report:
    """The goals-at-closure report."""
    reason = func.coalesce(CareCase.closure_reason, UNRECORDED)
    achieved = func.sum(case((CaseGoal.achievement == "achieved", 1), else_=0))
    found = {
        str(r): (int(c), int(g), int(a or 0))
        for r, c, g, a in session.execute(
            select(reason, func.count(func.distinct(CareCase.id)), func.count(), achieved)
            .join(CaseGoal, CaseGoal.case_id == CareCase.id)
            .where(*closed_in(report_filter), CaseGoal.active.is_(True))
            .group_by(reason)
        ).all()
    }
    rows = [_goal_row(r, *found[r]) for r in _ordered(found) if r in found]
    if rows:
        rows.append(_goal_row("all", *(sum(v[i] for v in found.values()) for i in range(3))))
    table = Table(
        "goals",
        "Goals achieved per closure reason",
        (
            label("reason", "Closure reason"),
            count("cases", "Cases"),
            count("goals", "Goals"),
            count("achieved", "Achieved"),
            stat("achieved_pct", "% achieved", "cases", "achieved", unit="%"),
        ),
        tuple(rows),
    )
    return Report(GOALS, GOALS_TITLE, GOALS_DEFINITION, report_filter, now, (table,))


def _goal_row(reason: str, cases: int, goals: int, achieved: int) -> dict[str, Any]:
    return {
        "reason": reason,
        "cases": cases,
        "goals": goals,
        "achieved": achieved,
        "achieved_pct": pct(achieved, goals),
    }
