"""Two people act on the same task at the same moment: exactly one wins, the other gets 409."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from engine import Actor, Conflict, Engine
from engine.persistence.tables import AuditEvent, HumanTask
from engine.runtime.instance import RunningInstance
from tests.conftest import INTAKE

REFERRAL = {"client_name": "Ann", "urgency": "routine"}
SECOND_INTAKE = Actor("ines2", frozenset({"intake"}))


def _race(*calls: Callable[[], Any]) -> list[Any]:
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            results[i] = call()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _count(engine: Engine, action: str) -> int:
    with engine.context.uow() as uow:
        return int(
            uow.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
            )
            or 0
        )


def test_two_concurrent_completions_one_wins(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = engine.instances.start("user_lanes", {}, INTAKE)
    task_id = view.ready_tasks[0].id
    both_loaded = threading.Barrier(2, timeout=2)
    original = RunningInstance.complete
    overlapped: list[bool] = []

    def complete_after_both_loaded(self: RunningInstance, tid: str, values: dict[str, Any]) -> Any:
        try:
            both_loaded.wait()
            overlapped.append(True)
        except threading.BrokenBarrierError:
            pass  # SQLite serializes writers at BEGIN: the second never loads alongside
        return original(self, tid, values)

    monkeypatch.setattr(RunningInstance, "complete", complete_after_both_loaded)
    results = _race(
        lambda: engine.tasks.complete(task_id, REFERRAL, INTAKE),
        lambda: engine.tasks.complete(task_id, REFERRAL, SECOND_INTAKE),
    )
    wins = [r for r in results if not isinstance(r, Exception)]
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(wins) == 1, results
    assert len(losses) == 1 and isinstance(losses[0], Conflict), results
    if engine.db.dialect.name == "postgresql":  # both held the same version: the lock decided
        assert overlapped == [True, True]
        assert "changed by someone else" in losses[0].message
    after = engine.instances.get(view.id)
    assert [t.element_id for t in after.ready_tasks] == [wins[0].ready_tasks[0].element_id]
    assert _count(engine, "task.completed") == 1
    with engine.context.uow() as uow:
        row = uow.session.get(HumanTask, task_id)
        assert row is not None and row.status == "completed"


def test_two_concurrent_claims_one_wins(engine: Engine) -> None:
    view = engine.instances.start("user_lanes", {}, INTAKE)
    task_id = view.ready_tasks[0].id
    results = _race(
        lambda: engine.tasks.claim(task_id, INTAKE),
        lambda: engine.tasks.claim(task_id, SECOND_INTAKE),
    )
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 1, results
    assert any(isinstance(r, Conflict) for r in results), results
    assert engine.instances.get(view.id).ready_tasks[0].assignee == wins[0].assignee
    assert _count(engine, "task.claimed") == 1
