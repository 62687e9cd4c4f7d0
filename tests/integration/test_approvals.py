"""The approvals queue over the shipped care cycle, on SQLite and PostgreSQL.

A real case is driven to the supervisor's plan approval (and another to closure approval)
with tests/care_story.py's helpers; the queue, approve and return-with-comments are then
exercised through ApprovalService.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import SYSTEM_ACTOR, Actor, Conflict, Engine, Forbidden, FormInvalid, FrozenClock
from engine.persistence.tables import AuditEvent, User
from tests.care_story import (
    CARA,
    SAM,
    advance,
    audit_count,
    to_plan_approval,
    work,
)
from tests.conftest import ADMIN

OTHER_SUPERVISOR = Actor("sue", frozenset({"supervisor"}))
NO_TEAM_SUPERVISOR = Actor("stan", frozenset({"supervisor"}))


def add_supervisor(eng: Engine, actor: Actor, team: str | None) -> None:
    """A supervisor who is not in the fixture people (e.g. of another team)."""
    with eng.context.uow() as uow:
        uow.session.add(
            User(
                username=actor.username,
                display_name=actor.username,
                password_hash="-",
                roles=sorted(actor.roles),
                team=team,
                created_at=eng.clock.now(),
            )
        )
        uow.commit()


def to_closure_approval(eng: Engine, clock: FrozenClock) -> int:
    """A case closed for 'unable to contact' after three missed contacts, awaiting approval."""
    case_id = to_plan_approval(eng, clock)
    work(eng, SAM, "plan_approval", {"plan_decision": "approve"}, case_id)
    instance_id = eng.cases.get(case_id, SAM).instance_id
    assert instance_id is not None
    eng.instances.deliver_message(
        instance_id,
        "agency_response",
        {"accepted": True},
        SYSTEM_ACTOR,
        correlation={"referral.id": "r1"},
    )
    assert advance(eng, clock, days=31) == ["wait_next_contact"]
    for attempt in range(3):
        if attempt:
            assert advance(eng, clock, days=3, seconds=1) == ["outreach_retry"]
        missed = {
            "reached": False,
            "contact_date": clock.now().date().isoformat(),
            "contact_method": "phone",
        }
        work(eng, CARA, "monitoring_contact", missed, case_id)
    summary = {"closure_reason": "unable_to_contact", "transition_plan": "letter with our number"}
    work(eng, CARA, "closure_summary", summary, case_id)
    return case_id


def ready_elements(eng: Engine, case_id: int) -> dict[str, str | None]:
    """Ready tasks of a case: element id -> assignee."""
    return {
        t.element_id: t.assignee for t in eng.tasks.list(SAM, scope="all") if t.case_id == case_id
    }


def test_queue_shows_the_plan_with_what_a_supervisor_needs(eng: Engine, clock: FrozenClock) -> None:
    case_id = to_plan_approval(eng, clock)
    clock.advance(timedelta(hours=3))
    queue = eng.approvals.queue(SAM)
    assert [(i.case_id, i.kind) for i in queue] == [(case_id, "plan")]
    item = queue[0]
    assert (item.client_name, item.manager, item.assignee) == ("Ada Lovelace", "cara", None)
    assert item.waiting_since == clock.now() - timedelta(hours=3)
    assert item.plan is not None and item.closure is None
    assert item.plan.problems == ["social isolation", "poor sleep"]
    assert [g["description"] for g in item.plan.goals] == [
        "join a community group",
        "sleep through the night",
    ]
    assert [i["what"] for i in item.plan.interventions] == ["find groups", "walk together"]
    assert item.plan.total_cost == 40
    assert [r["agency"] for r in item.plan.referrals] == ["City Housing"]
    assert item.plan.client_agrees is True
    assert eng.approvals.get(item.task_id, SAM) == item


def test_approve_moves_the_case_to_implementation(eng: Engine, clock: FrozenClock) -> None:
    case_id = to_plan_approval(eng, clock)
    task_id = eng.approvals.queue(SAM)[0].task_id
    decided = eng.approvals.decide(task_id, SAM, "approve")
    assert (decided.kind, decided.decision, decided.comments) == ("plan", "approve", None)
    case = eng.cases.get(case_id, SAM)
    assert case.phase == "implementation"
    assert eng.approvals.queue(SAM) == []
    assert audit_count(eng, case_id, "approval.decided", "sam") == 1
    with eng.context.uow() as uow:
        events = [
            (e.action, e.actor, e.detail)
            for e in uow.session.scalars(
                select(AuditEvent).where(AuditEvent.task_id == task_id).order_by(AuditEvent.id)
            )
        ]
    assert [(action, actor) for action, actor, _ in events[-3:]] == [
        ("task.claimed", "sam"),
        ("task.completed", "sam"),
        ("approval.decided", "sam"),
    ]
    assert events[-1][2] == {"kind": "plan", "decision": "approve", "comments": None}


def test_return_sends_the_plan_back_to_the_manager_with_the_comments(
    eng: Engine, clock: FrozenClock
) -> None:
    case_id = to_plan_approval(eng, clock)
    task_id = eng.approvals.queue(SAM)[0].task_id
    eng.approvals.decide(task_id, SAM, "return", "  Add a goal for sleep hygiene.  ")
    assert eng.cases.get(case_id, SAM).phase == "planning"
    assert ready_elements(eng, case_id) == {"service_plan": "cara"}
    plan_task = next(t for t in eng.tasks.list(CARA) if t.case_id == case_id)
    detail = eng.tasks.get(plan_task.id, CARA)
    assert detail.data["plan_comments"] == "Add a goal for sleep hygiene."
    assert eng.approvals.queue(SAM) == []


def test_returning_needs_comments_and_changes_nothing(eng: Engine, clock: FrozenClock) -> None:
    case_id = to_plan_approval(eng, clock)
    task_id = eng.approvals.queue(SAM)[0].task_id
    with pytest.raises(FormInvalid) as caught:
        eng.approvals.decide(task_id, SAM, "return", "   ")
    assert set(caught.value.errors) == {"comments"}
    with pytest.raises(FormInvalid) as bad:
        eng.approvals.decide(task_id, SAM, "maybe")
    assert set(bad.value.errors) == {"decision"}
    assert ready_elements(eng, case_id) == {"plan_approval": None}
    assert audit_count(eng, case_id, "approval.decided") == 0


def test_team_scoping_and_access(eng: Engine, clock: FrozenClock) -> None:
    to_plan_approval(eng, clock)
    add_supervisor(eng, OTHER_SUPERVISOR, "south")
    add_supervisor(eng, NO_TEAM_SUPERVISOR, None)
    task_id = eng.approvals.queue(SAM)[0].task_id
    assert eng.approvals.queue(OTHER_SUPERVISOR) == []
    assert [i.task_id for i in eng.approvals.queue(NO_TEAM_SUPERVISOR)] == [task_id]
    assert [i.task_id for i in eng.approvals.queue(ADMIN)] == [task_id]
    with pytest.raises(Forbidden):
        eng.approvals.decide(task_id, OTHER_SUPERVISOR, "approve")
    with pytest.raises(Forbidden):
        eng.approvals.queue(CARA)
    with pytest.raises(Forbidden):
        eng.approvals.decide(task_id, CARA, "approve")
    # a task handed to the other team's supervisor shows in their queue
    eng.tasks.assign(task_id, "sue", ADMIN)
    assert [i.task_id for i in eng.approvals.queue(OTHER_SUPERVISOR)] == [task_id]


def test_a_task_claimed_by_another_supervisor_is_a_conflict(
    eng: Engine, clock: FrozenClock
) -> None:
    case_id = to_plan_approval(eng, clock)
    add_supervisor(eng, NO_TEAM_SUPERVISOR, None)
    task_id = eng.approvals.queue(SAM)[0].task_id
    eng.tasks.claim(task_id, NO_TEAM_SUPERVISOR)
    assert eng.approvals.queue(SAM)[0].assignee == "stan"
    with pytest.raises(Conflict):
        eng.approvals.decide(task_id, SAM, "approve")
    assert eng.cases.get(case_id, SAM).phase == "planning"
    eng.approvals.decide(task_id, NO_TEAM_SUPERVISOR, "approve", "fine")
    assert eng.cases.get(case_id, SAM).phase == "implementation"
    with pytest.raises(Conflict):
        eng.approvals.decide(task_id, NO_TEAM_SUPERVISOR, "approve")


def test_closure_approval_shows_the_summary_and_closes_the_case(
    eng: Engine, clock: FrozenClock
) -> None:
    case_id = to_closure_approval(eng, clock)
    (item,) = eng.approvals.queue(SAM)
    assert (item.case_id, item.kind, item.plan) == (case_id, "closure", None)
    assert item.closure is not None
    assert item.closure.reason == "unable_to_contact"
    assert item.closure.transition_plan == "letter with our number"
    eng.approvals.decide(item.task_id, SAM, "return", "Call the sister first.")
    assert ready_elements(eng, case_id) == {"closure_summary": "cara"}
    summary = next(t for t in eng.tasks.list(CARA) if t.case_id == case_id)
    assert eng.tasks.get(summary.id, CARA).data["closure_comments"] == "Call the sister first."
    work(
        eng,
        CARA,
        "closure_summary",
        {"closure_reason": "unable_to_contact", "transition_plan": "sister called too"},
        case_id,
    )
    (again,) = eng.approvals.queue(SAM)
    assert again.closure is not None and again.closure.transition_plan == "sister called too"
    eng.approvals.decide(again.task_id, SAM, "approve")
    case = eng.cases.get(case_id, SAM)
    assert (case.status, case.phase) == ("finished", "closed")


def test_a_suspended_case_cannot_be_decided_until_resumed(eng: Engine, clock: FrozenClock) -> None:
    case_id = to_plan_approval(eng, clock)
    instance_id = eng.cases.get(case_id, SAM).instance_id
    assert instance_id is not None
    eng.instances.suspend(instance_id, SAM, "client in hospital")
    (item,) = eng.approvals.queue(SAM)
    assert item.instance_status == "suspended"
    with pytest.raises(Conflict):
        eng.approvals.decide(item.task_id, SAM, "approve")
    assert eng.approvals.queue(SAM)[0].assignee is None  # not left claimed
    eng.instances.resume(instance_id, SAM, "home again")
    eng.approvals.decide(item.task_id, SAM, "approve")
    assert eng.cases.get(case_id, SAM).phase == "implementation"
