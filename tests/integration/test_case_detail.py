"""The case page's read model (CaseDetailService) over the real processes/ and forms/.

A case is driven through intake, assessment, planning (with an agency referral), two
monitoring contacts and an evaluation, as tests/processes/test_care_paths.py does; the
detail is then read the way the page reads it: from the read models and the audit log.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from engine import (
    Engine,
    Forbidden,
    FormInvalid,
    FrozenClock,
    NotFound,
)
from engine.persistence.tables import CaseNote, ProcessInstance
from engine.services.case_detail import CaseDetailService
from tests.care_story import (
    CARA,
    CARL,
    INES,
    SAM,
    audit_count,
    open_case,
    to_monitoring_with_progress,
)


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
