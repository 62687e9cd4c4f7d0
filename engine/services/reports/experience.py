"""Satisfaction and cost per case, over the cases active during the period.

A case is active during the period when it was referred before the period ends and was not
closed before the period starts (opened_at < end and (closed_at is null or closed_at >= start)),
managed by the team when a team is chosen.

Satisfaction: the case's latest satisfaction score (1-5, from monitoring contacts, whenever it
was given), over the active cases that have one: n, mean, and cases per score.

Cost per case: the sum of the estimated costs of the interventions of the case's service plan
(care_case.cost_estimate), over the active cases that have a plan: n, mean, median, total.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.persistence.tables import CareCase
from engine.services.reports.filters import ReportFilter, team_members
from engine.services.reports.quantiles import spread
from engine.services.reports.shapes import Report, Table, count, label, stat
from engine.services.reports.stats import pct, rounded

SATISFACTION = "satisfaction"
SATISFACTION_TITLE = "Client satisfaction"
SATISFACTION_DEFINITION = (
    "The latest satisfaction score (1 = very unhappy, 5 = very happy) of the cases active "
    "during the period that have one."
)
COST = "cost"
COST_TITLE = "Cost per case"
COST_DEFINITION = (
    "The sum of the estimated costs of a case's plan interventions, over the cases active "
    "during the period that have a plan."
)
SCORES = (1, 2, 3, 4, 5)


def active_during(report_filter: ReportFilter) -> list[Any]:
    """Conditions: active at some time in the period (and managed by the team)."""
    conditions: list[Any] = [
        CareCase.opened_at < report_filter.end_at,
        or_(CareCase.closed_at.is_(None), CareCase.closed_at >= report_filter.start_at),
    ]
    if report_filter.team:
        conditions.append(CareCase.manager.in_(team_members(report_filter.team)))
    return conditions


def satisfaction(session: Session, report_filter: ReportFilter, now: datetime) -> Report:
    """The satisfaction report."""
    found = {
        int(score or 0): int(n)
        for score, n in session.execute(
            select(CareCase.satisfaction, func.count())
            .where(*active_during(report_filter), CareCase.satisfaction.is_not(None))
            .group_by(CareCase.satisfaction)
        ).all()
    }
    cases = sum(found.values())
    total = sum(score * n for score, n in found.items())
    summary = {"cases": cases, "mean": rounded(total / cases, 2) if cases else None}
    per_score = tuple(
        {"score": s, "cases": found.get(s, 0), "all": cases, "pct": pct(found.get(s, 0), cases)}
        for s in SCORES
    )
    tables = (
        Table(
            "summary",
            "Satisfaction",
            (count("cases", "Cases with a score"), stat("mean", "Mean score", "cases")),
            (summary,),
        ),
        Table(
            "scores",
            "Cases per satisfaction score",
            (
                label("score", "Score"),
                count("cases", "Cases"),
                count("all", "All with a score"),
                stat("pct", "% of cases", "all", "cases", unit="%"),
            ),
            per_score,
        ),
    )
    return Report(
        SATISFACTION, SATISFACTION_TITLE, SATISFACTION_DEFINITION, report_filter, now, tables
    )


def cost(session: Session, report_filter: ReportFilter, now: datetime) -> Report:
    """The cost-per-case report."""
    costs = spread(session, CareCase.cost_estimate, active_during(report_filter))
    row = {
        "cases": costs.n,
        "mean": round(costs.total / costs.n, 2) if costs.n else None,
        "median": rounded(costs.median, 2),
        "total": round(costs.total, 2) if costs.n else None,
    }
    table = Table(
        "cost",
        "Estimated cost per case",
        (
            count("cases", "Cases with a plan"),
            stat("mean", "Mean", "cases"),
            stat("median", "Median", "cases"),
            stat("total", "Total", "cases"),
        ),
        (row,),
    )
    return Report(COST, COST_TITLE, COST_DEFINITION, report_filter, now, (table,))
