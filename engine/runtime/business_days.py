"""Business days: weekends and a configurable holiday list are skipped."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from engine.runtime.timeclock import current_time

_holidays: frozenset[date] = frozenset()


def configure(holidays: Iterable[date]) -> None:
    """Set the holidays business-day arithmetic skips (weekends are always skipped)."""
    global _holidays
    _holidays = frozenset(holidays)


def read_holidays(path: Path) -> list[date]:
    """Holidays from a file: one YYYY-MM-DD per line; '#' starts a comment."""
    days = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            days.append(date.fromisoformat(text))
        except ValueError as exc:
            raise ValueError(f"{path.name}:{number}: not a date (YYYY-MM-DD): {text!r}") from exc
    return days


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a holiday."""
    return day.weekday() < 5 and day not in _holidays


def add_business_days(start: str, days: int) -> str:
    """start (ISO date or date-time) moved forward by whole business days, same ISO form."""
    moment = datetime.fromisoformat(start)
    day = moment.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    if len(start) == 10:
        return day.isoformat()
    return datetime.combine(day, moment.timetz()).isoformat()


def business_days_from_now(days: int) -> str:
    """The engine clock's time moved forward by business days (for dueIn and timeDate)."""
    return add_business_days(current_time().isoformat(), days)


BUSINESS_HELPERS = {
    "add_business_days": add_business_days,
    "business_days_from_now": business_days_from_now,
}
