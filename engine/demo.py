"""Demo users (and their processes) for `make run` and trainers."""

from __future__ import annotations

from collections.abc import Iterator

from engine.bootstrap import Engine
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


def seed(engine: Engine) -> Iterator[str]:
    """Create the demo users and deploy the processes dir; yield a line per result."""
    for username, name, roles in DEMO_USERS:
        engine.users.create(username, DEMO_PASSWORD, list(roles), name)
        yield f"user {username} ({', '.join(roles)}) password {DEMO_PASSWORD}"
    designer = Actor("dana", frozenset({"designer"}))
    if engine.settings.processes_dir.is_dir():
        for item in engine.processes.deploy_directory(designer):
            yield f"process {item.process_id} version {item.version}"
