"""The case page's read model (CaseDetailService) over the real processes/ and forms/.

A case is driven through intake, assessment, planning (with an agency referral), two
monitoring contacts and an evaluation, as tests/processes/test_care_paths.py does; the
detail is then read the way the page reads it: from the read models and the audit log.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine import (
    SYSTEM_ACTOR,
    Actor,
    CaseView,
    Engine,
    Forbidden,
    FormInvalid,
    FrozenClock,
    NotFound,
    build,
)
from engine.persistence.tables import AuditEvent, CaseNote, ProcessInstance
from engine.services.case_detail import CaseDetailService
from tests.conftest import (
    CASE_MANAGER,
    DESIGNER,
    INTAKE,
    OTHER_CM,
    SUPERVISOR,
    add_people,
    make_settings,
)

# -- a small copy of tests/processes/test_care_paths.py's vocabulary -------------------------

ROOT = Path(__file__).resolve().parents[2]
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


def to_monitoring_with_progress(eng: Engine, clock: FrozenClock) -> int:
    """cara's low-risk case: planned with one agency referral (answered), two contacts, an
    evaluation that continues the care (a second PHQ-9): the plan is open for review."""
    case_id = open_case(eng).id
    today = clock.now().date().isoformat()
    work(eng, INES, "intake_screening", ELIGIBLE, case_id)
    work(eng, INES, "consent", CONSENT, case_id)
    work(eng, SAM, "assign_case_manager", {"case_manager": "cara"}, case_id)
    first = {"reached": True, "contact_date": today, "contact_method": "phone"}
    work(eng, CARA, "first_contact", first, case_id)
    work(eng, CARA, "psychosocial_assessment", PSYCHOSOCIAL, case_id)
    work(eng, CARA, "instruments", INSTRUMENTS, case_id)
    work(eng, CARA, "risk_review", {"override": False}, case_id)
    work(eng, CARA, "service_plan", PLAN, case_id)
    work(eng, CARA, "client_decision", CLIENT_DECISION, case_id)
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


@pytest.fixture
def eng(db_url: str, clock: FrozenClock, tmp_path: Path, password_hash: str) -> Iterator[Engine]:
    """The shipped processes/ and forms/ deployed; cara and carl are the case managers."""
    settings = replace(
        make_settings(db_url, tmp_path), processes_dir=ROOT / "processes", forms_dir=ROOT / "forms"
    )
    engine = build(settings, clock)
    add_people(engine, password_hash)
    engine.processes.deploy_directory(DESIGNER)
    yield engine
    engine.dispose()


def audit_count(eng: Engine, case_id: int, action: str, actor: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent)
    query = query.where(AuditEvent.case_id == case_id, AuditEvent.action == action)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    with eng.context.uow() as uow:
        return int(uow.session.scalar(query) or 0)


def test_detail_shows_the_whole_case(eng: Engine, clock: FrozenClock) -> None:
    case_id = to_monitoring_with_progress(eng, clock)
    service = CaseDetailService(eng.context)
    detail = service.detail(case_id, CARA)

    assert detail.client["name"] == "Ada Lovelace" and detail.client["language"] == "en"
    assert detail.referral["urgency"] == "routine"
    assert (detail.status, detail.phase, detail.manager, detail.risk_tier) == (
        "active",
        "planning",
        "cara",
        "low",
    )
    consents = {c.recipient: c for c in detail.consents}
    assert consents["City Housing"].purposes == ("referral",)
    assert not consents["City Housing"].expired and consents["Old Clinic"].expired

    plan = detail.plan
    assert plan is not None
    assert plan.problems == ("social isolation", "poor sleep")
    goals = {g.key: (g.description, g.target_date, g.achievement) for g in plan.goals}
    assert goals == {
        "g1": ("join a community group", "2026-06-30", "achieved"),
        "g2": ("sleep through the night", "2026-06-30", "improving"),
    }
    assert [(i.who, i.estimated_cost) for i in plan.interventions] == [
        ("case manager", 0.0),
        ("peer worker", 40.0),
    ]
    assert plan.total_cost == 40.0
    [referral] = plan.referrals
    assert (referral.agency, referral.status) == ("City Housing", "agency responded")
    assert referral.status_at is not None

    phq9 = detail.series("phq9")
    assert [(p.total, p.band) for p in phq9] == [(3, "minimal"), (0, "minimal")]
    assert [(p.total) for p in detail.series("gad7")] == [2, 0]
    latest = {s.instrument: s for s in detail.latest}
    assert (latest["phq9"].total, latest["phq9"].baseline_total) == (0, 3)
    assert latest["auditc"].band == "negative"
    assert latest["ahc"].detail == "no positive domains"

    texts = [e.text for e in detail.timeline]
    assert texts[0] == "cara viewed the case"  # this very read, newest first
    assert "cara completed Monitoring contact" in texts
    assert "timer fired: Next contact due" in texts
    assert "ines registered the referral and opened the case (routine)" in texts
    assert "system delivered the message agency response (referral r1)" in texts
    assert "sam completed Approve plan" in texts
    assert all(not t.startswith("system: timers") for t in texts)
    stamps = [e.at for e in detail.timeline]
    assert stamps == sorted(stamps, reverse=True)

    assert [(t.name, t.lane, t.assignee) for t in detail.open_tasks] == [
        ("Write service plan", "case_manager", "cara")
    ]
    # a step's consequences follow its command: the evaluation, then the new plan task
    evaluated = texts.index("cara completed Evaluate outcomes")
    assert texts[evaluated - 1] == "Write service plan is ready for the case manager lane"
    fired = texts.index("timer fired: Next contact due")
    assert texts[fired - 1] == "Monitoring contact is ready for the case manager lane"


def test_every_view_is_audited_in_the_read(eng: Engine, clock: FrozenClock) -> None:
    case_id = open_case(eng).id
    service = CaseDetailService(eng.context)
    before = audit_count(eng, case_id, "case.viewed")
    service.detail(case_id, INES)
    service.detail(case_id, SAM)
    assert audit_count(eng, case_id, "case.viewed") == before + 2
    assert audit_count(eng, case_id, "case.viewed", "sam") == 1
    detail = service.detail(case_id, SAM)
    assert detail.plan is None and detail.latest == () and detail.scores == ()
    assert [t.name for t in detail.open_tasks] == ["Intake screening"]


def test_an_unrelated_case_manager_is_refused_and_the_refusal_audited(
    eng: Engine, clock: FrozenClock
) -> None:
    case_id = open_case(eng).id
    service = CaseDetailService(eng.context)
    with pytest.raises(Forbidden):
        service.detail(case_id, CARL)
    assert audit_count(eng, case_id, "case.view_denied", "carl") == 1
    assert audit_count(eng, case_id, "case.viewed", "carl") == 0
    with pytest.raises(Forbidden):
        service.add_note(case_id, CARL, "let me in")
    assert audit_count(eng, case_id, "case.note_denied", "carl") == 1
    with pytest.raises(NotFound):
        service.detail(case_id + 1000, SAM)


def test_notes_are_appended_audited_and_listed_newest_first(
    eng: Engine, clock: FrozenClock
) -> None:
    case_id = open_case(eng).id
    service = CaseDetailService(eng.context)
    service.add_note(case_id, INES, "client prefers mornings")
    clock.advance(timedelta(minutes=5))
    service.add_note(case_id, SAM, "  checked the referral  ")
    with pytest.raises(FormInvalid):
        service.add_note(case_id, SAM, "   ")
    with pytest.raises(FormInvalid):
        service.add_note(case_id, SAM, "x" * 5001)
    detail = service.detail(case_id, SAM)
    assert [(n.author, n.text) for n in detail.notes] == [
        ("sam", "checked the referral"),
        ("ines", "client prefers mornings"),
    ]
    assert audit_count(eng, case_id, "case.note_added") == 2
    assert "sam added a note" in [e.text for e in detail.timeline]
    with eng.context.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(CaseNote)) == 2


def test_detail_never_loads_a_workflow(
    eng: Engine, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = to_monitoring_with_progress(eng, clock)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the case page loaded a workflow")

    monkeypatch.setattr(eng.context.codec, "load_workflow", refuse)
    monkeypatch.setattr(eng.instances, "_running", refuse)
    detail = CaseDetailService(eng.context).detail(case_id, SAM)
    assert detail.plan is not None
    with eng.context.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ProcessInstance)) == 1
