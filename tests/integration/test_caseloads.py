"""Caseloads and moving cases between managers, on SQLite and PostgreSQL.

The counts are checked on a hand-built read model (cases and inbox rows written directly);
the moves on real care-cycle cases driven with tests/care_story.py's helpers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine import (
    Actor,
    BadRequest,
    Conflict,
    Engine,
    Forbidden,
    FrozenClock,
    NotFound,
)
from engine.persistence.tables import (
    AuditEvent,
    CareCase,
    HumanTask,
    ProcessInstance,
    ProcessVersion,
    User,
)
from engine.services import caseloads as caseloads_module
from tests.care_story import (
    CARA,
    CARL,
    CONSENT,
    ELIGIBLE,
    INES,
    SAM,
    open_case,
    work,
)
from tests.conftest import ADMIN
from tests.integration.test_approvals import OTHER_SUPERVISOR, add_supervisor

CODY = Actor("cody", frozenset({"case_manager"}))


def add_user(eng: Engine, username: str, team: str | None, active: bool = True) -> None:
    """A case manager who is not among the fixture people."""
    with eng.context.uow() as uow:
        uow.session.add(
            User(
                username=username,
                display_name=username.title(),
                password_hash="-",
                roles=["case_manager"],
                team=team,
                active=active,
                created_at=eng.clock.now(),
            )
        )
        uow.commit()


# -- counts on a known read model ------------------------------------------------------------


def build_read_model(eng: Engine) -> None:
    """cara: 3 open cases (2 high, 1 low) + 2 closed, 3 ready tasks (1 overdue) + 1 done;
    carl: nothing; cleo (left, inactive): 1 open case of unknown risk; cliff (left): nothing;
    cody (team south): 1 open case and 1 ready task."""
    add_user(eng, "cleo", "north", active=False)
    add_user(eng, "cliff", "north", active=False)
    add_user(eng, "cody", "south")
    now = eng.clock.now()
    with eng.context.uow() as uow:
        session = uow.session
        version = session.scalars(select(ProcessVersion)).first()
        assert version is not None
        instance = ProcessInstance(
            process_version_id=version.id,
            process_id=version.process_id,
            status="waiting",
            state="",
            data={},
            started_by="test",
            created_at=now,
            updated_at=now,
        )
        session.add(instance)
        session.flush()
        cases: list[tuple[str, str, str | None]] = [
            ("cara", "active", "high"),
            ("cara", "onhold", "high"),
            ("cara", "planned", "low"),
            ("cara", "finished", "high"),
            ("cara", "cancelled", "moderate"),
            ("cleo", "active", None),
            ("cody", "waitlist", "moderate"),
        ]
        for number, (manager, status, risk) in enumerate(cases):
            session.add(_case(f"Client {number}", manager, status, risk, now))
        tasks: list[tuple[str, str, Any]] = [
            ("cara", "ready", now - timedelta(hours=1)),
            ("cara", "ready", now + timedelta(days=1)),
            ("cara", "ready", None),
            ("cara", "completed", now - timedelta(days=3)),
            ("cody", "ready", now - timedelta(days=1)),
        ]
        for number, (assignee, status, due) in enumerate(tasks):
            session.add(_task(f"t{number}", instance.id, assignee, status, due, now))
        uow.commit()


def _case(name: str, manager: str, status: str, risk: str | None, now: Any) -> CareCase:
    return CareCase(
        client_name=name,
        status=status,
        phase="monitoring",
        manager=manager,
        risk_tier=risk,
        opened_by="ines",
        opened_at=now,
        updated_at=now,
    )


def _task(
    task_id: str, instance_id: int, assignee: str, status: str, due: Any, now: Any
) -> HumanTask:
    return HumanTask(
        id=task_id,
        instance_id=instance_id,
        process_id="care_cycle",
        element_id="monitoring_contact",
        name="Contact",
        candidate_roles=["case_manager"],
        assignee=assignee,
        due_at=due,
        status=status,
        created_at=now,
    )


def test_caseload_counts_per_manager_of_the_team(eng: Engine) -> None:
    build_read_model(eng)
    overview = eng.caseloads.overview(SAM)
    assert overview.team == "north"
    rows = {
        m.username: (m.active, m.open_cases, m.open_tasks, m.overdue_tasks, m.risk)
        for m in overview.managers
    }
    none = {"high": 0, "moderate": 0, "low": 0, "unknown": 0}
    assert rows == {
        "cara": (True, 3, 3, 1, {**none, "high": 2, "low": 1}),
        "carl": (True, 0, 0, 0, none),
        "cleo": (False, 1, 0, 0, {**none, "unknown": 1}),
    }
    totals = overview.totals
    assert (totals.open_cases, totals.open_tasks, totals.overdue_tasks) == (4, 3, 1)
    assert totals.risk == {"high": 2, "moderate": 0, "low": 1, "unknown": 1}


def test_a_managers_open_cases_highest_risk_first(eng: Engine, clock: FrozenClock) -> None:
    build_read_model(eng)
    clock.advance(timedelta(days=1))
    with eng.context.uow() as uow:
        uow.session.add(_case("Client new", "cara", "active", "moderate", clock.now()))
        uow.commit()
    listed = eng.caseloads.cases_of("cara", SAM)
    assert [(c.client_name, c.risk_tier, c.status) for c in listed] == [
        ("Client 0", "high", "active"),
        ("Client 1", "high", "onhold"),
        ("Client new", "moderate", "active"),
        ("Client 2", "low", "planned"),
    ]
    assert [c.client_name for c in eng.caseloads.cases_of("cleo", SAM)] == ["Client 5"]
    with pytest.raises(Forbidden):
        eng.caseloads.cases_of("cody", SAM)
    assert [c.client_name for c in eng.caseloads.cases_of("cody", ADMIN)] == ["Client 6"]


def test_admin_sees_every_team_and_others_are_refused(eng: Engine) -> None:
    build_read_model(eng)
    overview = eng.caseloads.overview(ADMIN)
    assert overview.team is None
    assert [m.username for m in overview.managers] == ["cara", "carl", "cleo", "cody"]
    assert overview.totals.open_cases == 5 and overview.totals.overdue_tasks == 2
    for person in (CARA, INES):
        with pytest.raises(Forbidden):
            eng.caseloads.overview(person)
        with pytest.raises(Forbidden):
            eng.caseloads.reassign(1, "carl", "cover", person)
        with pytest.raises(Forbidden):
            eng.caseloads.cases_of("cara", person)


# -- moving real cases -------------------------------------------------------------------------


def assigned_case(eng: Engine, manager: str = "cara") -> int:
    """A case just given to manager: their first-contact task is ready."""
    case_id = open_case(eng).id
    work(eng, INES, "intake_screening", ELIGIBLE, case_id)
    work(eng, INES, "consent", CONSENT, case_id)
    work(eng, SAM, "assign_case_manager", {"case_manager": manager}, case_id)
    return case_id


def ready_assignees(eng: Engine, case_id: int) -> dict[str, str | None]:
    return {
        t.element_id: t.assignee for t in eng.tasks.list(SAM, scope="all") if t.case_id == case_id
    }


def workflow_manager(eng: Engine, case_id: int) -> Any:
    with eng.context.uow() as uow:
        case = uow.session.get(CareCase, case_id)
        assert case is not None and case.instance_id is not None
        instance = uow.session.get(ProcessInstance, case.instance_id)
        assert instance is not None
        return instance.data.get("case_manager")


def reassigned_events(eng: Engine, case_id: int) -> list[dict[str, Any]]:
    with eng.context.uow() as uow:
        return [
            {"actor": e.actor, **e.detail}
            for e in uow.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.case_id == case_id, AuditEvent.action == "case.reassigned")
                .order_by(AuditEvent.id)
            )
        ]


def test_reassign_moves_case_workflow_tasks_and_future_tasks(
    eng: Engine, clock: FrozenClock
) -> None:
    case_id = assigned_case(eng)
    first_contact = ready_assignees(eng, case_id)
    assert first_contact == {"first_contact": "cara"}
    moved = eng.caseloads.reassign(case_id, "carl", "cara goes on leave", SAM)
    assert (moved.from_manager, moved.to_manager, len(moved.moved_task_ids)) == ("cara", "carl", 1)
    assert eng.cases.get(case_id, SAM).manager == "carl"
    assert workflow_manager(eng, case_id) == "carl"
    assert ready_assignees(eng, case_id) == {"first_contact": "carl"}
    assert [t.case_id for t in eng.tasks.list(CARA)] == []
    assert reassigned_events(eng, case_id) == [
        {
            "actor": "sam",
            "from": "cara",
            "to": "carl",
            "reason": "cara goes on leave",
            "moved_tasks": moved.moved_task_ids,
        }
    ]
    # the next task the process creates (in the next phase) goes to the new manager
    today = clock.now().date().isoformat()
    first = {"reached": True, "contact_date": today, "contact_method": "phone"}
    work(eng, CARL, "first_contact", first, case_id)
    assert ready_assignees(eng, case_id) == {"psychosocial_assessment": "carl"}
    assert eng.cases.get(case_id, SAM).phase == "assessment"


def test_reassign_validation(eng: Engine, clock: FrozenClock) -> None:
    case_id = assigned_case(eng)
    add_user(eng, "cleo", "north", active=False)
    add_user(eng, "cody", "south")
    add_supervisor(eng, OTHER_SUPERVISOR, "south")
    cases: list[tuple[str, str, Actor, type[Exception], str | None]] = [
        ("cara", "same", SAM, BadRequest, "manager"),
        ("cleo", "left", SAM, BadRequest, "manager"),
        ("ines", "not a case manager", SAM, BadRequest, "manager"),
        ("nobody", "unknown", SAM, BadRequest, "manager"),
        ("cody", "other team", SAM, BadRequest, "manager"),
        ("carl", "  ", SAM, BadRequest, "reason"),
        ("cody", "their own team's target, not their case", OTHER_SUPERVISOR, Forbidden, None),
    ]
    for target, reason, actor, error, field in cases:
        with pytest.raises(error) as caught:
            eng.caseloads.reassign(case_id, target, reason, actor)
        if field is not None:
            assert field in caught.value.errors, (target, reason)  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        eng.caseloads.reassign(999_999, "carl", "cover", SAM)
    assert eng.cases.get(case_id, SAM).manager == "cara"
    assert reassigned_events(eng, case_id) == []
    # an admin oversees every team
    eng.caseloads.reassign(case_id, "cody", "moved to the south office", ADMIN)
    assert ready_assignees(eng, case_id) == {"first_contact": "cody"}


def test_a_suspended_case_moves_without_running_and_a_terminated_one_is_refused(
    eng: Engine, clock: FrozenClock
) -> None:
    held = assigned_case(eng)
    ended = assigned_case(eng)
    held_instance = eng.cases.get(held, SAM).instance_id
    ended_instance = eng.cases.get(ended, SAM).instance_id
    assert held_instance is not None and ended_instance is not None
    eng.instances.suspend(held_instance, SAM, "client in hospital")
    eng.instances.terminate(ended_instance, SAM, "duplicate referral")
    eng.caseloads.reassign(held, "carl", "cover while cara is away", SAM)
    case = eng.cases.get(held, SAM)
    assert (case.manager, case.status) == ("carl", "onhold")
    assert eng.instances.get(held_instance).status == "suspended"
    assert ready_assignees(eng, held) == {"first_contact": "carl"}
    eng.instances.resume(held_instance, SAM, "back home")
    assert ready_assignees(eng, held) == {"first_contact": "carl"}
    with pytest.raises(Conflict):
        eng.caseloads.reassign(ended, "carl", "cover", SAM)
    assert eng.cases.get(ended, SAM).manager == "cara"


def test_bulk_reassign_spreads_evenly_audits_each_and_deactivates(
    eng: Engine, clock: FrozenClock
) -> None:
    add_user(eng, "cody", "north")
    existing = assigned_case(eng, "cody")
    leaving = [assigned_case(eng, "cara") for _ in range(3)]
    result = eng.caseloads.reassign_all(
        "cara", ["cody", "carl"], "cara leaves the service", SAM, deactivate=True
    )
    # carl has 0 open cases, cody 1: carl, then carl (tie, alphabetical), then cody
    assert [(m.case_id, m.to_manager) for m in result.moved] == [
        (leaving[0], "carl"),
        (leaving[1], "carl"),
        (leaving[2], "cody"),
    ]
    assert result.failed == [] and result.deactivated is True
    for case_id, target in zip(leaving, ["carl", "carl", "cody"], strict=True):
        assert eng.cases.get(case_id, SAM).manager == target
        assert ready_assignees(eng, case_id) == {"first_contact": target}
        (event,) = reassigned_events(eng, case_id)
        assert (event["from"], event["to"], event["reason"]) == (
            "cara",
            target,
            "cara leaves the service",
        )
    assert eng.cases.get(existing, SAM).manager == "cody"
    with eng.context.uow() as uow:
        assert uow.session.scalar(select(User.active).where(User.username == "cara")) is False
    loads = {m.username: m.open_cases for m in eng.caseloads.overview(SAM).managers}
    assert loads == {"carl": 2, "cody": 2}


def test_bulk_reassign_reports_a_failed_case_and_keeps_the_others(
    eng: Engine, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = assigned_case(eng), assigned_case(eng)
    real_move = caseloads_module.move_case

    def flaky(*args: Any) -> Any:
        if args[3] == first:
            raise Conflict("the instance was changed by someone else; reload and try again")
        return real_move(*args)

    monkeypatch.setattr(caseloads_module, "move_case", flaky)
    result = eng.caseloads.reassign_all("cara", ["carl"], "cara leaves", SAM, deactivate=True)
    assert [m.case_id for m in result.moved] == [second]
    assert [(f.case_id, "changed by someone else" in f.message) for f in result.failed] == [
        (first, True)
    ]
    assert result.deactivated is False
    assert eng.cases.get(first, SAM).manager == "cara"
    assert eng.cases.get(second, SAM).manager == "carl"


def test_bulk_reassign_validation(eng: Engine) -> None:
    add_user(eng, "cleo", "north", active=False)
    bad: list[tuple[str, list[str], str, str]] = [
        ("cara", [], "leaves", "to_managers"),
        ("cara", ["cara", "carl"], "leaves", "to_managers"),
        ("cara", ["cleo"], "leaves", "manager"),
        ("nobody", ["carl"], "leaves", "from_manager"),
        ("cara", ["carl"], "", "reason"),
    ]
    for departing, targets, reason, field in bad:
        with pytest.raises(BadRequest) as caught:
            eng.caseloads.reassign_all(departing, targets, reason, SAM)
        assert field in caught.value.errors, (departing, targets)
