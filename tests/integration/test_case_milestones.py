"""The case record's milestones that the supervisor reports count on, from a real care cycle."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine import SYSTEM_ACTOR, Engine, FrozenClock
from engine.persistence.tables import CareCase, CaseReferral, CaseScoreTrend
from tests.care_story import (
    CARA,
    CLIENT_DECISION,
    CONSENT,
    ELIGIBLE,
    INES,
    INSTRUMENTS,
    PLAN,
    PSYCHOSOCIAL,
    SAM,
    advance,
    open_case,
    to_monitoring_with_progress,
    work,
)


def _case(eng: Engine, case_id: int) -> CareCase:
    with eng.context.uow() as uow:
        case = uow.session.get(CareCase, case_id)
        assert case is not None
        uow.session.expunge(case)
        return case


def _referrals(eng: Engine, case_id: int) -> list[tuple[str, str]]:
    with eng.context.uow() as uow:
        rows = uow.session.scalars(select(CaseReferral).where(CaseReferral.case_id == case_id))
        return [(r.referral_key, r.status) for r in rows]


def _to_plan_approval(eng: Engine, clock: FrozenClock) -> int:
    case_id = open_case(eng).id
    work(eng, INES, "intake_screening", ELIGIBLE, case_id)
    work(eng, INES, "consent", CONSENT, case_id)
    work(eng, SAM, "assign_case_manager", {"case_manager": "cara"}, case_id)
    today = clock.now().date().isoformat()
    clock.advance(timedelta(days=1))
    unreached = {"reached": False, "contact_date": today, "contact_method": "phone"}
    work(eng, CARA, "first_contact", unreached, case_id)
    assert _case(eng, case_id).first_contact_at is None
    assert advance(eng, clock, days=2) == ["first_contact_retry"]
    work(eng, CARA, "first_contact", {**unreached, "reached": True}, case_id)
    work(eng, CARA, "psychosocial_assessment", PSYCHOSOCIAL, case_id)
    work(eng, CARA, "instruments", INSTRUMENTS, case_id)
    work(eng, CARA, "risk_review", {"override": False}, case_id)
    work(eng, CARA, "service_plan", PLAN, case_id)
    work(eng, CARA, "client_decision", CLIENT_DECISION, case_id)
    return case_id


def test_first_contact_and_plan_approval_are_stamped_once(eng: Engine, clock: FrozenClock) -> None:
    opened = clock.now()
    case_id = _to_plan_approval(eng, clock)
    case = _case(eng, case_id)
    assert case.opened_at == opened
    assert case.first_contact_at == opened + timedelta(days=3)
    assert case.plan_approved_at is None
    assert _referrals(eng, case_id) == []
    clock.advance(timedelta(days=4))
    work(eng, SAM, "plan_approval", {"plan_decision": "approve"}, case_id)
    case = _case(eng, case_id)
    assert case.plan_approved_at == opened + timedelta(days=7)
    assert case.cost_estimate == 40.0
    assert case.first_contact_at == opened + timedelta(days=3)
    assert _referrals(eng, case_id) == [("r1", "open")]


def test_an_agency_answer_closes_its_referral_and_satisfaction_is_kept(
    eng: Engine, clock: FrozenClock
) -> None:
    case_id = _to_plan_approval(eng, clock)
    work(eng, SAM, "plan_approval", {"plan_decision": "approve"}, case_id)
    instance_id = _case(eng, case_id).instance_id
    assert instance_id is not None
    eng.instances.deliver_message(
        instance_id,
        "agency_response",
        {"accepted": True},
        SYSTEM_ACTOR,
        correlation={"referral.id": "r1"},
    )
    assert _referrals(eng, case_id) == [("r1", "responded")]
    assert _case(eng, case_id).satisfaction is None


def test_satisfaction_is_the_latest_answer(eng: Engine, clock: FrozenClock) -> None:
    case_id = to_monitoring_with_progress(eng, clock)
    case = _case(eng, case_id)
    assert case.satisfaction == 5
    assert _referrals(eng, case_id) == [("r1", "responded")]


def test_score_trend_follows_the_case(eng: Engine, clock: FrozenClock) -> None:
    case_id = to_monitoring_with_progress(eng, clock)
    with eng.context.uow() as uow:
        phq9 = uow.session.get(CaseScoreTrend, (case_id, "phq9"))
        assert phq9 is not None
        assert (phq9.administrations, phq9.baseline_total, phq9.latest_total) == (2, 3, 0)
        assert phq9.latest_at == clock.now()
