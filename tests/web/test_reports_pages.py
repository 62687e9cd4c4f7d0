"""The reports page, its CSV/JSON downloads and the reports API, over hand-built rows.

Rows are inserted as in tests/integration/test_reports.py (clock at 2026-04-01 12:00 UTC,
period March 2026): team north (cara, carl, nina) and team south (sonia).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from engine import Engine, FrozenClock
from engine.persistence.tables import AuditEvent, User
from tests.conftest import PASSWORD
from tests.integration.test_reports import NOW, add_case, add_rows, at
from tests.integration.test_reports_outcomes import goal, referral

Auth = Callable[[str], dict[str, str]]
MARCH = "from=2026-03-01&to=2026-04-01"


def login(client: FlaskClient, username: str) -> None:
    html = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the login page"
    form = {"csrf_token": match.group(1), "username": username, "password": PASSWORD}
    assert client.post("/login", data=form).status_code == 302


@pytest.fixture
def data(engine: Engine, clock: FrozenClock) -> None:
    """Six open north cases for cara, two for carl, four south cases for sonia; satisfaction,
    cost, closures with goals, all within March."""
    clock.set(NOW)
    add_rows(
        engine,
        *(
            User(
                username=name,
                display_name=name.title(),
                password_hash="x",
                roles=["case_manager"],
                team=team,
                created_at=NOW,
            )
            for name, team in (("nina", "north"), ("sonia", "south"))
        ),
    )
    rows: list[tuple[int, str, datetime, int]] = [
        *((n, "cara", at(3, n), 5) for n in range(1, 7)),
        (7, "carl", at(3, 7), 4),
        (8, "carl", at(3, 8), 2),
        *((n, "sonia", at(3, n), 3) for n in range(9, 13)),
    ]
    for case_id, manager, opened, satisfaction in rows:
        add_case(
            engine,
            case_id,
            manager,
            opened,
            first_contact_at=at(3, case_id + 2),
            satisfaction=satisfaction,
            cost_estimate=100.0 * case_id,
        )
    for case_id in (13, 14):
        add_case(
            engine,
            case_id,
            "carl",
            at(1, 1),
            status="finished",
            closure_reason="goals_met",
            closed_at=at(3, 20),
        )
    add_rows(engine, goal(13, "g1", "achieved"), goal(14, "g1", "not-achieved"))
    add_rows(engine, referral(1, "r1", "housing", at(3, 1)))


def exports(engine: Engine) -> list[tuple[str, dict[str, Any]]]:
    """(actor, detail) of every report.exported audit event, oldest first."""
    with engine.context.uow() as uow:
        query = select(AuditEvent).where(AuditEvent.action == "report.exported")
        return [(e.actor, e.detail) for e in uow.session.scalars(query.order_by(AuditEvent.id))]


@pytest.mark.usefixtures("data")
@pytest.mark.parametrize("username", ["sam", "admin"])
def test_the_page_draws_every_report_for_supervisors_and_admins(
    client: FlaskClient, username: str
) -> None:
    login(client, username)
    response = client.get(f"/reports?{MARCH}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('<svg class="chart report-chart"') >= 8
    for chart in ("chart-caseload", "chart-deadlines", "chart-closures", "chart-satisfaction"):
        assert f'id="{chart}"' in html
    for name in ("caseload", "timeliness", "goals", "scores", "referrals", "cost"):
        assert f'id="report-{name}"' in html
    caseload = html[html.index('id="report-caseload"') : html.index('id="report-timeliness"')]
    assert "cara: 6; carl: 2; Nina: 0; Sonia: 4" in caseload  # the chart's description
    assert 'href="/reports/caseload.csv?' in caseload
    assert 'style="' not in html and "<script" not in html and "<style" not in html
    stale = html[html.index('id="report-referrals"') : html.index('id="report-closures"')]
    assert "<details" in stale and "Client 1" in stale and 'href="/cases/1"' in stale
    assert 'href="/static/reports.css"' in html


@pytest.mark.usefixtures("data")
def test_the_team_filter_and_the_period_reach_every_report(client: FlaskClient) -> None:
    login(client, "sam")
    html = client.get(f"/reports?{MARCH}&team=north").get_data(as_text=True)
    assert '<option value="north" selected>' in html
    caseload = html[html.index('id="report-caseload"') : html.index('id="report-timeliness"')]
    assert "cara: 6; carl: 2; Nina: 0" in caseload and "Sonia" not in caseload
    links = re.findall(r'href="(/reports/caseload\.(?:csv|json)\?[^"]*)"', caseload)
    assert len(links) == 4  # JSON and a CSV per exported table
    assert all("from=2026-03-01" in link and "team=north" in link for link in links)
    satisfaction = html[html.index('id="report-satisfaction"') : html.index('id="report-cost"')]
    assert "1: 0; 2: 1; 3: 0; 4: 1; 5: 6" in satisfaction
    empty = client.get("/reports?from=2025-01-01&to=2025-02-01").get_data(as_text=True)
    assert "Nothing to count for this period and team." in empty


def test_case_managers_are_refused_everywhere(
    client: FlaskClient, auth: Auth, engine: Engine
) -> None:
    login(client, "cara")
    assert client.get("/reports").status_code == 403
    assert client.get("/reports/caseload.csv").status_code == 403
    assert client.get("/reports/caseload.json").status_code == 403
    for url in ("/api/v1/reports", "/api/v1/reports/caseload", "/api/v1/reports/cost?format=csv"):
        response = client.get(url, headers=auth("cara"))
        assert response.status_code == 403
        assert response.get_json()["error"] == "forbidden"
    assert exports(engine) == []


@pytest.mark.usefixtures("data")
def test_csv_download_is_suppressed_and_audited(client: FlaskClient, engine: Engine) -> None:
    login(client, "sam")
    response = client.get(f"/reports/caseload.csv?{MARCH}&team=north")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["manager"], r["open_cases"]) for r in rows] == [
        ("cara", "6"),
        ("carl", "<5"),
        ("nina", "0"),
    ]
    cost = client.get(f"/reports/cost.csv?{MARCH}&team=south").get_data(as_text=True)
    assert cost == "cases,mean,median,total\r\n<5,suppressed,suppressed,suppressed\r\n"
    assert client.get(f"/reports/referrals.csv?{MARCH}&table=list").status_code == 404
    assert client.get("/reports/nonsense.csv").status_code == 404
    assert client.get("/reports/cost.csv?from=2026-13-01").status_code == 400
    assert exports(engine) == [
        (
            "sam",
            {
                "report": "caseload",
                "from": "2026-03-01",
                "to": "2026-04-01",
                "team": "north",
                "format": "csv",
            },
        ),
        (
            "sam",
            {
                "report": "cost",
                "from": "2026-03-01",
                "to": "2026-04-01",
                "team": "south",
                "format": "csv",
            },
        ),
    ]


@pytest.mark.usefixtures("data")
def test_json_download_and_api_share_one_shape(
    client: FlaskClient, auth: Auth, engine: Engine
) -> None:
    login(client, "sam")
    page = client.get(f"/reports/satisfaction.json?{MARCH}").get_json()
    api = client.get(f"/api/v1/reports/satisfaction?{MARCH}", headers=auth("sam")).get_json()
    for document in (page, api):
        assert document["report"] == "satisfaction"
        assert (document["from"], document["to"], document["team"]) == (
            "2026-03-01",
            "2026-04-01",
            None,
        )
        assert document["tables"]["summary"] == [{"cases": 12, "mean": 4.0}]
        scores = {row["score"]: row for row in document["tables"]["scores"]}
        assert scores[5] == {"score": 5, "cases": 6, "all": 12, "pct": 50.0}
        assert scores[2] == {"score": 2, "cases": "<5", "all": 12, "pct": None}
        assert scores[1]["cases"] == 0
    listed = client.get("/api/v1/reports", headers=auth("admin")).get_json()
    assert [r["name"] for r in listed][:3] == ["caseload", "timeliness", "deadlines"]
    assert all(r["title"] and r["definition"] for r in listed)
    assert [detail["format"] for _actor, detail in exports(engine)] == ["json", "json"]


@pytest.mark.usefixtures("data")
def test_api_csv_and_errors(client: FlaskClient, auth: Auth, engine: Engine) -> None:
    headers = auth("sam")
    response = client.get(f"/api/v1/reports/goals?{MARCH}&team=north&format=csv", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == {
        "reason": "goals_met",
        "cases": "<5",
        "goals": "<5",
        "achieved": "<5",
        "achieved_pct": "suppressed",
    }
    referrals = client.get("/api/v1/reports/referrals", headers=headers).get_json()
    assert list(referrals["tables"]) == ["by_type"]
    assert referrals["tables"]["by_type"][0] == {"agency_type": "housing", "referrals": "<5"}
    assert "Client 1" not in str(referrals)
    assert client.get("/api/v1/reports/nonsense", headers=headers).status_code == 404
    bad = client.get("/api/v1/reports/cost?from=yesterday", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"] == "bad_request"
    backwards = client.get("/api/v1/reports/cost?from=2026-03-02&to=2026-03-01", headers=headers)
    assert backwards.status_code == 400
    assert client.get("/api/v1/reports/cost?format=pdf", headers=headers).status_code == 400
    assert len(exports(engine)) == 2  # the CSV and the referrals JSON; failures are not
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/reports/{name}"]["get"]
    assert "text/csv" in operation["responses"]["200"]["content"]
    assert {p["name"] for p in operation["parameters"]} >= {"from", "to", "team", "format"}


@pytest.mark.usefixtures("data")
def test_a_bad_period_on_the_page_says_so(client: FlaskClient) -> None:
    login(client, "sam")
    response = client.get("/reports?from=2026-03-05&to=2026-03-01")
    assert response.status_code == 400
    assert "the period must end after it starts" in response.get_data(as_text=True)
