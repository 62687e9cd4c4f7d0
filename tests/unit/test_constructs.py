"""Every BPMN construct CareCycle supports, run from real fixture files.

Each scenario runs twice: in memory, and saved, pruned and restored after every step.
Both must give the same visible behaviour and end data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from engine.clock import FrozenClock
from tests.unit.runtime_driver import Driver

Scenario = Callable[[bool], Driver]
SCENARIOS: dict[str, Scenario] = {}


def scenario(fn: Scenario) -> Scenario:
    """Register a scenario under its function name."""
    SCENARIOS[fn.__name__] = fn
    return fn


@scenario
def user_lanes(persist: bool) -> Driver:
    d = Driver("user_lanes", persist=persist)
    [task] = d.running.ready_tasks()
    assert (task.element_id, task.lane, task.form_id) == ("take_referral", "intake", "fx_referral")
    d.complete("take_referral", {"client_name": "Ada", "urgency": "expedited", "notes": "x"})
    [task] = d.running.ready_tasks()
    assert (task.lane, task.candidate_roles, task.form_id) == (
        "case_manager",
        ("case_manager",),
        "fx_contact",
    )
    assert task.due_at is not None and (task.due_at - d.clock.now()).days == 2
    d.complete("first_contact", {"contacted": True, "minutes": 30})
    assert d.data() == {
        "client_name": "Ada",
        "urgency": "expedited",
        "notes": "x",
        "contacted": True,
        "minutes": 30,
    }
    return d


@scenario
def gateways_high(persist: bool) -> Driver:
    d = Driver("script_gateways", {"points": 7}, persist=persist)
    assert d.ready() == ["review"]
    d.complete("review")
    assert d.data() == {
        "points": 7,
        "score": 14,
        "band": "high",
        "a_done": True,
        "b_done": True,
        "team_notified": True,
        "supervisor_notified": True,
    }
    return d


@scenario
def gateways_zero(persist: bool) -> Driver:
    d = Driver("script_gateways", {"points": 0}, persist=persist)
    d.complete("review")
    assert d.data() == {
        "points": 0,
        "score": 0,
        "band": "normal",
        "a_done": True,
        "b_done": True,
        "routine_notified": True,
    }
    return d


@scenario
def embedded_subprocess(persist: bool) -> Driver:
    d = Driver("subprocess_embedded", persist=persist)
    d.complete("collect_household", {"household_size": 3, "language": "es"})
    d.complete("confirm")
    assert d.data()["summary"] == "3 person household (referral)"
    return d


@scenario
def call_activity(persist: bool) -> Driver:
    d = Driver("call_parent", {"client_id": 42}, persist=persist)
    d.complete("prepare", {"assessment_reason": "annual"})
    [child] = d.running.ready_tasks()
    assert (child.element_id, child.lane) == ("child_assess", "care_team")
    d.complete("child_assess", {"needs": 6, "comment": "housing"})
    d.complete("review_child_result")
    assert d.data() == {
        "client_id": 42,
        "assessment_reason": "annual",
        "needs": 6,
        "comment": "housing",
        "child_result": "high",
    }
    return d


@scenario
def business_rule(persist: bool) -> Driver:
    d = Driver("dmn_rule", {"score": 12}, persist=persist)
    [task] = d.running.ready_tasks()
    assert task.data["tier"] == "high"
    assert task.candidate_roles == ("case_manager", "supervisor")
    d.complete("show_tier", {"acknowledged": True})
    assert d.data() == {"score": 12, "tier": "high", "acknowledged": True}
    return d


@scenario
def message_catch(persist: bool) -> Driver:
    d = Driver("message_catch", persist=persist)
    d.complete("request_info", {"agency": "Housing Authority", "request": "records"})
    assert d.ready() == []
    assert [m.name for m in d.running.waiting_messages()] == ["agency_response"]
    d.message("agency_response", {"status": "approved", "reference": "HA-123"})
    d.complete("review_response")
    assert d.data()["agency_reply"] == {"status": "approved", "reference": "HA-123"}
    return d


@scenario
def event_gateway_reply(persist: bool) -> Driver:
    d = Driver("event_gateway", persist=persist)
    [timer] = d.running.waiting_timers()
    assert timer.element_id == "wait_gateway" and (timer.due_at - d.clock.now()).days == 14
    d.message("client_reply", {"text": "call me"})
    assert d.ready() == ["handle_reply"] and d.running.waiting_timers() == []
    d.complete("handle_reply")
    return d


@scenario
def event_gateway_timeout(persist: bool) -> Driver:
    d = Driver("event_gateway", persist=persist)
    d.advance(days=14)
    assert d.ready() == []
    d.advance(seconds=1)
    assert d.ready() == ["follow_up"] and d.running.waiting_messages() == []
    d.complete("follow_up")
    return d


@scenario
def boundary_timers(persist: bool) -> Driver:
    d = Driver("timers", persist=persist)
    assert d.ready() == []
    d.advance(hours=1)
    assert d.ready() == []  # due, but timers fire only once strictly past due
    d.advance(microseconds=1)
    assert d.ready() == ["assessment"]
    assert sorted(t.element_id for t in d.running.waiting_timers()) == [
        "escalation_timer",
        "reminder_timer",
    ]
    d.advance(days=2)
    assert d.ready() == ["assessment"]
    d.advance(seconds=1)
    assert d.ready() == ["assessment", "reminder"]
    d.complete("assessment", {"ok": 1})
    assert d.ready() == ["reminder"] and d.running.waiting_timers() == []
    d.complete("reminder")
    return d


@scenario
def interrupting_timer(persist: bool) -> Driver:
    d = Driver("timers", persist=persist)
    d.advance(hours=1, seconds=1)
    d.advance(days=5, seconds=1)
    assert d.ready() == ["escalation", "reminder"]
    d.complete("escalation")
    d.complete("reminder")
    return d


@scenario
def cycle_timer(persist: bool) -> Driver:
    d = Driver("timer_cycle", persist=persist)
    for expected in (1, 2, 3, 3):
        d.advance(hours=1, seconds=1)
        assert d.ready().count("nudge") == expected
    for _ in range(3):
        d.complete("nudge")
    d.complete("monitor")
    return d


@scenario
def date_timer(persist: bool) -> Driver:
    clock = FrozenClock(datetime(2029, 12, 31, 9, 0, tzinfo=UTC))
    d = Driver("timer_date", persist=persist, clock=clock)
    [timer] = d.running.waiting_timers()
    assert timer.due_at == datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    d.advance(days=1)
    assert d.ready() == []
    d.advance(seconds=1)
    d.complete("annual_review")
    return d


@scenario
def parallel_multi_instance(persist: bool) -> Driver:
    d = Driver("multi_instance", {"items": ["housing", "food", "transport"]}, persist=persist)
    tasks = d.running.ready_tasks()
    assert [t.data["item"] for t in tasks] == ["housing", "food", "transport"]
    for outcome in ("met", "referred", "declined"):
        d.complete("review_item", {"outcome": outcome})
    assert d.data()["outcomes"] == ["met", "referred", "declined"]
    assert d.data()["outcome_count"] == 3
    return d


@scenario
def sequential_multi_instance(persist: bool) -> Driver:
    d = Driver("sequential_mi", persist=persist)
    assert d.data() == {"numbers": [1, 2, 3, 4], "squares": [1, 4, 9, 16], "total": 30}
    return d


@scenario
def standard_loop(persist: bool) -> Driver:
    d = Driver("standard_loop", persist=persist)
    for i in (1, 2, 3):
        assert d.ready() == ["check_in"]
        d.complete("check_in", {"done": i == 3, "note": f"visit {i}"})
    assert d.data() == {"done": True, "note": "visit 3"}
    return d


@scenario
def error_boundary(persist: bool) -> Driver:
    d = Driver("boundary_error", {"age": 12}, persist=persist)
    assert d.ready() == ["handle_error"]
    d.complete("handle_error")
    assert d.data()["eligibility_error"] == {"age": 12, "reason": "under 18"}
    return d


@scenario
def escalation_boundary(persist: bool) -> Driver:
    d = Driver("boundary_escalation", {"risk": 8}, persist=persist)
    assert d.ready() == ["continue_work", "notify_supervisor"]
    d.complete("notify_supervisor")
    d.complete("continue_work")
    assert d.data() == {"risk": 8, "high_risk": True, "escalation": {"risk": 8}}
    return d


@scenario
def backedge_loop(persist: bool) -> Driver:
    d = Driver("backedge_loop", persist=persist)
    for month in range(5):
        d.complete("contact", {"done": month == 4, "month": month})
    assert d.data() == {"done": True, "month": 4}
    return d


@scenario
def bench_fifteen(persist: bool) -> Driver:
    d = Driver("bench_fifteen", {"urgency": "immediate"}, persist=persist)
    [task] = d.running.ready_tasks()
    assert task.due_at is not None and (task.due_at - d.clock.now()).days == 2
    d.advance(days=2, seconds=1)
    assert d.ready() == ["first_contact", "first_contact_reminder"]
    d.complete("first_contact_reminder")
    d.complete("first_contact", {"reached": False, "contact_method": "letter"})
    assert d.data()["status"] == "not_reached"
    return d


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_construct_runs_the_same_in_memory_and_persisted(name: str) -> None:
    in_memory = SCENARIOS[name](False)
    persisted = SCENARIOS[name](True)
    assert in_memory.done and persisted.done
    assert in_memory.failure is None and persisted.failure is None
    assert persisted.data() == in_memory.data()


def test_failed_script_leaves_no_half_applied_data_and_retries_with_corrections() -> None:
    d = Driver("partial_script", {"divisor": 0})
    assert d.failure is not None
    assert d.failure.element_id == "half_done"
    assert "ZeroDivisionError" in d.failure.message
    [failed] = d.running.failed_tasks()
    assert failed.element_id == "half_done"
    assert "written_before_failure" not in d.running.data()
    assert d.retry() is not None  # the cause is not fixed: it fails again, once
    assert d.retry({"divisor": 4}) is None
    assert d.ready() == ["show"]
    d.complete("show")
    assert d.data() == {"divisor": 4, "written_before_failure": True, "result": 25}


def test_gateway_failure_names_the_gateway() -> None:
    d = Driver("backedge_loop")
    failure = d.complete("contact", {})
    assert failure is not None and failure.element_id == "decide"
    assert d.retry({"done": True}) is None
    assert d.done
