"""Approvals and caseloads pages and API over the shipped care cycle, on both backends."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine, FrozenClock
from tests.care_story import SAM, to_plan_approval
from tests.conftest import PASSWORD
from tests.integration.test_caseloads import assigned_case, ready_assignees
from web import create_app

Headers = dict[str, str]


@pytest.fixture
def app(eng: Engine) -> Flask:
    return create_app({"TESTING": True}, engine=eng)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth(eng: Engine) -> Callable[[str], Headers]:
    tokens: dict[str, str] = {}

    def headers(username: str) -> Headers:
        if username not in tokens:
            tokens[username] = eng.users.issue_token(username)
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def login(client: FlaskClient, username: str) -> str:
    """Sign in through the login form; return a CSRF token for later posts."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    form = {"csrf_token": token, "username": username, "password": PASSWORD}
    assert client.post("/login", data=form).status_code == 302
    return csrf_from(client.get("/supervision/approvals").get_data(as_text=True))


def flashes(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", m).strip() for m in re.findall(r'class="flash[^"]*">([^<]*)<', html)
    ]


# -- pages -------------------------------------------------------------------------------------


def test_pages_are_for_supervisors_only(client: FlaskClient) -> None:
    for url in ("/supervision/approvals", "/supervision/caseloads"):
        assert client.get(url).status_code == 302  # to the login page
    login(client, "cara")
    for url in ("/supervision/approvals", "/supervision/caseloads"):
        response = client.get(url)
        assert response.status_code == 403
        assert "for supervisors and administrators" in response.get_data(as_text=True)


def test_approvals_page_shows_the_plan_and_approves(
    eng: Engine, clock: FrozenClock, client: FlaskClient
) -> None:
    case_id = to_plan_approval(eng, clock)
    token = login(client, "sam")
    response = client.get("/supervision/approvals")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    task_id = eng.approvals.queue(SAM)[0].task_id
    card = html[html.index(f'id="approval-{task_id}"') :]
    for text in (
        "Ada Lovelace",
        "social isolation",
        "join a community group",
        "walk together",
        "City Housing",
        "Agrees with the plan",
    ):
        assert text in card
    assert f'id="total-cost-{task_id}">40.00<' in card
    assert "style=" not in html and "<script" not in html

    # returning without comments: the page says why, and nothing changes
    form = {"csrf_token": token, "decision": "return", "comments": " "}
    refused = client.post(f"/supervision/approvals/{task_id}", data=form)
    assert refused.status_code == 422
    assert f'id="comments-error-{task_id}"' in refused.get_data(as_text=True)
    assert eng.cases.get(case_id, SAM).phase == "planning"

    # a post without the CSRF token is refused
    no_csrf = client.post(f"/supervision/approvals/{task_id}", data={"decision": "approve"})
    assert no_csrf.status_code == 400

    form = {"csrf_token": token, "decision": "approve", "comments": ""}
    done = client.post(f"/supervision/approvals/{task_id}", data=form)
    assert done.status_code == 303
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert flashes(after) == [f"The service plan of case {case_id} is approved."]
    assert 'id="no-approvals"' in after
    assert eng.cases.get(case_id, SAM).phase == "implementation"


def test_approvals_page_returns_with_comments(
    eng: Engine, clock: FrozenClock, client: FlaskClient
) -> None:
    case_id = to_plan_approval(eng, clock)
    token = login(client, "sam")
    task_id = eng.approvals.queue(SAM)[0].task_id
    form = {"csrf_token": token, "decision": "return", "comments": "Add a sleep goal."}
    done = client.post(f"/supervision/approvals/{task_id}", data=form)
    assert done.status_code == 303
    assert ready_assignees(eng, case_id) == {"service_plan": "cara"}
    again = client.post(f"/supervision/approvals/{task_id}", data=form)
    assert again.status_code == 303
    assert "not ready" in " ".join(flashes(client.get("/supervision/approvals").get_data(True)))


def test_caseloads_page_counts_and_moves_cases(
    eng: Engine, clock: FrozenClock, client: FlaskClient
) -> None:
    first, second = assigned_case(eng), assigned_case(eng)
    token = login(client, "sam")
    html = client.get("/supervision/caseloads").get_data(as_text=True)
    row = html[
        html.index('id="manager-cara"') : html.index("</tr>", html.index('id="manager-cara"'))
    ]
    assert re.findall(r'<td class="num[^"]*" data-label="[^"]+">(\d+)</td>', row) == ["2", "2", "0"]
    assert 'aria-label="Risk mix: no open cases"' not in row
    assert "style=" not in html and "<script" not in html

    listed = client.get("/supervision/caseloads?manager=cara").get_data(as_text=True)
    cases = listed[listed.index('id="cases"') :]
    assert f'id="case-{first}"' in cases and f'id="case-{second}"' in cases
    preset = client.get(f"/supervision/caseloads?manager=cara&case={first}").get_data(True)
    assert f'name="case_id" value="{first}"' in preset

    form = {"csrf_token": token, "case_id": str(first), "manager": "carl", "reason": "leave"}
    done = client.post("/supervision/caseloads/reassign", data=form)
    assert done.status_code == 303
    page = client.get("/supervision/caseloads").get_data(as_text=True)
    assert flashes(page) == [
        f"Case {first} (Ada Lovelace) moved from cara to carl, with 1 open task."
    ]
    assert ready_assignees(eng, first) == {"first_contact": "carl"}

    bad = {"csrf_token": token, "case_id": str(second), "manager": "carl", "reason": ""}
    client.post("/supervision/caseloads/reassign", data=bad)
    assert flashes(client.get("/supervision/caseloads").get_data(True)) == [
        "a reason is required. Give a reason for the move."
    ]

    bulk = {
        "csrf_token": token,
        "from_manager": "cara",
        "to_managers": ["carl"],
        "reason": "cara leaves",
        "deactivate": "1",
    }
    client.post("/supervision/caseloads/reassign-all", data=bulk)
    page = client.get("/supervision/caseloads").get_data(as_text=True)
    assert flashes(page) == [
        f"1 case of cara moved: case {second} → carl.",
        "cara can no longer sign in.",
    ]
    assert 'id="manager-cara"' not in page
    assert ready_assignees(eng, second) == {"first_contact": "carl"}


# -- API ---------------------------------------------------------------------------------------


def test_api_approvals(
    eng: Engine, clock: FrozenClock, client: FlaskClient, auth: Callable[[str], Headers]
) -> None:
    case_id = to_plan_approval(eng, clock)
    assert client.get("/api/v1/approvals").status_code == 401
    assert client.get("/api/v1/approvals", headers=auth("cara")).status_code == 403
    listed = client.get("/api/v1/approvals", headers=auth("sam"))
    assert listed.status_code == 200
    (item,) = listed.get_json()
    assert (item["case_id"], item["kind"], item["manager"]) == (case_id, "plan", "cara")
    assert item["plan"]["total_cost"] == 40 and item["closure"] is None
    url = f"/api/v1/approvals/{item['task_id']}"
    assert client.post(url, json={"decision": "approve"}, headers=auth("cara")).status_code == 403
    missing = client.post(url, json={"decision": "return"}, headers=auth("sam"))
    assert missing.status_code == 422
    assert set(missing.get_json()["errors"]) == {"comments"}
    bad = client.post(url, json={"decision": "perhaps"}, headers=auth("sam"))
    assert bad.status_code == 400
    done = client.post(url, json={"decision": "approve", "comments": "ok"}, headers=auth("sam"))
    assert done.status_code == 200
    body = done.get_json()
    assert (body["decision"], body["comments"], body["kind"]) == ("approve", "ok", "plan")
    assert body["instance"]["data"]["phase"] == "implementation"
    assert client.post(url, json={"decision": "approve"}, headers=auth("sam")).status_code == 409


def test_api_caseloads_and_moves(
    eng: Engine, clock: FrozenClock, client: FlaskClient, auth: Callable[[str], Headers]
) -> None:
    first, second = assigned_case(eng), assigned_case(eng)
    assert client.get("/api/v1/caseloads", headers=auth("cara")).status_code == 403
    loads = client.get("/api/v1/caseloads", headers=auth("sam")).get_json()
    assert loads["team"] == "north"
    assert {m["username"]: m["open_cases"] for m in loads["managers"]} == {"cara": 2, "carl": 0}
    assert loads["totals"]["open_tasks"] == 2

    url = f"/api/v1/cases/{first}/reassign"
    body = {"manager": "carl", "reason": "cover"}
    assert client.post(url, json=body, headers=auth("cara")).status_code == 403
    wrong = client.post(url, json={"manager": "ines", "reason": "x"}, headers=auth("sam"))
    assert wrong.status_code == 400 and "manager" in wrong.get_json()["errors"]
    assert (
        client.post("/api/v1/cases/999999/reassign", json=body, headers=auth("sam")).status_code
        == 404
    )
    moved = client.post(url, json=body, headers=auth("sam"))
    assert moved.status_code == 200
    assert moved.get_json()["to_manager"] == "carl"
    assert len(moved.get_json()["moved_task_ids"]) == 1
    same = client.post(url, json=body, headers=auth("sam"))
    assert same.status_code == 400

    bulk = {"from_manager": "cara", "to_managers": ["carl"], "reason": "leaves"}
    assert (
        client.post("/api/v1/caseloads/reassign", json=bulk, headers=auth("cara")).status_code
        == 403
    )
    result = client.post("/api/v1/caseloads/reassign", json=bulk, headers=auth("sam"))
    assert result.status_code == 200
    assert result.get_json() == {
        "from_manager": "cara",
        "moved": [
            {
                "case_id": second,
                "client_name": "Ada Lovelace",
                "from_manager": "cara",
                "to_manager": "carl",
                "moved_task_ids": result.get_json()["moved"][0]["moved_task_ids"],
            }
        ],
        "failed": [],
        "deactivated": False,
    }
    assert ready_assignees(eng, second) == {"first_contact": "carl"}
