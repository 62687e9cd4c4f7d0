"""The filter every report takes: a period of whole UTC days and an optional team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from engine.errors import BadRequest
from engine.persistence.tables import User

DEFAULT_DAYS = 90
MAX_DAYS = 366 * 10


@dataclass(frozen=True)
class ReportFilter:
    """From `start` (included) to `end` (excluded), both dates in UTC; `team` or every team."""

    start: date
    end: date
    team: str | None = None

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise BadRequest("the period must end after it starts", {"to": "must be after from"})
        if (self.end - self.start).days > MAX_DAYS:
            raise BadRequest("the period is too long", {"to": "at most ten years after from"})

    @property
    def start_at(self) -> datetime:
        """The first instant of the period."""
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end, time(), tzinfo=UTC)

    def as_dict(self) -> dict[str, Any]:
        """The filter as plain JSON values (for exports and the audit log)."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "team": self.team}


def default_filter(now: datetime, team: str | None = None) -> ReportFilter:
    """The last 90 days up to and including today (the end is tomorrow, excluded)."""
    end = now.astimezone(UTC).date() + timedelta(days=1)
    return ReportFilter(end - timedelta(days=DEFAULT_DAYS), end, team)


def make_filter(
    now: datetime, start: date | None, end: date | None, team: str | None
) -> ReportFilter:
    """A filter from optional parts: a missing end is tomorrow, a missing start 90 days before."""
    fallback = default_filter(now, team or None)
    end = end or fallback.end
    start = start or end - timedelta(days=DEFAULT_DAYS)
    return ReportFilter(start, end, team or None)


def team_members(team: str) -> Select[Any]:
    """The usernames of a team (a subquery for `manager IN (...)`)."""
    return select(User.username).where(User.team == team)


def in_period(column: Any, report_filter: ReportFilter) -> ColumnElement[bool]:
    """column within [start, end)."""
    inside: ColumnElement[bool] = (column >= report_filter.start_at) & (
        column < report_filter.end_at
    )
    return inside


def days_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    """later - earlier in days (fractional), in SQL for PostgreSQL or SQLite."""
    if dialect == "postgresql":
        return func.date_part("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)
