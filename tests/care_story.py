"""A care-cycle story the case-page tests share: a case driven to monitoring with scores,
goals, a referral and an evaluation, through the engine's services only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from engine import SYSTEM_ACTOR, Actor, CaseView, Engine, FrozenClock
from engine.persistence.tables import AuditEvent
from tests.conftest import (
    CASE_MANAGER,
    INTAKE,
    OTHER_CM,
    SUPERVISOR,
)

ROOT = Path(__file__).resolve().parents[1]
CARA, CARL, SAM, INES = CASE_MANAGER, OTHER_CM, SUPERVISOR, INTAKE
ELIGIBLE = {
    "eligibility": {"age_18_plus": True, "in_service_area": True, "has_care_need": True},
    "screening_notes": "meets criteria",
}
HOUSING_CONSENT = {
    "recipient": "City Housing",
    "recipient_type": "social_services",
    "purposes": ["referral"],
    "valid_until": "2027-01-31",
}
OLD_CONSENT = {
    "recipient": "Old Clinic",
    "recipient_type": "health",
    "purposes": ["information_sharing"],
    "valid_until": "2025-06-30",
}
CONSENT = {
    "consents": [HOUSING_CONSENT, OLD_CONSENT],
    "client_signed": True,
    "consent_date": "2026-01-05",
}
PSYCHOSOCIAL = {
    "living_situation": "rents a flat alone",
    "support_network": "a sister nearby",
    "strengths": "motivated",
    "concerns": "isolation",
    "readiness": {"importance": 8, "confidence": 5, "readiness": 6},
    "stage_of_change": "preparation",
    "recent_admission": False,
}
CALM_AHC = {
    "living_situation": "steady",
    "housing_problems": ["none"],
    "food_worry": "never",
    "food_ran_out": "never",
    "transportation": False,
    "utilities": "no",
    "safety": {"physically_hurt": 1, "insult": 1, "threaten": 1, "scream_curse": 1},
}
INSTRUMENTS = {
    "phq9": {f"q{i}": v for i, v in enumerate([1, 1, 1, 0, 0, 0, 0, 0, 0], start=1)},
    "gad7": {f"q{i}": v for i, v in enumerate([1, 1, 0, 0, 0, 0, 0], start=1)},
    "auditc": {"q1": 1, "q2": 0, "q3": 0},
    "ahc": CALM_AHC,
}
G1 = {
    "id": "g1",
    "description": "join a community group",
    "target_date": "2026-06-30",
    "measure": "attends weekly",
}
G2 = {
    "id": "g2",
    "description": "sleep through the night",
    "target_date": "2026-06-30",
    "measure": "sleep diary",
}
HOUSING = {
    "id": "r1",
    "agency": "City Housing",
    "agency_type": "social_services",
    "purpose": "flat",
}
PLAN = {
    "problems": ["social isolation", "poor sleep"],
    "goals": [G1, G2],
    "interventions": [
        {"who": "case manager", "what": "find groups", "frequency": "weekly", "estimated_cost": 0},
        {
            "who": "peer worker",
            "what": "walk together",
            "frequency": "weekly",
            "estimated_cost": 40,
        },
    ],
    "referrals": [HOUSING],
    "physician_review": False,
}
CLIENT_DECISION = {
    "options_discussed": "community group, peer support",
    "client_choice": "I would like to try the walking group.",
    "client_agrees": True,
}


def open_case(eng: Engine) -> CaseView:
    client = {
        "name": "Ada Lovelace",
        "birth_date": "1980-12-10",
        "sex": "female",
        "phone": "+1 555 0100",
        "email": "ada@example.org",
        "address": "1 Main St",
        "language": "en",
    }
    referral = {"source": "hospital", "reason": "low mood after discharge", "urgency": "routine"}
    return eng.cases.open(client, referral, INES)


def work(eng: Engine, actor: Actor, element_id: str, data: dict[str, Any], case_id: int) -> None:
    """Claim the case's ready element_id task in actor's inbox and submit data."""
    candidates = [
        t
        for scope in ("mine", "team")
        for t in eng.tasks.list(actor, scope=scope)
        if t.element_id == element_id and t.case_id == case_id
    ]
    assert len(candidates) == 1, f"{actor.username} sees {len(candidates)} {element_id} tasks"
    eng.tasks.claim(candidates[0].id, actor)
    view = eng.tasks.complete(candidates[0].id, data, actor)
    assert view.status in ("running", "waiting", "completed"), view.error_message


def advance(eng: Engine, clock: FrozenClock, **delta: float) -> list[str]:
    """Move the clock and fire what fell due, as the scheduler does."""
    clock.advance(timedelta(**delta))
    fired: list[str] = []
    for _ in range(50):
        firings = eng.timers.fire_next("test")
        if firings is None:
            return fired
        fired.extend(f.element_id for f in firings)
    raise AssertionError("timers keep firing")


def to_plan_approval(eng: Engine, clock: FrozenClock, manager: Actor = CARA) -> int:
    """A case whose plan (two goals, two interventions costing 0 and 40) awaits approval."""
    case_id = open_case(eng).id
    today = clock.now().date().isoformat()
    work(eng, INES, "intake_screening", ELIGIBLE, case_id)
    work(eng, INES, "consent", CONSENT, case_id)
    work(eng, SAM, "assign_case_manager", {"case_manager": manager.username}, case_id)
    first = {"reached": True, "contact_date": today, "contact_method": "phone"}
    work(eng, manager, "first_contact", first, case_id)
    work(eng, manager, "psychosocial_assessment", PSYCHOSOCIAL, case_id)
    work(eng, manager, "instruments", INSTRUMENTS, case_id)
    work(eng, manager, "risk_review", {"override": False}, case_id)
    work(eng, manager, "service_plan", PLAN, case_id)
    work(eng, manager, "client_decision", CLIENT_DECISION, case_id)
    return case_id


def to_monitoring_with_progress(eng: Engine, clock: FrozenClock) -> int:
    """cara's low-risk case: planned with one agency referral (answered), two contacts, an
    evaluation that continues the care (a second PHQ-9): the plan is open for review."""
    case_id = to_plan_approval(eng, clock)
    work(eng, SAM, "plan_approval", {"plan_decision": "approve"}, case_id)
    instance_id = eng.cases.get(case_id, SAM).instance_id
    assert instance_id is not None
    clock.advance(timedelta(days=2))
    eng.instances.deliver_message(
        instance_id,
        "agency_response",
        {"accepted": True},
        SYSTEM_ACTOR,
        correlation={"referral.id": "r1"},
    )
    assert eng.cases.get(case_id, SAM).phase == "monitoring"
    assert advance(eng, clock, days=31) == ["wait_next_contact"]
    contact = {
        "reached": True,
        "contact_date": clock.now().date().isoformat(),
        "contact_method": "phone",
        "goal_updates": [
            {"goal_id": "g1", "achievement": "improving", "note": "went twice"},
            {"goal_id": "g2", "achievement": "no-change", "note": "still wakes at 4"},
        ],
        "contact_notes": "spoke with the client",
        "satisfaction": 4,
        "ready_for_evaluation": False,
    }
    work(eng, CARA, "monitoring_contact", contact, case_id)
    assert advance(eng, clock, days=31) == ["wait_next_contact"]
    contact["contact_date"] = clock.now().date().isoformat()
    contact["ready_for_evaluation"] = True
    work(eng, CARA, "monitoring_contact", contact, case_id)
    evaluation = {
        "goal_attainment": [
            {"goal_id": "g1", "achievement": "achieved"},
            {"goal_id": "g2", "achievement": "improving"},
        ],
        "phq9": {f"q{i}": 0 for i in range(1, 10)},
        "gad7": {f"q{i}": 0 for i in range(1, 8)},
        "satisfaction": 5,
        "evaluation_decision": "continue",
    }
    clock.advance(timedelta(days=1))
    work(eng, CARA, "evaluation", evaluation, case_id)
    return case_id


def audit_count(eng: Engine, case_id: int, action: str, actor: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent)
    query = query.where(AuditEvent.case_id == case_id, AuditEvent.action == action)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    with eng.context.uow() as uow:
        return int(uow.session.scalar(query) or 0)
