"""Count, median and p90 of a SQL expression: in the database on PostgreSQL
(percentile_cont), in Python elsewhere; both interpolate linearly between closest ranks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.services.reports.stats import median, percentile


@dataclass(frozen=True)
class Spread:
    """How many values, their sum, median and 90th percentile (None when there are none)."""

    n: int
    total: float
    median: float | None
    p90: float | None


def spread(session: Session, expression: Any, conditions: list[Any]) -> Spread:
    """The spread of expression over the rows matching conditions (NULLs left out)."""
    where = [*conditions, expression.is_not(None)]
    if session.get_bind().dialect.name == "postgresql":
        n, total, mid, p90 = session.execute(
            select(
                func.count(),
                func.sum(expression),
                func.percentile_cont(0.5).within_group(expression),
                func.percentile_cont(0.9).within_group(expression),
            ).where(*where)
        ).one()
        return Spread(int(n), float(total or 0.0), _float(mid), _float(p90))
    values = [float(v) for v in session.scalars(select(expression).where(*where))]
    return Spread(len(values), sum(values), median(values), percentile(values, 0.9))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
