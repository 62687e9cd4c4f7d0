"""The case page (/cases/<id>) over the real processes/ and forms/, on both backends.

A case is driven to a reviewed plan (intake, assessment, planning with an agency referral,
two monitoring contacts, an evaluation that continues) as tests/processes/test_care_paths.py
does; the page is then read by people signed in through the login form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine import SYSTEM_ACTOR, Actor, CaseView, Engine, FrozenClock, build
from engine.persistence.tables import AuditEvent, CaseNote
from tests.conftest import (
    CASE_MANAGER,
    DESIGNER,
    INTAKE,
    OTHER_CM,
    PASSWORD,
    SUPERVISOR,
    add_people,
    make_settings,
)
from web import create_app

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


@pytest.fixture
def app(eng: Engine) -> Flask:
    return create_app({"TESTING": True}, engine=eng)


@pytest.fixture
def browser(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def login(client: FlaskClient, username: str) -> None:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    form = {"csrf_token": token, "username": username, "password": PASSWORD}
    assert client.post("/login", data=form).status_code == 302


def audit_count(eng: Engine, case_id: int, action: str, actor: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent)
    query = query.where(AuditEvent.case_id == case_id, AuditEvent.action == action)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    with eng.context.uow() as uow:
        return int(uow.session.scalar(query) or 0)


def section(html: str, section_id: str) -> str:
    """The HTML of <section id=section_id>."""
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_case_page_shows_the_case(eng: Engine, clock: FrozenClock, browser: FlaskClient) -> None:
    case_id = to_monitoring_with_progress(eng, clock)
    login(browser, "cara")
    response = browser.get(f"/cases/{case_id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "script" not in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)

    # client, referral, status
    assert '<h1 id="case-title">Ada Lovelace</h1>' in html
    client = html[html.index('id="client"') : html.index('id="referral"')]
    for value in ("1980-12-10", "female", "+1 555 0100", "ada@example.org", "1 Main St"):
        assert value in client
    assert "low mood after discharge" in html
    assert '<span class="badge risk-low">low risk</span>' in html
    assert '<li class="current" aria-current="step">planning</li>' in html

    consent = section(html, "consent")
    assert "City Housing" in consent and "2027-01-31" in consent
    assert consent.count("expired</span>") == 1 and "Old Clinic" in consent

    plan = section(html, "plan")
    assert "<li>social isolation</li>" in plan
    assert "<caption" in plan
    goal_row = plan[plan.index("join a community group") :]
    goal_row = goal_row[: goal_row.index("</tr>")]
    assert "2026-06-30" in goal_row and "attends weekly" in goal_row
    assert "achievement-achieved" in goal_row and ">achieved</span>" in goal_row
    assert "still wakes at 4" in plan or "went twice" in plan or "improving" in plan
    assert '<td class="num">40.00</td></tr></tfoot>' in plan
    assert "agency responded" in plan

    scores = section(html, "scores")
    svg = scores[scores.index('<svg class="chart" id="chart-phq9"') :]
    svg = svg[: svg.index("</svg>")]
    assert '<title id="chart-phq9-title">PHQ-9 total over time</title>' in svg
    assert "<desc" in svg
    assert [int(t) for t in re.findall(r'data-total="(\d+)"', svg)] == [3, 0]
    assert svg.count('class="chart-threshold"') == 4  # mild, moderate, moderately severe, severe
    assert 'id="chart-gad7"' in scores
    assert "PHQ-9 results as a table" in scores and "AUDIT-C" in scores
    assert "style=" not in html and "<script" not in html

    tasks = section(html, "tasks")
    [task_id] = [t.id for t in eng.tasks.list(CARA, scope="mine") if t.case_id == case_id]
    assert f'<a href="/tasks/{task_id}">Write service plan</a>' in tasks

    timeline = section(html, "timeline")
    assert "cara viewed the case" in timeline
    assert "cara completed Monitoring contact" in timeline
    assert "timer fired: Next contact due" in timeline
    assert "sam completed Approve plan" in timeline
    assert timeline.index("cara viewed the case") < timeline.index("registered the referral")


def test_every_view_is_audited(eng: Engine, browser: FlaskClient) -> None:
    case_id = open_case(eng).id
    login(browser, "sam")
    for _ in range(3):
        assert browser.get(f"/cases/{case_id}").status_code == 200
    assert audit_count(eng, case_id, "case.viewed", "sam") == 3


def test_unrelated_case_manager_gets_403_and_the_denial_is_audited(
    eng: Engine, browser: FlaskClient
) -> None:
    case_id = open_case(eng).id
    login(browser, "carl")
    response = browser.get(f"/cases/{case_id}")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "You have no access to this case" in html and "Ada Lovelace" not in html
    assert audit_count(eng, case_id, "case.view_denied", "carl") == 1
    assert audit_count(eng, case_id, "case.viewed", "carl") == 0
    token = csrf_from(html)
    refused = browser.post(f"/cases/{case_id}/notes", data={"csrf_token": token, "text": "hi"})
    assert refused.status_code == 403
    with eng.context.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(CaseNote)) == 0


def test_unknown_case_is_404_and_anonymous_visitors_log_in(
    eng: Engine, browser: FlaskClient
) -> None:
    response = browser.get("/cases/999")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    login(browser, "sam")
    missing = browser.get("/cases/999")
    assert missing.status_code == 404
    assert "Case not found" in missing.get_data(as_text=True)


def test_notes_need_csrf_and_appear(eng: Engine, clock: FrozenClock, browser: FlaskClient) -> None:
    case_id = open_case(eng).id
    login(browser, "ines")
    page = browser.get(f"/cases/{case_id}").get_data(as_text=True)
    assert '<label for="note-text">Add a note</label>' in page

    refused = browser.post(f"/cases/{case_id}/notes", data={"text": "no token"})
    assert refused.status_code == 400
    token = csrf_from(page)
    empty = browser.post(f"/cases/{case_id}/notes", data={"csrf_token": token, "text": "  "})
    assert empty.status_code == 422
    assert 'id="note-error"' in empty.get_data(as_text=True)

    added = browser.post(
        f"/cases/{case_id}/notes",
        data={"csrf_token": token, "text": "Client prefers <b>mornings</b>"},
    )
    assert added.status_code == 303
    assert added.headers["Location"].endswith(f"/cases/{case_id}#notes")
    notes = section(browser.get(f"/cases/{case_id}").get_data(as_text=True), "notes")
    assert "Client prefers &lt;b&gt;mornings&lt;/b&gt;" in notes
    assert "<strong>ines</strong>" in notes and "no token" not in notes
    assert audit_count(eng, case_id, "case.note_added", "ines") == 1
