"""Demo data for `make run` and trainers: the team, the processes and ~30 fictional cases.

The cases are driven through the real services by a second engine over the same database
whose FrozenClock starts HISTORY ago and ends at the live engine's now, so every case has a
history and its due dates, overdue work and pending timers line up with the live app.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from random import Random

from engine.bootstrap import Engine, build
from engine.clock import FrozenClock
from engine.demo_cases import Seeder, duration, play, timelines
from engine.demo_data import CLIENTS
from engine.identity import Actor

DEMO_PASSWORD = "carecycle-demo"
DEMO_USERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ines", "Ines Intake", ("intake",)),
    ("cara", "Cara Case", ("case_manager",)),
    ("carl", "Carl Case", ("case_manager",)),
    ("cleo", "Cleo Case", ("case_manager",)),
    ("sam", "Sam Supervisor", ("supervisor",)),
    ("phil", "Dr Phil Physician", ("care_team",)),
    ("dana", "Dana Designer", ("designer",)),
    ("admin", "Administrator", ("admin",)),
)
DEMO_TEAM = "north"
DEMO_SEED = 20240917  # the same cases, answers and timings on every run
HISTORY = timedelta(days=150)  # how far back the demo's history starts
CARE_PROCESS = "care_cycle"


def seed(engine: Engine) -> Iterator[str]:
    """Create the team, deploy the processes dir and play the demo cases; a line per result."""
    end = engine.clock.now() - timedelta(minutes=1)
    plans = timelines(CLIENTS, Random(DEMO_SEED))
    longest = max(duration(steps) for _case, steps in plans)
    if longest >= HISTORY:
        raise RuntimeError(f"a demo case needs {longest.days} days of history; raise HISTORY")
    clock = FrozenClock(end - HISTORY)
    seeding = build(engine.settings, clock)
    try:
        for username, name, roles in DEMO_USERS:
            team = None if {"designer", "admin"} & set(roles) else DEMO_TEAM
            seeding.users.create(username, DEMO_PASSWORD, list(roles), name, team)
            yield f"user {username} ({', '.join(roles)}) password {DEMO_PASSWORD}"
        designer = Actor("dana", frozenset({"designer"}))
        if engine.settings.processes_dir.is_dir():
            for item in seeding.processes.deploy_directory(designer):
                yield f"process {item.process_id} version {item.version}"
        if any(p.process_id == CARE_PROCESS for p in seeding.processes.latest()):
            yield from play(Seeder(seeding, clock), plans, end)
    finally:
        seeding.dispose()
