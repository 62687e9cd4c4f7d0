"""The case page (/cases/<id>) over the real processes/ and forms/, on both backends.

A case is driven to a reviewed plan (intake, assessment, planning with an agency referral,
two monitoring contacts, an evaluation that continues) as tests/processes/test_care_paths.py
does; the page is then read by people signed in through the login form.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine import Engine, FrozenClock
from engine.persistence.tables import CaseNote
from tests.care_story import (
    CARA,
    audit_count,
    open_case,
    to_monitoring_with_progress,
)
from tests.conftest import (
    PASSWORD,
)
from web import create_app


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
