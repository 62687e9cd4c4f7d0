"""The supervisor's instance monitor through the services: filters, counts, paging, incidents,
retries, actions that need a reason, heatmap and element states."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import BadRequest, Conflict, Engine, Forbidden, FrozenClock
from engine.persistence.tables import AuditEvent, CareCase
from engine.services.monitor_views import InstanceFilter
from tests.care_story import CONSENT, ELIGIBLE, open_case, work
from tests.conftest import ADMIN, CASE_MANAGER, INTAKE, OTHER_CM, SUPERVISOR

REFERRAL = {"client_name": "Ann", "urgency": "routine"}
CONTACT = {"contacted": True, "minutes": 30}
NO_FILTER = InstanceFilter()


def _fail(engine: Engine) -> int:
    """A script_error instance stopped in error at `divide` (divisor 0)."""
    started = engine.instances.start("script_error", {}, INTAKE)
    [task] = started.ready_tasks
    engine.tasks.claim(task.id, CASE_MANAGER)
    failed = engine.tasks.complete(task.id, {"divisor": 0}, CASE_MANAGER)
    assert failed.status == "error"
    return failed.id


def _reasons(engine: Engine, instance_id: int, action: str) -> list[str]:
    with engine.context.uow() as uow:
        events = uow.session.scalars(
            select(AuditEvent).where(
                AuditEvent.instance_id == instance_id, AuditEvent.action == action
            )
        )
        return [e.detail.get("reason", "") for e in events]


def test_filters_counts_and_pages(engine: Engine, clock: FrozenClock) -> None:
    early = [engine.instances.start("user_lanes", {}, INTAKE).id for _ in range(3)]
    clock.advance(timedelta(days=1))
    timers = engine.instances.start("timers", {}, INTAKE).id
    failed = _fail(engine)
    page = engine.monitor.page(SUPERVISOR, NO_FILTER, limit=2)
    assert [r.id for r in page.rows] == [failed, timers]
    assert (page.total, page.pages, page.page) == (5, 3, 1)
    assert page.counts["waiting"] == 4 and page.counts["error"] == 1
    last = engine.monitor.page(SUPERVISOR, NO_FILTER, limit=2, offset=4)
    assert [r.id for r in last.rows] == [early[0]] and last.page == 3
    waiting = engine.monitor.page(SUPERVISOR, InstanceFilter(status="waiting"))
    assert waiting.total == 4 and failed not in [r.id for r in waiting.rows]
    assert waiting.counts["error"] == 1  # counts ignore the status filter
    lanes = InstanceFilter(process_id="user_lanes", version=1)
    assert sorted(r.id for r in engine.monitor.page(SUPERVISOR, lanes).rows) == early
    assert engine.monitor.page(SUPERVISOR, InstanceFilter(version=2)).total == 0
    opened = InstanceFilter(opened_from=clock.now() - timedelta(hours=1))
    assert sorted(r.id for r in engine.monitor.page(SUPERVISOR, opened).rows) == [timers, failed]
    before = InstanceFilter(opened_to=clock.now() - timedelta(hours=1))
    assert engine.monitor.counts(SUPERVISOR, before)["waiting"] == 3


def test_overdue_filter_follows_task_due_dates(engine: Engine, clock: FrozenClock) -> None:
    late = engine.instances.start("user_lanes", {}, INTAKE)
    engine.tasks.complete(late.ready_tasks[0].id, REFERRAL, INTAKE)  # first_contact due in 2 days
    engine.instances.start("user_lanes", {}, INTAKE)  # take_referral has no due date
    overdue = InstanceFilter(overdue=True)
    assert engine.monitor.page(SUPERVISOR, overdue).total == 0
    clock.advance(timedelta(days=2, hours=1))
    page = engine.monitor.page(SUPERVISOR, overdue)
    assert [r.id for r in page.rows] == [late.id] and page.rows[0].overdue


def test_case_filters_phase_manager_and_risk(eng: Engine) -> None:
    mine = open_case(eng)
    other = open_case(eng)
    work(eng, INTAKE, "intake_screening", ELIGIBLE, mine.id)
    work(eng, INTAKE, "consent", CONSENT, mine.id)
    work(eng, SUPERVISOR, "assign_case_manager", {"case_manager": "cara"}, mine.id)
    page = eng.monitor.page(SUPERVISOR, InstanceFilter(manager="cara"))
    assert [r.case_id for r in page.rows] == [mine.id]
    assert page.rows[0].client_name == "Ada Lovelace" and page.rows[0].manager == "cara"
    assert eng.monitor.page(SUPERVISOR, InstanceFilter(manager="carl")).total == 0
    intake = eng.monitor.page(SUPERVISOR, InstanceFilter(phase="intake"))
    assert sorted(r.case_id for r in intake.rows) == sorted([mine.id, other.id])
    assert eng.monitor.page(SUPERVISOR, InstanceFilter(phase="closed")).total == 0
    assert eng.monitor.page(SUPERVISOR, InstanceFilter(risk_tier="high")).total == 0
    with eng.context.uow() as uow:  # as the assessment's risk decision would set it
        row = uow.session.get(CareCase, other.id)
        assert row is not None
        row.risk_tier = "high"
        uow.commit()
    high = eng.monitor.page(SUPERVISOR, InstanceFilter(risk_tier="high", phase="intake"))
    assert [(r.case_id, r.risk_tier) for r in high.rows] == [(other.id, "high")]


def test_only_supervisors_and_admins_monitor(engine: Engine) -> None:
    for person in (CASE_MANAGER, INTAKE, OTHER_CM):
        with pytest.raises(Forbidden):
            engine.monitor.page(person, NO_FILTER)
        with pytest.raises(Forbidden):
            engine.monitor.incidents(person)
    assert engine.monitor.page(ADMIN, NO_FILTER).total == 0


def test_incidents_and_bulk_retry_report_each_instance(engine: Engine, clock: FrozenClock) -> None:
    first = _fail(engine)
    clock.advance(timedelta(minutes=5))
    second = _fail(engine)
    healthy = engine.instances.start("user_lanes", {}, INTAKE).id
    incidents = engine.monitor.incidents(SUPERVISOR)
    assert [i.instance_id for i in incidents] == [second, first]
    assert incidents[0].element_id == "divide" and "ZeroDivisionError" in str(incidents[0].message)
    assert incidents[0].failed_at == clock.now()
    assert incidents[1].failed_at == clock.now() - timedelta(minutes=5)
    fixed = engine.monitor.retry(first, SUPERVISOR, "divisor corrected", {"divisor": 4})
    assert fixed.status == "waiting" and fixed.ready_tasks[0].element_id == "show_result"
    outcomes = engine.monitor.retry_many([second, healthy, 99999], SUPERVISOR, "cause fixed?")
    by_id = {o.instance_id: o for o in outcomes}
    assert not by_id[second].ok and by_id[second].status == "error"  # still divides by zero
    assert "ZeroDivisionError" in str(by_id[second].error)
    assert not by_id[healthy].ok and "not in error" in str(by_id[healthy].error)
    assert not by_id[99999].ok and "does not exist" in str(by_id[99999].error)
    assert [i.instance_id for i in engine.monitor.incidents(SUPERVISOR)] == [second]
    assert _reasons(engine, first, "instance.resumed") == ["divisor corrected"]
    assert _reasons(engine, second, "instance.resumed") == ["cause fixed?"]


def test_actions_need_a_reason_and_audit_it(engine: Engine) -> None:
    instance = engine.instances.start("user_lanes", {}, INTAKE)
    for blank in ("", "   "):
        with pytest.raises(BadRequest, match="reason is required"):
            engine.monitor.suspend(instance.id, SUPERVISOR, blank)
    assert engine.instances.get(instance.id).status == "waiting"
    assert engine.monitor.suspend(instance.id, SUPERVISOR, "client in hospital").status == (
        "suspended"
    )
    with pytest.raises(BadRequest):
        engine.monitor.resume(instance.id, SUPERVISOR, "")
    assert engine.monitor.resume(instance.id, SUPERVISOR, "client home").status == "waiting"
    with pytest.raises(Conflict):
        engine.monitor.retry(instance.id, SUPERVISOR, "nothing failed")
    assert engine.monitor.terminate(instance.id, SUPERVISOR, "duplicate").status == "terminated"
    assert _reasons(engine, instance.id, "instance.suspended") == ["client in hospital"]
    assert _reasons(engine, instance.id, "instance.resumed") == ["client home"]
    assert _reasons(engine, instance.id, "instance.terminated") == ["duplicate"]
    with pytest.raises(Forbidden):
        engine.monitor.suspend(instance.id, CASE_MANAGER, "why not")


def test_reassign_a_task_with_a_reason(engine: Engine) -> None:
    started = engine.instances.start("user_lanes", {}, INTAKE)
    after = engine.tasks.complete(started.ready_tasks[0].id, REFERRAL, INTAKE)
    [task] = after.ready_tasks
    engine.tasks.claim(task.id, CASE_MANAGER)
    with pytest.raises(BadRequest, match="reason is required"):
        engine.monitor.reassign(task.id, "carl", SUPERVISOR, " ")
    with pytest.raises(BadRequest, match="holds none"):
        engine.monitor.reassign(task.id, "ines", SUPERVISOR, "ines has time")
    moved = engine.monitor.reassign(task.id, "carl", SUPERVISOR, "cara is on leave")
    assert moved.assignee == "carl"
    assert [t.id for t in engine.tasks.list(OTHER_CM, scope="mine")] == [task.id]
    assert engine.tasks.list(CASE_MANAGER, scope="mine") == []
    assert _reasons(engine, started.id, "task.assigned") == ["cara is on leave"]


def test_heatmap_counts_and_dwell(engine: Engine, clock: FrozenClock) -> None:
    ids = [engine.instances.start("user_lanes", {}, INTAKE) for _ in range(3)]
    engine.instances.start("timers", {}, INTAKE)
    clock.advance(timedelta(hours=1))
    moved = [engine.tasks.complete(i.ready_tasks[0].id, REFERRAL, INTAKE) for i in ids[:2]]
    clock.advance(timedelta(hours=2))
    contact = moved[0].ready_tasks[0]
    engine.tasks.claim(contact.id, CASE_MANAGER)
    engine.tasks.complete(contact.id, CONTACT, CASE_MANAGER)
    heat = engine.monitor.heatmap("user_lanes", 1, SUPERVISOR)
    cells = {c.element_id: c for c in heat.cells}
    assert set(cells) == {"take_referral", "first_contact"}
    assert (cells["take_referral"].waiting_now, cells["take_referral"].samples) == (1, 2)
    assert cells["take_referral"].avg_dwell_seconds == pytest.approx(3600, abs=1)
    assert (cells["first_contact"].waiting_now, cells["first_contact"].samples) == (1, 1)
    assert cells["first_contact"].avg_dwell_seconds == pytest.approx(7200, abs=1)
    assert cells["first_contact"].name == "First contact"
    timers = {c.element_id: c for c in engine.monitor.heatmap("timers", 1, SUPERVISOR).cells}
    assert timers["wait_one_hour"].waiting_now == 1  # due, but no scheduler ran it yet
    with pytest.raises(Forbidden):
        engine.monitor.heatmap("user_lanes", 1, CASE_MANAGER)


def test_element_states_of_a_real_care_cycle(eng: Engine) -> None:
    case = open_case(eng)
    work(eng, INTAKE, "intake_screening", ELIGIBLE, case.id)
    work(eng, INTAKE, "consent", CONSENT, case.id)
    work(eng, SUPERVISOR, "assign_case_manager", {"case_manager": "cara"}, case.id)
    assert case.instance_id is not None
    detail = eng.monitor.detail(case.instance_id, SUPERVISOR)
    assert detail.current_diagram == "cc_intake.bpmn"
    intake = detail.element_states["cc_intake.bpmn"]
    assert intake["first_contact"] == "active"
    assert intake["intake_screening"] == "completed"
    assert intake["assign_case_manager"] == "completed"
    assert detail.element_states["care_cycle.bpmn"]["call_intake"] == "waiting"
    assert "first_contact" not in detail.element_states.get("referral_intake.bpmn", {})
    drawn = {d.file: d for d in detail.diagrams}
    assert drawn["care_cycle.bpmn"].drawable and "cc_intake" in drawn["cc_intake.bpmn"].processes
    assert detail.case is not None and detail.case.manager == "cara"
    assert [t.element_id for t in detail.ready_tasks] == ["first_contact"]
    assert detail.audit[0].at >= detail.audit[-1].at
    assert {"task.completed", "instance.started"} <= {a.action for a in detail.audit}


def test_element_states_show_the_failed_step(engine: Engine) -> None:
    failed = _fail(engine)
    detail = engine.monitor.detail(failed, SUPERVISOR)
    states = detail.element_states["script_error.bpmn"]
    assert states["divide"] == "failed" and states["enter_divisor"] == "completed"
    assert "show_result" not in states
    assert any(a.action == "instance.failed" and a.element_id == "divide" for a in detail.audit)
    engine.monitor.retry(failed, SUPERVISOR, "fixed", {"divisor": 5})
    states = engine.monitor.detail(failed, SUPERVISOR).element_states["script_error.bpmn"]
    assert states["divide"] == "completed" and states["show_result"] == "active"
