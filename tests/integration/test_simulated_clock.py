"""The simulated clock: refused unless enabled; moves time for every process at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import Engine, Forbidden, build
from engine.persistence.tables import AuditEvent
from engine.scheduler import TimerScheduler
from tests.conftest import ADMIN, CASE_MANAGER, DESIGNER, add_people, make_settings

CARECYCLE = Path(sys.executable).parent / "carecycle"


def _cli(
    db_url: str, tmp_path: Path, *args: str, simulated: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARECYCLE_DATABASE_URL": db_url, "CARECYCLE_VAR_DIR": str(tmp_path)}
    env.pop("CARECYCLE_SIMULATED_CLOCK", None)
    if simulated:
        env["CARECYCLE_SIMULATED_CLOCK"] = "1"
    return subprocess.run(
        [str(CARECYCLE), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def simulated(db_url: str, tmp_path: Path, password_hash: str) -> Iterator[Engine]:
    """An engine on the deployment's simulated clock."""
    eng = build(replace(make_settings(db_url, tmp_path), simulated_clock=True))
    add_people(eng, password_hash)
    eng.processes.deploy_directory(DESIGNER)
    yield eng
    eng.dispose()


def test_clock_commands_are_refused_without_the_variable(db_url: str, tmp_path: Path) -> None:
    result = _cli(db_url, tmp_path, "clock", "advance", "P30D", simulated=False)
    assert result.returncode == 1
    assert "CARECYCLE_SIMULATED_CLOCK=1" in result.stderr


def test_the_command_moves_time_for_every_process(
    simulated: Engine, db_url: str, tmp_path: Path
) -> None:
    before = simulated.clock.now()
    moved = _cli(db_url, tmp_path, "clock", "advance", "P30D")
    assert moved.returncode == 0, moved.stderr
    time.sleep(0.3)  # the app re-reads the offset at most every 0.2 s
    assert simulated.clock.now() - before >= timedelta(days=30)
    shown = _cli(db_url, tmp_path, "clock", "show")
    assert "offset 30 days" in shown.stdout
    assert _cli(db_url, tmp_path, "clock", "reset").returncode == 0


def test_advance_fires_due_timers_through_the_scheduler(simulated: Engine) -> None:
    runner = TimerScheduler(simulated, poll_seconds=0.2)
    runner.start()
    try:
        before = simulated.clock.now()
        view = simulated.instances.start("timers", {}, CASE_MANAGER)  # waits one hour
        simulated.clock_control.advance("PT2H", ADMIN)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not simulated.instances.get(view.id).ready_tasks:
            time.sleep(0.1)
        ready = simulated.instances.get(view.id).ready_tasks
        assert [t.element_id for t in ready] == ["assessment"]
        assert simulated.clock.now() - before >= timedelta(hours=2)
        with pytest.raises(Forbidden):
            simulated.clock_control.advance("P1D", CASE_MANAGER)
        simulated.clock_control.reset(ADMIN)
        assert abs(simulated.clock.now() - before) < timedelta(minutes=1)
    finally:
        runner.stop()
    with simulated.context.uow() as uow:
        moves = uow.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(["clock.advanced", "clock.reset"]))
        )
    assert moves == 2
