"""Instances through the services: versions, forms, roles, messages, errors, lifecycle, audit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import Conflict, Engine, Forbidden, FormInvalid, FrozenClock, ProcessInvalid
from engine.persistence.tables import AuditEvent, HumanTask, ProcessInstance, Timer
from engine.runtime.specs import load_directory
from tests.conftest import CASE_MANAGER, DESIGNER, INTAKE, OTHER_CM, PROCESSES, SUPERVISOR

REFERRAL = {"client_name": "Ann", "urgency": "routine"}


def _audit(engine: Engine, instance_id: int) -> list[tuple[str, str | None, str | None]]:
    with engine.context.uow() as uow:
        rows = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
        )
        return [(r.action, r.from_status, r.to_status) for r in rows]


def _lock_version(engine: Engine, instance_id: int) -> int:
    with engine.context.uow() as uow:
        row = uow.session.get(ProcessInstance, instance_id)
        assert row is not None
        return row.lock_version


def test_running_instances_keep_their_version(engine: Engine, tmp_path: Path) -> None:
    old = engine.instances.start("user_lanes", {}, INTAKE)
    source = (PROCESSES / "user_lanes.bpmn").read_text()
    changed = source.replace('name="Take referral"', 'name="Register referral"')
    assert changed != source
    sources = {"user_lanes.bpmn": changed.encode()}
    [deployed] = engine.processes.deploy(sources, DESIGNER)
    assert (deployed.process_id, deployed.version, deployed.created) == ("user_lanes", 2, True)
    assert engine.processes.deploy(sources, DESIGNER)[0].created is False
    new = engine.instances.start("user_lanes", {}, INTAKE)
    assert (old.version, new.version) == (1, 2)
    assert old.ready_tasks[0].name == "Take referral"
    assert new.ready_tasks[0].name == "Register referral"
    after = engine.tasks.complete(old.ready_tasks[0].id, REFERRAL, INTAKE)
    assert after.version == 1 and after.ready_tasks[0].element_id == "first_contact"


def test_invalid_files_are_refused_whole(engine: Engine) -> None:
    sources = load_directory(PROCESSES / "invalid")
    sources["user_lanes.bpmn"] = (PROCESSES / "user_lanes.bpmn").read_bytes()
    with pytest.raises(ProcessInvalid) as caught:
        engine.processes.deploy(sources, DESIGNER)
    keys = set(caught.value.errors)
    for expected in (
        "dangling_flow.bpmn:flow_dangling",
        "missing_called.bpmn:call_missing",
        "bad_script.bpmn:script_bad_syntax",
        "bad_timer.bpmn:timer_unquoted",
        "missing_form.bpmn:task_missing_form",
    ):
        assert expected in keys, keys
    assert any(k.startswith("bad_xml.bpmn:line-") for k in keys), keys
    assert [p.version for p in engine.processes.latest() if p.process_id == "user_lanes"] == [1]


def test_only_designers_deploy(engine: Engine) -> None:
    with pytest.raises(Forbidden):
        engine.processes.deploy({"a.bpmn": b"<x/>"}, CASE_MANAGER)


def test_invalid_form_data_changes_nothing(engine: Engine) -> None:
    view = engine.instances.start("user_lanes", {}, INTAKE)
    task_id = view.ready_tasks[0].id
    before = _lock_version(engine, view.id)
    with pytest.raises(FormInvalid) as caught:
        engine.tasks.complete(task_id, {"client_name": "", "urgency": "soon"}, INTAKE)
    assert set(caught.value.errors) == {"client_name", "urgency"}
    assert _lock_version(engine, view.id) == before
    assert engine.instances.get(view.id).ready_tasks[0].id == task_id
    assert [a for a, _, _ in _audit(engine, view.id)] == ["task.created", "instance.started"]


def test_roles_and_claims_decide_who_completes(engine: Engine) -> None:
    view = engine.instances.start("user_lanes", {}, INTAKE)
    task_id = view.ready_tasks[0].id
    with pytest.raises(Forbidden):
        engine.tasks.complete(task_id, REFERRAL, CASE_MANAGER)
    engine.tasks.claim(task_id, INTAKE)
    with pytest.raises(Conflict):
        engine.tasks.claim(task_id, INTAKE.__class__("ivy", frozenset({"intake"})))
    view = engine.tasks.complete(task_id, REFERRAL, INTAKE)
    second = view.ready_tasks[0]
    assert second.due_at is not None
    engine.tasks.claim(second.id, CASE_MANAGER)
    with pytest.raises(Conflict):
        engine.tasks.complete(second.id, {"contacted": True}, OTHER_CM)
    engine.tasks.assign(second.id, "carl", SUPERVISOR)
    assert engine.tasks.list(OTHER_CM, scope="mine")[0].id == second.id
    assert engine.tasks.complete(second.id, {"contacted": True}, OTHER_CM).status == "completed"
    with pytest.raises(Conflict):
        engine.tasks.complete(second.id, {"contacted": True}, OTHER_CM)


def test_team_scope_offers_tasks_to_matching_roles(engine: Engine) -> None:
    view = engine.instances.start("user_lanes", {}, INTAKE)
    assert [t.id for t in engine.tasks.list(INTAKE, scope="team")] == [view.ready_tasks[0].id]
    assert engine.tasks.list(CASE_MANAGER, scope="team") == []
    with pytest.raises(Forbidden):
        engine.tasks.list(CASE_MANAGER, scope="all")
    assert len(engine.tasks.list(SUPERVISOR, scope="all")) == 1


def test_messages_reach_only_waiting_instances(engine: Engine) -> None:
    view = engine.instances.start("message_catch", {}, CASE_MANAGER)
    with pytest.raises(Conflict):
        engine.instances.deliver_message(view.id, "agency_response", {}, CASE_MANAGER)
    engine.tasks.complete(view.ready_tasks[0].id, {"agency": "Housing"}, CASE_MANAGER)
    with pytest.raises(Conflict):
        engine.instances.deliver_message(view.id, "no_such_message", {}, CASE_MANAGER)
    view = engine.instances.deliver_message(
        view.id, "agency_response", {"status": "approved"}, CASE_MANAGER
    )
    assert [t.element_id for t in view.ready_tasks] == ["review_response"]
    assert view.data["agency_reply"] == {"status": "approved"}


def test_script_failure_puts_instance_in_error_and_resume_retries(engine: Engine) -> None:
    view = engine.instances.start("script_error", {}, CASE_MANAGER)
    view = engine.tasks.complete(view.ready_tasks[0].id, {"divisor": 0}, CASE_MANAGER)
    assert view.status == "error"
    assert view.error_element == "divide"
    assert "ZeroDivisionError" in (view.error_message or "")
    assert view.ready_tasks == []
    with pytest.raises(Forbidden):
        engine.instances.resume(view.id, CASE_MANAGER)
    view = engine.instances.resume(view.id, SUPERVISOR, "retry as is")
    assert view.status == "error"  # cause not fixed: fails again, once
    view = engine.instances.resume(view.id, SUPERVISOR, "divisor fixed", corrections={"divisor": 4})
    assert view.status == "waiting" and view.error_element is None
    assert [t.element_id for t in view.ready_tasks] == ["show_result"]
    actions = [a for a, _, _ in _audit(engine, view.id)]
    assert actions.count("instance.failed") == 2 and actions.count("instance.resumed") == 2


def test_suspend_blocks_work_until_resumed(engine: Engine) -> None:
    view = engine.instances.start("user_lanes", {}, INTAKE)
    task_id = view.ready_tasks[0].id
    assert engine.instances.suspend(view.id, SUPERVISOR, "on hold").status == "suspended"
    with pytest.raises(Conflict):
        engine.tasks.complete(task_id, REFERRAL, INTAKE)
    with pytest.raises(Conflict):
        engine.instances.suspend(view.id, SUPERVISOR)
    assert engine.instances.resume(view.id, SUPERVISOR).status == "waiting"
    assert engine.tasks.complete(task_id, REFERRAL, INTAKE).status == "waiting"
    assert ("instance.suspended", "waiting", "suspended") in _audit(engine, view.id)


def test_terminate_cancels_tasks_and_timers(engine: Engine, clock: FrozenClock) -> None:
    view = engine.instances.start("timer_cycle", {}, CASE_MANAGER)
    assert len(view.waiting_timers) == 1
    clock.advance(timedelta(days=30))
    view = engine.instances.terminate(view.id, SUPERVISOR, "client moved")
    assert view.status == "terminated" and view.ready_tasks == [] and view.waiting_timers == []
    with engine.context.uow() as uow:
        statuses = set(
            uow.session.scalars(select(Timer.status).where(Timer.instance_id == view.id))
        )
        tasks = set(
            uow.session.scalars(select(HumanTask.status).where(HumanTask.instance_id == view.id))
        )
    assert statuses == {"cancelled"} and tasks == {"cancelled"}
    with pytest.raises(Conflict):
        engine.instances.resume(view.id, SUPERVISOR)


def test_timer_rows_follow_the_workflow(engine: Engine, clock: FrozenClock) -> None:
    start = clock.now()
    view = engine.instances.start("timers", {}, CASE_MANAGER)
    [timer] = view.waiting_timers
    assert (timer.element_id, timer.due_at) == ("wait_one_hour", start + timedelta(hours=1))
    clock.advance(timedelta(hours=1, seconds=1))
    view = engine.instances.fire_due_timers(view.id, SUPERVISOR)
    assert [t.element_id for t in view.ready_tasks] == ["assessment"]
    fired_at = start + timedelta(hours=1, microseconds=1)  # a timer fires at its own due time
    dues = {t.element_id: t.due_at - fired_at for t in view.waiting_timers}
    assert dues == {"reminder_timer": timedelta(days=2), "escalation_timer": timedelta(days=5)}
    view = engine.tasks.complete(view.ready_tasks[0].id, {}, CASE_MANAGER)
    assert view.status == "completed" and view.waiting_timers == []
    with engine.context.uow() as uow:
        rows = {
            (t.element_id, t.status)
            for t in uow.session.scalars(select(Timer).where(Timer.instance_id == view.id))
        }
    assert rows == {
        ("wait_one_hour", "fired"),
        ("reminder_timer", "cancelled"),
        ("escalation_timer", "cancelled"),
    }


def test_a_crash_mid_step_leaves_the_last_committed_state(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = engine.instances.start("user_lanes", {}, INTAKE)
    task_id = view.ready_tasks[0].id
    before = _lock_version(engine, view.id)

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr("engine.services.sync.sync_timers", crash)
    with pytest.raises(RuntimeError):
        engine.tasks.complete(task_id, REFERRAL, INTAKE)
    monkeypatch.undo()
    assert _lock_version(engine, view.id) == before
    with engine.context.uow() as uow:
        row = uow.session.get(HumanTask, task_id)
        assert row is not None and row.status == "ready"
        count = uow.session.scalar(select(func.count()).select_from(HumanTask))
        assert count == 1
    assert engine.tasks.complete(task_id, REFERRAL, INTAKE).status == "waiting"


def test_long_loop_through_the_database(engine: Engine) -> None:
    view = engine.instances.start("backedge_loop", {}, CASE_MANAGER)
    for week in range(400):
        [task] = view.ready_tasks
        view = engine.tasks.complete(task.id, {"done": week == 399, "week": week}, CASE_MANAGER)
    assert view.status == "completed" and view.data == {"done": True, "week": 399}


def test_prefill_comes_from_the_task_itself_and_its_last_submission(engine: Engine) -> None:
    view = engine.instances.start("multi_instance", {"items": ["housing", "food"]}, SUPERVISOR)
    details = [engine.tasks.get(t.id, SUPERVISOR) for t in view.ready_tasks]
    assert sorted(d.context["item"] for d in details) == ["food", "housing"]
    assert all(d.data == {} for d in details)  # the form asks for an outcome nobody gave yet


def test_a_failing_timer_step_errors_once_and_retries_after_resume(
    engine: Engine, clock: FrozenClock
) -> None:
    view = engine.instances.start("timer_then_error", {"divisor": 0}, CASE_MANAGER)
    clock.advance(timedelta(hours=2))
    firings = engine.timers.fire_next("test")
    assert firings is not None and [f.element_id for f in firings] == ["wait_an_hour"]
    failed = engine.instances.get(view.id)
    assert failed.status == "error" and failed.error_element == "divide"
    assert engine.timers.fire_next("test") is None  # no hot loop on a failed instance
    assert engine.timers.next_due() is None
    view = engine.instances.resume(view.id, SUPERVISOR, "fixed", corrections={"divisor": 4})
    assert view.status == "waiting" and [t.element_id for t in view.ready_tasks] == ["show_result"]
    assert view.data["result"] == 25
