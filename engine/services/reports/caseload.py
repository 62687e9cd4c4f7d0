"""Caseload per case manager: open cases now, and how evenly they are spread.

Definition: the open cases (care_case.status planned, waitlist, active or onhold) held now by
each active user with the role case_manager (in the team, when a team is chosen), including
managers with none. A snapshot at the time of the report: the period does not apply.
Distribution over those managers: min, median, mean, max, and a histogram of equal-width bins
starting at 0 (at most 8 bins).
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.persistence.tables import CareCase, User
from engine.services.case_projection import OPEN_STATUSES
from engine.services.reports.filters import ReportFilter
from engine.services.reports.shapes import Report, Table, count, label, stat
from engine.services.reports.stats import mean, median, rounded

NAME = "caseload"
TITLE = "Caseload per case manager"
DEFINITION = (
    "Open cases (planned, waitlist, active, on hold) held now by each active case manager, "
    "including managers with none; a snapshot, the period does not apply."
)
MAX_BINS = 8


def managers(session: Session, team: str | None) -> list[tuple[str, str]]:
    """(username, display name) of the active case managers (of a team), by username."""
    query = select(User.username, User.display_name, User.roles).where(User.active.is_(True))
    if team:
        query = query.where(User.team == team)
    rows = session.execute(query.order_by(User.username)).all()
    return [(name, shown or name) for name, shown, roles in rows if "case_manager" in roles]


def open_counts(session: Session, usernames: list[str]) -> dict[str, int]:
    """Open cases per manager."""
    if not usernames:
        return {}
    rows = session.execute(
        select(CareCase.manager, func.count())
        .where(CareCase.status.in_(OPEN_STATUSES), CareCase.manager.in_(usernames))
        .group_by(CareCase.manager)
    ).all()
    return {str(manager): int(count) for manager, count in rows}


def histogram(counts: list[int]) -> list[tuple[int, int, int]]:
    """(low, high, managers) bins of equal width from 0 covering every count."""
    if not counts:
        return []
    width = max(1, math.ceil((max(counts) + 1) / MAX_BINS))
    bins = math.ceil((max(counts) + 1) / width)
    return [
        (i * width, (i + 1) * width - 1, sum(1 for c in counts if i * width <= c < (i + 1) * width))
        for i in range(bins)
    ]


def build(session: Session, report_filter: ReportFilter, now: datetime) -> Report:
    """The caseload report."""
    people = managers(session, report_filter.team)
    counts = open_counts(session, [name for name, _ in people])
    per_manager = [(name, shown, counts.get(name, 0)) for name, shown in people]
    loads = [load for _, _, load in per_manager]
    total = sum(loads)
    rows = tuple({"manager": n, "name": s, "open_cases": c} for n, s, c in per_manager)
    summary = {
        "managers": len(loads),
        "open_cases": total,
        "min": min(loads) if loads else None,
        "median": rounded(median(loads)),
        "mean": rounded(mean(loads)),
        "max": max(loads) if loads else None,
    }
    bins = tuple(
        {
            "bin": f"{low}" if low == high else f"{low}-{high}",
            "low": low,
            "high": high,
            "managers": m,
        }
        for low, high, m in histogram(loads)
    )
    return Report(
        name=NAME,
        title=TITLE,
        definition=DEFINITION,
        filter=report_filter,
        generated_at=now,
        tables=(
            Table(
                "managers",
                "Open cases per manager",
                (
                    label("manager", "Manager"),
                    label("name", "Name"),
                    count("open_cases", "Open cases"),
                ),
                rows,
            ),
            Table(
                "distribution",
                "Distribution over managers",
                (
                    label("managers", "Managers"),
                    count("open_cases", "Open cases"),
                    stat("min", "Fewest", "open_cases"),
                    stat("median", "Median", "open_cases"),
                    stat("mean", "Mean", "open_cases"),
                    stat("max", "Most", "open_cases"),
                ),
                (summary,),
            ),
            Table(
                "histogram",
                "Managers by number of open cases",
                (
                    label("bin", "Open cases"),
                    label("low", "From"),
                    label("high", "To"),
                    count("managers", "Managers"),
                ),
                bins,
            ),
        ),
    )
