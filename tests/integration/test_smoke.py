"""End-to-end through the services: start, claim, complete, audit."""

from __future__ import annotations

from engine import Engine
from tests.conftest import CASE_MANAGER, INTAKE


def test_user_lanes_runs_to_completion(engine: Engine) -> None:
    view = engine.instances.start("user_lanes", {}, INTAKE)
    assert view.status == "waiting"
    [task] = view.ready_tasks
    assert task.lane == "intake"
    engine.tasks.claim(task.id, INTAKE)
    view = engine.tasks.complete(task.id, {"client_name": "Ann", "urgency": "routine"}, INTAKE)
    [task2] = view.ready_tasks
    assert task2.lane == "case_manager"
    view = engine.tasks.complete(task2.id, {"contacted": True, "minutes": 20}, CASE_MANAGER)
    assert view.status == "completed"
