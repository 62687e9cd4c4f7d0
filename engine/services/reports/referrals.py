"""Agency referrals open past 14 days (stale referrals).

Definition: agency referrals (case_referral) still open (no response, refusal or closure) whose
opened_at is more than 14 days before the time of the report, for cases the team manages when
a team is chosen. A snapshot at the time of the report: the period does not apply. Counted per
agency type ("unspecified" when none); the list of referrals (case, client, agency, days open)
is for the page only: exports carry the counts, never client names.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.persistence.tables import CareCase, CaseReferral
from engine.services.reports.filters import ReportFilter, team_members
from engine.services.reports.shapes import Report, Table, count, label

NAME = "referrals"
TITLE = "Referrals open past 14 days"
DEFINITION = (
    "Agency referrals still open more than 14 days after they were sent, now; a snapshot, "
    "the period does not apply."
)
STALE_AFTER = timedelta(days=14)
LIST_LIMIT = 200
UNSPECIFIED = "unspecified"


def _conditions(report_filter: ReportFilter, now: datetime) -> list[Any]:
    conditions: list[Any] = [
        CaseReferral.status == "open",
        CaseReferral.opened_at < now - STALE_AFTER,
    ]
    if report_filter.team:
        team_cases = select(CareCase.id).where(
            CareCase.manager.in_(team_members(report_filter.team))
        )
        conditions.append(CaseReferral.case_id.in_(team_cases))
    return conditions


def build(session: Session, report_filter: ReportFilter, now: datetime) -> Report:
    """The stale referrals report."""
    conditions = _conditions(report_filter, now)
    kind = func.coalesce(CaseReferral.agency_type, UNSPECIFIED)
    counts = [
        (str(k), int(n))
        for k, n in session.execute(
            select(kind, func.count()).where(*conditions).group_by(kind).order_by(kind)
        ).all()
    ]
    if counts:
        counts.append(("all", sum(n for _k, n in counts)))
    by_type = [{"agency_type": k, "referrals": n} for k, n in counts]
    listed = session.execute(
        select(
            CaseReferral.case_id,
            CareCase.client_name,
            CaseReferral.agency,
            CaseReferral.agency_type,
            CaseReferral.opened_at,
        )
        .join(CareCase, CareCase.id == CaseReferral.case_id)
        .where(*conditions)
        .order_by(CaseReferral.opened_at, CaseReferral.id)
        .limit(LIST_LIMIT)
    ).all()
    rows = tuple(
        {
            "case_id": case_id,
            "client": client,
            "agency": agency,
            "agency_type": agency_type or UNSPECIFIED,
            "opened_at": opened_at.date().isoformat(),
            "days_open": (now - opened_at).days,
        }
        for case_id, client, agency, agency_type, opened_at in listed
    )
    tables = (
        Table(
            "by_type",
            "Stale referrals per agency type",
            (label("agency_type", "Agency type"), count("referrals", "Referrals")),
            tuple(by_type),
        ),
        Table(
            "list",
            f"Oldest stale referrals (at most {LIST_LIMIT})",
            (
                label("case_id", "Case"),
                label("client", "Client"),
                label("agency", "Agency"),
                label("agency_type", "Agency type"),
                label("opened_at", "Sent"),
                label("days_open", "Days open"),
            ),
            rows,
            private=True,
        ),
    )
    return Report(NAME, TITLE, DEFINITION, report_filter, now, tables)
