"""The scheduler in real time (short timers): fires on time, once, and refuses a second
scheduler on SQLite."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import Conflict, Engine, SystemClock, build
from engine.persistence.tables import AuditEvent
from engine.scheduler import TimerScheduler
from tests.conftest import CASE_MANAGER, DESIGNER, add_people, make_settings


@pytest.fixture
def live(db_url: str, tmp_path: Path, password_hash: str) -> Iterator[Engine]:
    """An engine on the wall clock (real-time tests)."""
    eng = build(make_settings(db_url, tmp_path), SystemClock())
    add_people(eng, password_hash)
    eng.processes.deploy_directory(DESIGNER)
    yield eng
    eng.dispose()


def _wait_for(condition: Callable[[], bool], seconds: float = 8.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _fired(engine: Engine) -> int:
    with engine.context.uow() as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "timer.fired")
            )
            or 0
        )


def test_a_one_second_timer_fires_on_time_once(live: Engine) -> None:
    runner = TimerScheduler(live, poll_seconds=0.5)
    runner.start()
    try:
        view = live.instances.start("short_timer", {}, CASE_MANAGER)
        [timer] = view.waiting_timers
        assert _wait_for(lambda: bool(live.instances.get(view.id).ready_tasks))
        time.sleep(0.5)
    finally:
        runner.stop()
    assert _fired(live) == 1
    with live.context.uow() as uow:
        detail = uow.session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "timer.fired")
        )
    assert detail is not None and 0 <= detail["lateness_ms"] < 2000
    assert live.instances.get(view.id).ready_tasks[0].element_id == "after_wait"
    assert timer.due_at > view.created_at


def test_timers_due_while_no_scheduler_ran_fire_at_start(live: Engine) -> None:
    views = [live.instances.start("short_timer", {}, CASE_MANAGER) for _ in range(3)]
    time.sleep(1.2)
    runner = TimerScheduler(live, poll_seconds=0.5)
    runner.start()
    try:
        assert _wait_for(lambda: _fired(live) == 3)
    finally:
        runner.stop()
    assert all(live.instances.get(v.id).ready_tasks for v in views)


def test_sqlite_refuses_a_second_scheduler(live: Engine) -> None:
    first = TimerScheduler(live, holder="first", poll_seconds=0.5)
    first.start()
    try:
        second = TimerScheduler(live, holder="second", poll_seconds=0.5)
        if live.db.dialect.name == "sqlite":
            with pytest.raises(Conflict, match="SQLite supports one scheduler"):
                second.start()
        else:
            second.start()
            second.stop()
        assert live.timers.status().schedulers == ["first"]
    finally:
        first.stop()
    assert live.timers.status().schedulers == []


def test_status_reports_pending_and_next_due(live: Engine) -> None:
    view = live.instances.start("short_timer", {}, CASE_MANAGER)
    status = live.timers.status()
    assert status.pending == 1
    assert status.next_due == view.waiting_timers[0].due_at
    assert status.next_due - view.created_at < timedelta(seconds=2)
