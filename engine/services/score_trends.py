"""The score trend read model: first (baseline) and latest score per case and instrument."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.persistence.tables import CaseScoreTrend


def note_score(
    session: Session, case_id: int, instrument: str, total: int | None, at: datetime
) -> None:
    """Count one administration; it becomes the baseline if earliest, the latest if newest."""
    if total is None:
        return
    trend = session.get(CaseScoreTrend, (case_id, instrument))
    if trend is None:
        session.add(
            CaseScoreTrend(
                case_id=case_id,
                instrument=instrument,
                administrations=1,
                baseline_total=total,
                baseline_at=at,
                latest_total=total,
                latest_at=at,
            )
        )
        return
    trend.administrations += 1
    if at < trend.baseline_at:
        trend.baseline_total, trend.baseline_at = total, at
    if at >= trend.latest_at:
        trend.latest_total, trend.latest_at = total, at
