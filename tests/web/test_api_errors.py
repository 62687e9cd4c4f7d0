"""Authentication, the error shape, and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.web.shapes import assert_error

Auth = Callable[[str], dict[str, str]]

API_ROUTES = [
    ("GET", "/api/v1/processes"),
    ("POST", "/api/v1/processes"),
    ("GET", "/api/v1/instances"),
    ("POST", "/api/v1/instances"),
    ("GET", "/api/v1/instances/1"),
    ("POST", "/api/v1/instances/1/suspend"),
    ("POST", "/api/v1/instances/1/resume"),
    ("POST", "/api/v1/instances/1/terminate"),
    ("POST", "/api/v1/instances/1/messages"),
    ("GET", "/api/v1/tasks"),
    ("GET", "/api/v1/tasks/abc"),
    ("POST", "/api/v1/tasks/abc/claim"),
    ("POST", "/api/v1/tasks/abc/unclaim"),
    ("POST", "/api/v1/tasks/abc/assign"),
    ("POST", "/api/v1/tasks/abc/complete"),
]


@pytest.mark.parametrize(
    "authorization", [None, "Bearer not-a-token", "Basic Y2FyYTpwYXNzd29yZC0xMjM=", "Bearer "]
)
def test_every_route_needs_a_valid_bearer_token(
    client: FlaskClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for method, url in API_ROUTES:
        response = client.open(url, method=method, headers=headers, json={})
        assert response.status_code == 401, (method, url)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert_error(response.get_json(), "unauthorized")


def test_unknown_api_route_is_json_404(client: FlaskClient, auth: Auth) -> None:
    for headers in ({}, auth("cara")):
        response = client.get("/api/v1/no/such/thing", headers=headers)
        assert response.status_code == 404
        assert_error(response.get_json(), "not_found")


def test_wrong_method_is_json_405(client: FlaskClient, auth: Auth) -> None:
    response = client.delete("/api/v1/tasks", headers=auth("cara"))
    assert response.status_code == 405
    assert_error(response.get_json(), "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400(client: FlaskClient, auth: Auth) -> None:
    response = client.post(
        "/api/v1/instances",
        data='{"process_id": "user_lanes",',
        content_type="application/json",
        headers=auth("ines"),
    )
    assert response.status_code == 400
    body = response.get_json()
    assert_error(body, "bad_request")
    assert body["errors"] == {"body": "Invalid JSON body."}


def test_unknown_body_field_is_400(client: FlaskClient, auth: Auth) -> None:
    response = client.post(
        "/api/v1/instances",
        json={"process_id": "user_lanes", "date": {}},
        headers=auth("ines"),
    )
    assert response.status_code == 400
    assert "date" in response.get_json()["errors"]


def test_openapi_document(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/api/v1/processes",
        "/api/v1/instances",
        "/api/v1/instances/{instance_id}",
        "/api/v1/instances/{instance_id}/suspend",
        "/api/v1/instances/{instance_id}/resume",
        "/api/v1/instances/{instance_id}/terminate",
        "/api/v1/instances/{instance_id}/messages",
        "/api/v1/tasks",
        "/api/v1/tasks/{task_id}",
        "/api/v1/tasks/{task_id}/claim",
        "/api/v1/tasks/{task_id}/unclaim",
        "/api/v1/tasks/{task_id}/assign",
        "/api/v1/tasks/{task_id}/complete",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/scheduler",
        "/api/v1/instances/counts",
        "/api/v1/monitor/instances/{instance_id}",
        "/api/v1/instances/{instance_id}/retry",
        "/api/v1/incidents",
        "/api/v1/incidents/retry",
        "/api/v1/processes/{process_id}/versions/{version}/heatmap",
        "/api/v1/tasks/{task_id}/reassign",
        "/api/v1/reports",
        "/api/v1/reports/{name}",
        "/api/v1/approvals",
        "/api/v1/approvals/{task_id}",
        "/api/v1/caseloads",
        "/api/v1/caseloads/reassign",
        "/api/v1/cases/{case_id}/reassign",
    }
    schemas = spec["components"]["schemas"]
    for name in ("InstanceRead", "TaskRead", "TaskDetailRead", "MessageCreate", "Error"):
        assert any(key.startswith(name) for key in schemas), name
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_security_headers_on_api_responses(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"]
