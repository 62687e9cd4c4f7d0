"""Business-day deadlines skip weekends and the configured holidays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from engine.clock import FrozenClock
from engine.runtime import business_days, timeclock


@pytest.fixture(autouse=True)
def holidays() -> Iterator[None]:
    business_days.configure([date(2026, 12, 25)])
    yield
    business_days.configure([])


def test_weekends_are_skipped() -> None:
    assert business_days.add_business_days("2026-11-27", 2) == "2026-12-01"  # Fri -> Tue


def test_holidays_are_skipped() -> None:
    assert business_days.add_business_days("2026-12-24", 1) == "2026-12-28"  # Thu -> Mon


def test_date_times_keep_their_time_and_offset() -> None:
    moved = business_days.add_business_days("2026-11-27T15:30:00+00:00", 2)
    assert moved == "2026-12-01T15:30:00+00:00"


def test_from_now_reads_the_engine_clock() -> None:
    clock = FrozenClock(datetime(2026, 12, 23, 9, 0, tzinfo=UTC))
    with timeclock.bound(clock):
        assert business_days.business_days_from_now(2) == "2026-12-28T09:00:00+00:00"


def test_holiday_file_names_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "holidays.txt"
    path.write_text("# our calendar\n2026-12-25\nChristmas\n")
    with pytest.raises(ValueError, match=r"holidays.txt:3"):
        business_days.read_holidays(path)
    path.write_text("2026-12-25  # Christmas\n\n2027-01-01\n")
    assert business_days.read_holidays(path) == [date(2026, 12, 25), date(2027, 1, 1)]
