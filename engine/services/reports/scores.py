"""PHQ-9 and GAD-7 change from baseline.

Definition: per instrument (PHQ-9 "phq9", GAD-7 "gad7"), the cases (managed by the team, when
chosen) with at least two scored administrations whose latest administration falls in the
period. Baseline = the case's first score, latest = its most recent one (two scores at the
same instant: the one recorded last counts as the latest). Reported: n, mean baseline, mean
latest, mean change (latest - baseline, negative = fewer symptoms), % improved and % worse.
Improved means a drop of at least 5 points on PHQ-9 or 4 points on GAD-7 (commonly used
thresholds of a clinically meaningful change); worse means a rise by at least as many points.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.persistence.tables import CareCase, CaseScoreTrend
from engine.services.reports.filters import ReportFilter, team_members
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

    Reads the score trend read model (one row per case and instrument, kept by the case
    projection), by its (instrument, latest_at) index: the period selects the rows directly.
    """
    keys = [key for key, _title, _threshold in INSTRUMENTS]
    trend = CaseScoreTrend
    conditions: list[Any] = [
        trend.instrument.in_(keys),
        trend.administrations >= 2,
        trend.latest_at >= report_filter.start_at,
        trend.latest_at < report_filter.end_at,
    ]
    if report_filter.team:
        team_cases = select(CareCase.id).where(
            CareCase.manager.in_(team_members(report_filter.team))
        )
        conditions.append(trend.case_id.in_(team_cases))
    threshold = case(*((trend.instrument == k, t) for k, _title, t in INSTRUMENTS), else_=0)
    change = trend.latest_total - trend.baseline_total
    rows = session.execute(
        select(
            trend.instrument,
            func.count(),
            func.sum(trend.baseline_total),
            func.sum(trend.latest_total),
            func.sum(case((-change >= threshold, 1), else_=0)),
            func.sum(case((change >= threshold, 1), else_=0)),
        )
        .where(*conditions)
        .group_by(trend.instrument)
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
