"""Drafts of task forms on SQLite and PostgreSQL: one per task and person, for who may work it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import Conflict, Engine, Forbidden, FrozenClock, NotFound
from engine.services.drafts import DraftService
from tests.conftest import ADMIN, CASE_MANAGER, INTAKE, SUPERVISOR


@pytest.fixture
def drafts(engine: Engine) -> DraftService:
    """The draft service over the test engine."""
    return DraftService(engine.context)


def intake_task(engine: Engine) -> str:
    """A ready task in the intake lane (user_lanes' take_referral)."""
    view = engine.instances.start("user_lanes", {}, INTAKE)
    return view.ready_tasks[0].id


def test_save_then_get_and_replace(
    engine: Engine, drafts: DraftService, clock: FrozenClock
) -> None:
    task_id = intake_task(engine)
    assert drafts.get(task_id, INTAKE) is None
    first = drafts.save(task_id, INTAKE, {"client_name": "Ada", "urgency": "routine"})
    assert drafts.get(task_id, INTAKE) == {"client_name": "Ada", "urgency": "routine"}
    clock.advance(timedelta(minutes=5))
    second = drafts.save(task_id, INTAKE, {"client_name": "Ada L.", "tags": [1, 2]})
    assert drafts.get(task_id, INTAKE) == {"client_name": "Ada L.", "tags": [1, 2]}
    found = drafts.find(task_id, INTAKE)
    assert found is not None and found.saved_at - first.saved_at == timedelta(minutes=5)
    assert second.saved_at == clock.now()


def test_drafts_are_per_person(engine: Engine, drafts: DraftService) -> None:
    task_id = intake_task(engine)
    drafts.save(task_id, INTAKE, {"client_name": "mine"})
    drafts.save(task_id, ADMIN, {"client_name": "the admin's"})
    assert drafts.get(task_id, INTAKE) == {"client_name": "mine"}
    assert drafts.get(task_id, ADMIN) == {"client_name": "the admin's"}
    drafts.discard(task_id, INTAKE)
    assert drafts.get(task_id, INTAKE) is None
    assert drafts.get(task_id, ADMIN) == {"client_name": "the admin's"}
    drafts.discard(task_id, INTAKE)  # nothing left: no error


def test_only_the_assignee_or_a_role_holder_may_save(engine: Engine, drafts: DraftService) -> None:
    task_id = intake_task(engine)
    with pytest.raises(Forbidden):
        drafts.save(task_id, CASE_MANAGER, {"client_name": "x"})
    with pytest.raises(Forbidden):
        drafts.save(task_id, SUPERVISOR, {"client_name": "x"})  # may see it, not work it
    with pytest.raises(NotFound):
        drafts.save("no-such-task", INTAKE, {})
    assert drafts.get(task_id, CASE_MANAGER) is None


def test_a_completed_task_takes_no_drafts(engine: Engine, drafts: DraftService) -> None:
    task_id = intake_task(engine)
    engine.tasks.complete(task_id, {"client_name": "Ada", "urgency": "routine"}, INTAKE)
    with pytest.raises(Conflict):
        drafts.save(task_id, INTAKE, {"client_name": "late"})
