"""Time from referral to first contact and to an approved plan.

Definition: the cases referred (care_case.opened_at) in the period (managed by the team, when
a team is chosen). For each milestone (first_contact_at: the first contact form submitted with
the client reached; plan_approved_at: the supervisor's approval of the service plan), the days
from referral to the milestone over the cases that reached it: n, median and p90 (linear
interpolation between closest ranks), and how many cases have not reached it yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.persistence.tables import CareCase
from engine.services.reports.filters import ReportFilter, days_between, in_period, team_members
from engine.services.reports.quantiles import spread
from engine.services.reports.shapes import Report, Table, count, label, stat
from engine.services.reports.stats import rounded

NAME = "timeliness"
TITLE = "Time from referral to first contact and approved plan"
DEFINITION = (
    "Cases referred in the period: days from referral to first contact (client reached) and "
    "to the approved service plan; median and p90 over the cases that got there."
)
MILESTONES = (
    ("first_contact", "First contact", CareCase.first_contact_at),
    ("plan_approved", "Approved plan", CareCase.plan_approved_at),
)


def _scope(report_filter: ReportFilter) -> list[Any]:
    conditions = [in_period(CareCase.opened_at, report_filter)]
    if report_filter.team:
        conditions.append(CareCase.manager.in_(team_members(report_filter.team)))
    return conditions


def build(session: Session, report_filter: ReportFilter, now: datetime) -> Report:
    """The timeliness report."""
    scope = _scope(report_filter)
    dialect = session.get_bind().dialect.name
    referred = int(session.scalar(select(func.count()).select_from(CareCase).where(*scope)) or 0)
    rows = []
    for key, title, column in MILESTONES:
        days = spread(session, days_between(column, CareCase.opened_at, dialect), scope)
        rows.append(
            {
                "milestone": key,
                "name": title,
                "referred": referred,
                "reached": days.n,
                "median_days": rounded(days.median),
                "p90_days": rounded(days.p90),
                "not_reached": referred - days.n,
            }
        )
    table = Table(
        "milestones",
        "Days from referral",
        (
            label("milestone", "Milestone"),
            label("name", "Name"),
            count("referred", "Referred"),
            count("reached", "Reached"),
            stat("median_days", "Median days", "reached", unit="days"),
            stat("p90_days", "p90 days", "reached", unit="days"),
            count("not_reached", "Not reached yet"),
        ),
        tuple(rows),
    )
    return Report(NAME, TITLE, DEFINITION, report_filter, now, (table,))
