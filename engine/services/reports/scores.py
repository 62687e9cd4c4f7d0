"""PHQ-9 and GAD-7 change from baseline.

Definition: per instrument (PHQ-9 "phq9", GAD-7 "gad7"), the cases (managed by the team, when
chosen) with at least two scored administrations whose latest administration falls in the
period. Baseline = the case's first score, latest = its most recent one (two scores within
the same second: the lower total counts as the earlier). Reported: n, mean baseline, mean
latest, mean change (latest - baseline, negative = fewer symptoms), % improved and % worse.
Improved means a drop of at least 5 points on PHQ-9 or 4 points on GAD-7 (commonly used
thresholds of a clinically meaningful change); worse means a rise by at least as many points.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.persistence.tables import CareCase, CaseScore
from engine.services.reports.filters import ReportFilter, epoch_seconds, team_members
from engine.services.reports.shapes import Report, Table, count, label, stat
from engine.services.reports.stats import pct

NAME = "scores"
TITLE = "PHQ-9 and GAD-7 change from baseline"
DEFINITION = (
    "Cases with two or more scores whose latest score is in the period: first (baseline) vs "
    "latest score. Improved: PHQ-9 down 5+ points, GAD-7 down 4+; worse: up by as much."
)
INSTRUMENTS = (("phq9", "PHQ-9", 5), ("gad7", "GAD-7", 4))


def summaries(session: Session, report_filter: ReportFilter) -> dict[str, dict[str, int]]:
    """Per instrument: cases, sums of baseline and latest totals, improved and worse counts.

    One pass over the scores (a hash aggregate per case and instrument, no sort): each score
    is keyed `epoch seconds * 100 + total` (totals are < 100), so the minimum key carries the
    baseline total and the maximum key the latest total and its time.
    """
    keys = [key for key, _title, _threshold in INSTRUMENTS]
    dialect = session.get_bind().dialect.name
    key = epoch_seconds(CaseScore.recorded_at, dialect) * 100 + CaseScore.total
    conditions: list[Any] = [CaseScore.instrument.in_(keys), CaseScore.total.is_not(None)]
    if report_filter.team:
        team_cases = select(CareCase.id).where(
            CareCase.manager.in_(team_members(report_filter.team))
        )
        conditions.append(CaseScore.case_id.in_(team_cases))
    start, end = (_epoch(report_filter.start_at) * 100, _epoch(report_filter.end_at) * 100)
    per_case = (
        select(
            CaseScore.instrument,
            (func.min(key) % 100).label("baseline"),
            (func.max(key) % 100).label("latest"),
        )
        .where(*conditions)
        .group_by(CaseScore.instrument, CaseScore.case_id)
        .having(func.count() >= 2, func.max(key) >= start, func.max(key) < end)
        .subquery()
    )
    threshold = case(*((per_case.c.instrument == k, t) for k, _title, t in INSTRUMENTS), else_=0)
    change = per_case.c.latest - per_case.c.baseline
    rows = session.execute(
        select(
            per_case.c.instrument,
            func.count(),
            func.sum(per_case.c.baseline),
            func.sum(per_case.c.latest),
            func.sum(case((-change >= threshold, 1), else_=0)),
            func.sum(case((change >= threshold, 1), else_=0)),
        ).group_by(per_case.c.instrument)
    ).all()
    found = {k: {"cases": 0, "baseline": 0, "latest": 0, "improved": 0, "worse": 0} for k in keys}
    for instrument, cases, baseline, latest, improved, worse in rows:
        found[str(instrument)] = {
            "cases": int(cases),
            "baseline": int(baseline or 0),
            "latest": int(latest or 0),
            "improved": int(improved or 0),
            "worse": int(worse or 0),
        }
    return found


def build(session: Session, report_filter: ReportFilter, now: datetime) -> Report:
    """The score change report."""
    rows = []
    found = summaries(session, report_filter)
    for key, title, threshold in INSTRUMENTS:
        got = found[key]
        cases = got["cases"]
        rows.append(
            {
                "instrument": key,
                "name": title,
                "threshold": threshold,
                "cases": cases,
                "mean_baseline": _mean(got["baseline"], cases),
                "mean_latest": _mean(got["latest"], cases),
                "mean_change": _mean(got["latest"] - got["baseline"], cases),
                "improved": got["improved"],
                "improved_pct": pct(got["improved"], cases),
                "worse": got["worse"],
                "worse_pct": pct(got["worse"], cases),
            }
        )
    table = Table(
        "change",
        "Change from baseline",
        (
            label("instrument", "Instrument"),
            label("name", "Name"),
            label("threshold", "Points for a change"),
            count("cases", "Cases"),
            stat("mean_baseline", "Mean baseline", "cases"),
            stat("mean_latest", "Mean latest", "cases"),
            stat("mean_change", "Mean change", "cases"),
            count("improved", "Improved"),
            stat("improved_pct", "% improved", "cases", "improved", unit="%"),
            count("worse", "Worse"),
            stat("worse_pct", "% worse", "cases", "worse", unit="%"),
        ),
        tuple(rows),
    )
    return Report(NAME, TITLE, DEFINITION, report_filter, now, (table,))


def _mean(total: int, n: int) -> float | None:
    return round(total / n, 1) if n else None


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())
