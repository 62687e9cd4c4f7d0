"""Real `carecycle scheduler` processes: exactly once with two of them, and kill -9 safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import Engine, FrozenClock, build
from engine.persistence.tables import AuditEvent, HumanTask, Timer
from tests.conftest import CASE_MANAGER, DESIGNER, add_people, make_settings

CARECYCLE = Path(sys.executable).parent / "carecycle"


@pytest.fixture
def past(db_url: str, tmp_path: Path, password_hash: str) -> Iterator[Engine]:
    """An engine whose clock stands an hour ago: timers it starts are already due now."""
    clock = FrozenClock(datetime.now(UTC) - timedelta(hours=1))
    eng = build(make_settings(db_url, tmp_path), clock)
    add_people(eng, password_hash)
    eng.processes.deploy_directory(DESIGNER)
    yield eng
    eng.dispose()


def _start_many(engine: Engine, count: int) -> list[int]:
    return [engine.instances.start("short_timer", {}, CASE_MANAGER).id for _ in range(count)]


def _scheduler(db_url: str, tmp_path: Path, name: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CARECYCLE_DATABASE_URL": db_url, "CARECYCLE_VAR_DIR": str(tmp_path)}
    with (tmp_path / f"{name}.log").open("wb") as log:
        return subprocess.Popen(
            [str(CARECYCLE), "scheduler", "--poll", "0.2", "--lease", "3"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _state(engine: Engine) -> tuple[Counter[int], dict[int, str], set[int]]:
    with engine.context.uow() as uow:
        s = uow.session
        fired = Counter(
            s.scalars(select(AuditEvent.instance_id).where(AuditEvent.action == "timer.fired"))
        )
        timers = {i: st for i, st in s.execute(select(Timer.instance_id, Timer.status))}
        ready = set(s.scalars(select(HumanTask.instance_id).where(HumanTask.status == "ready")))
    return fired, timers, ready


def _wait_until_fired(engine: Engine, total: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if sum(_state(engine)[0].values()) >= total:
            return
        time.sleep(0.2)


def _stop(*procs: subprocess.Popen[bytes]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(timeout=30)


@pytest.mark.postgres
def test_two_schedulers_fire_1000_due_timers_exactly_once(
    past: Engine, db_url: str, tmp_path: Path
) -> None:
    if past.db.dialect.name != "postgresql":
        pytest.skip("several schedulers are a PostgreSQL deployment")
    ids = _start_many(past, 1000)
    procs = [_scheduler(db_url, tmp_path, f"s{i}") for i in range(2)]
    try:
        _wait_until_fired(past, 1000, 120)
        time.sleep(1.0)  # anything fired twice would show up now
    finally:
        _stop(*procs)
    fired, timers, ready = _state(past)
    assert set(fired) == set(ids) and set(fired.values()) == {1}
    assert set(timers.values()) == {"fired"} and ready == set(ids)
    logs = [(tmp_path / f"s{i}.log").read_text() for i in range(2)]
    assert all("fired instance=" in log for log in logs), "both schedulers took a share"


def test_kill_9_mid_firing_leaves_each_timer_fired_or_pending(
    past: Engine, db_url: str, tmp_path: Path
) -> None:
    ids = _start_many(past, 300)
    proc = _scheduler(db_url, tmp_path, "doomed")
    _wait_until_fired(past, 40, 60)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    fired, timers, ready = _state(past)
    assert 0 < sum(fired.values()) < 300, "the kill should land mid-way"
    for instance_id in ids:
        done = timers[instance_id] == "fired"
        assert done == (instance_id in ready) == (fired[instance_id] == 1), instance_id
    if past.db.dialect.name == "sqlite":
        time.sleep(3.5)  # the dead scheduler's lease must expire before SQLite takes another
    survivor = _scheduler(db_url, tmp_path, "survivor")
    try:
        _wait_until_fired(past, 300, 120)
    finally:
        _stop(survivor)
    fired, timers, ready = _state(past)
    assert set(fired.values()) == {1} and len(fired) == 300
    assert ready == set(ids)
