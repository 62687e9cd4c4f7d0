"""POST /cases opens a client's episode of care; GET /cases lists and reads with access rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from engine import Engine
from tests.web.shapes import assert_error
from web import create_app

ROOT = Path(__file__).resolve().parents[2]
CASE_KEYS = {
    "id",
    "client",
    "status",
    "phase",
    "manager",
    "risk_tier",
    "instance_id",
    "opened_at",
    "closed_at",
}
REFERRAL = {
    "client": {
        "name": "Ana Silva",
        "birth_date": "1984-03-02",
        "sex": "female",
        "phone": "+1 555 0100",
    },
    "referral": {"source": "physician", "reason": "low mood", "urgency": "routine"},
}


@pytest.fixture
def care(eng: Engine) -> Engine:
    """An engine with the shipped processes/ and forms/ deployed (the conftest's eng)."""
    return eng


@pytest.fixture
def api(care: Engine) -> FlaskClient:
    """A test client over the care engine."""
    return create_app({"TESTING": True}, engine=care).test_client()


def _headers(care: Engine, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {care.users.issue_token(username)}"}


def test_open_list_and_read_a_case(api: FlaskClient, care: Engine) -> None:
    ines = _headers(care, "ines")
    opened = api.post("/api/v1/cases", json=REFERRAL, headers=ines)
    assert opened.status_code == 201
    body = opened.get_json()
    assert set(body) == {"id", "instance_id", "status", "phase"}
    assert (body["status"], body["phase"]) == ("planned", "intake")
    read = api.get(f"/api/v1/cases/{body['id']}", headers=ines).get_json()
    assert set(read) == CASE_KEYS
    assert read["client"]["name"] == "Ana Silva" and read["closed_at"] is None
    listed = api.get("/api/v1/cases?status=planned", headers=_headers(care, "sam")).get_json()
    assert [c["id"] for c in listed] == [body["id"]]
    tasks = api.get("/api/v1/tasks?scope=team", headers=ines).get_json()
    assert [(t["element_id"], t["case_id"]) for t in tasks] == [("intake_screening", body["id"])]


def test_a_bad_referral_is_422_naming_the_fields(api: FlaskClient, care: Engine) -> None:
    bad = {
        "client": {"name": "", "birth_date": "1984-13-40"},
        "referral": {"source": "x", "urgency": "soon"},
    }
    response = api.post("/api/v1/cases", json=bad, headers=_headers(care, "ines"))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {
        "client.name",
        "client.birth_date",
        "referral.reason",
        "referral.urgency",
    }
    assert api.get("/api/v1/cases", headers=_headers(care, "sam")).get_json() == []


def test_unrelated_case_managers_cannot_read_a_case(api: FlaskClient, care: Engine) -> None:
    case_id = api.post("/api/v1/cases", json=REFERRAL, headers=_headers(care, "ines")).get_json()[
        "id"
    ]
    response = api.get(f"/api/v1/cases/{case_id}", headers=_headers(care, "carl"))
    assert response.status_code == 403
    assert_error(response.get_json(), "forbidden")
    assert api.get("/api/v1/cases", headers=_headers(care, "carl")).get_json() == []
    assert api.get("/api/v1/cases/999", headers=_headers(care, "sam")).status_code == 404
    designer = api.post("/api/v1/cases", json=REFERRAL, headers=_headers(care, "dana"))
    assert designer.status_code == 403
