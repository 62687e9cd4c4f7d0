"""/api/v1/instances: start, list, read, suspend, resume, terminate, messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from engine import FrozenClock
from tests.web.shapes import assert_error, assert_instance

Auth = Callable[[str], dict[str, str]]
Start = Callable[..., dict[str, Any]]


def test_start_returns_the_waiting_instance(start: Start) -> None:
    body = start("user_lanes", {"source": "web"})
    assert_instance(body)
    assert body["process_id"] == "user_lanes"
    assert body["version"] == 1
    assert body["status"] == "waiting"
    assert body["data"] == {"source": "web"}
    assert body["error"] is None
    [task] = body["ready_tasks"]
    assert task["element_id"] == "take_referral"
    assert task["lane"] == "intake"
    assert task["candidate_roles"] == ["intake"]
    assert task["instance_id"] == body["id"]
    assert task["status"] == "ready"
    assert task["assignee"] is None


def test_start_without_data_defaults_to_empty(client: FlaskClient, auth: Auth) -> None:
    response = client.post(
        "/api/v1/instances", json={"process_id": "user_lanes"}, headers=auth("ines")
    )
    assert response.status_code == 201
    assert response.get_json()["data"] == {}


def test_start_unknown_process_is_404(client: FlaskClient, auth: Auth) -> None:
    response = client.post(
        "/api/v1/instances", json={"process_id": "nope", "data": {}}, headers=auth("ines")
    )
    assert response.status_code == 404
    assert_error(response.get_json(), "not_found")


def test_start_with_wrong_types_is_400_per_field(client: FlaskClient, auth: Auth) -> None:
    response = client.post(
        "/api/v1/instances", json={"process_id": 7, "data": [1]}, headers=auth("ines")
    )
    assert response.status_code == 400
    body = response.get_json()
    assert_error(body, "bad_request")
    assert set(body["errors"]) == {"process_id", "data"}


def test_start_without_process_id_is_400(client: FlaskClient, auth: Auth) -> None:
    response = client.post("/api/v1/instances", json={"data": {}}, headers=auth("ines"))
    assert response.status_code == 400
    assert "process_id" in response.get_json()["errors"]


def test_waiting_timers(start: Start) -> None:
    body = start("timers")
    assert body["ready_tasks"] == []
    [timer] = body["waiting_timers"]
    assert timer["element_id"] == "wait_one_hour"
    assert timer["due_at"] == "2026-01-05T10:00:00+00:00"


def test_get_instance(client: FlaskClient, auth: Auth, start: Start) -> None:
    started = start("user_lanes")
    response = client.get(f"/api/v1/instances/{started['id']}", headers=auth("cara"))
    assert response.status_code == 200
    assert_instance(response.get_json())
    assert response.get_json() == started


def test_get_unknown_instance_is_404(client: FlaskClient, auth: Auth) -> None:
    response = client.get("/api/v1/instances/99999", headers=auth("cara"))
    assert response.status_code == 404
    assert_error(response.get_json(), "not_found")


def test_list_filters_and_pages(client: FlaskClient, auth: Auth, start: Start) -> None:
    first = start("user_lanes")
    second = start("user_lanes")
    timers = start("timers")

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/instances{query}", headers=auth("sam"))
        assert response.status_code == 200
        for item in response.get_json():
            assert_instance(item)
        return [i["id"] for i in response.get_json()]

    assert ids("") == [timers["id"], second["id"], first["id"]]
    assert ids("?process_id=user_lanes") == [second["id"], first["id"]]
    assert ids("?status=waiting&process_id=timers") == [timers["id"]]
    assert ids("?status=completed") == []
    assert ids("?limit=1&offset=1") == [second["id"]]


def test_list_with_bad_filters_is_400(client: FlaskClient, auth: Auth) -> None:
    response = client.get("/api/v1/instances?status=asleep&limit=0", headers=auth("sam"))
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {"status", "limit"}


def test_suspend_resume_terminate(client: FlaskClient, auth: Auth, start: Start) -> None:
    instance_id = start("user_lanes")["id"]
    url = f"/api/v1/instances/{instance_id}"
    suspended = client.post(
        f"{url}/suspend", json={"reason": "client in hospital"}, headers=auth("sam")
    )
    assert suspended.status_code == 200
    assert_instance(suspended.get_json())
    assert suspended.get_json()["status"] == "suspended"
    resumed = client.post(f"{url}/resume", headers=auth("sam"))
    assert resumed.status_code == 200
    assert resumed.get_json()["status"] == "waiting"
    terminated = client.post(f"{url}/terminate", json={}, headers=auth("sam"))
    assert terminated.status_code == 200
    assert terminated.get_json()["status"] == "terminated"
    assert terminated.get_json()["ready_tasks"] == []


def test_resume_an_instance_that_is_not_suspended_is_409(
    client: FlaskClient, auth: Auth, start: Start
) -> None:
    instance_id = start("user_lanes")["id"]
    response = client.post(f"/api/v1/instances/{instance_id}/resume", headers=auth("sam"))
    assert response.status_code == 409
    assert_error(response.get_json(), "conflict")


def test_case_manager_may_not_suspend(client: FlaskClient, auth: Auth, start: Start) -> None:
    instance_id = start("user_lanes")["id"]
    response = client.post(f"/api/v1/instances/{instance_id}/suspend", headers=auth("cara"))
    assert response.status_code == 403
    assert_error(response.get_json(), "forbidden")


def test_suspend_unknown_instance_is_404(client: FlaskClient, auth: Auth) -> None:
    response = client.post("/api/v1/instances/4242/suspend", headers=auth("sam"))
    assert response.status_code == 404


def test_reason_of_the_wrong_type_is_400(client: FlaskClient, auth: Auth, start: Start) -> None:
    instance_id = start("user_lanes")["id"]
    response = client.post(
        f"/api/v1/instances/{instance_id}/suspend", json={"reason": 5}, headers=auth("sam")
    )
    assert response.status_code == 400
    assert "reason" in response.get_json()["errors"]


def test_deliver_message(client: FlaskClient, auth: Auth, start: Start) -> None:
    started = start("message_catch", as_user="cara")
    url = f"/api/v1/instances/{started['id']}/messages"
    message = {"name": "agency_response", "payload": {"accepted": True}}
    early = client.post(url, json=message, headers=auth("cara"))
    assert early.status_code == 409
    assert_error(early.get_json(), "conflict")

    [task] = started["ready_tasks"]
    done = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"agency": "Housing office"}},
        headers=auth("cara"),
    )
    assert done.status_code == 200
    assert done.get_json()["instance"]["ready_tasks"] == []

    response = client.post(url, json=message, headers=auth("cara"))
    assert response.status_code == 200
    body = response.get_json()
    assert_instance(body)
    assert [t["element_id"] for t in body["ready_tasks"]] == ["review_response"]
    assert body["data"]["agency_reply"] == {"accepted": True}


def test_message_without_name_is_400(client: FlaskClient, auth: Auth, start: Start) -> None:
    instance_id = start("message_catch", as_user="cara")["id"]
    response = client.post(
        f"/api/v1/instances/{instance_id}/messages", json={"payload": {}}, headers=auth("cara")
    )
    assert response.status_code == 400
    assert "name" in response.get_json()["errors"]


def test_failed_instance_reports_its_error(client: FlaskClient, auth: Auth, start: Start) -> None:
    started = start("script_error", as_user="cara")
    [task] = started["ready_tasks"]
    response = client.post(
        f"/api/v1/tasks/{task['id']}/complete", json={"data": {"divisor": 0}}, headers=auth("cara")
    )
    assert response.status_code == 200
    instance = response.get_json()["instance"]
    assert instance["status"] == "error"
    assert instance["error"]["element_id"] == "divide"
    assert instance["error"]["message"]


def test_empty_filters_mean_no_filter(client: FlaskClient, auth: Auth, start: Start) -> None:
    started = start("user_lanes")
    response = client.get("/api/v1/instances?status=&process_id=", headers=auth("sam"))
    assert response.status_code == 200
    assert [i["id"] for i in response.get_json()] == [started["id"]]


def test_script_failure_is_reported_and_resume_retries_with_corrections(
    client: FlaskClient, auth: Auth, start: Start
) -> None:
    instance = start("script_error")
    task_id = instance["ready_tasks"][0]["id"]
    failed = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": {"divisor": 0}}, headers=auth("cara")
    ).get_json()["instance"]
    assert failed["status"] == "error"
    assert failed["error"]["element_id"] == "divide"
    assert "ZeroDivisionError" in failed["error"]["message"]
    listed = client.get("/api/v1/instances?status=error", headers=auth("sam")).get_json()
    assert [i["id"] for i in listed] == [instance["id"]]
    resumed = client.post(
        f"/api/v1/instances/{instance['id']}/resume",
        json={"reason": "divisor corrected", "corrections": {"divisor": 4}},
        headers=auth("sam"),
    ).get_json()
    assert resumed["status"] == "waiting" and resumed["error"] is None
    assert [t["element_id"] for t in resumed["ready_tasks"]] == ["show_result"]


def test_scheduler_status_reports_pending_timers(
    client: FlaskClient, auth: Auth, start: Start
) -> None:
    instance = start("timers")
    body = client.get("/api/v1/scheduler", headers=auth("sam")).get_json()
    assert body["pending"] == 1
    assert body["next_due"] == instance["waiting_timers"][0]["due_at"]
    assert set(body["lateness_ms"]) == {"p50", "p99", "max"}
    assert client.get("/api/v1/scheduler", headers=auth("cara")).status_code == 403


def test_overdue_flag_follows_the_engine_clock(
    client: FlaskClient, auth: Auth, start: Start, clock: FrozenClock
) -> None:
    [task] = start("user_lanes")["ready_tasks"]
    client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"client_name": "Ann", "urgency": "routine"}},
        headers=auth("ines"),
    )
    [contact] = client.get("/api/v1/tasks?scope=team", headers=auth("cara")).get_json()
    assert contact["overdue"] is False
    clock.advance(timedelta(days=2, seconds=1))
    [contact] = client.get("/api/v1/tasks?scope=team", headers=auth("cara")).get_json()
    assert contact["overdue"] is True
