"""/api/v1/tasks: the inbox, claim, unclaim, assign, complete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from tests.web.shapes import TASK_DETAIL_KEYS, TASK_KEYS, assert_error, assert_instance

Auth = Callable[[str], dict[str, str]]
Start = Callable[..., dict[str, Any]]
REFERRAL = {"client_name": "Ann Example", "urgency": "routine"}


def task_ids(client: FlaskClient, auth: Auth, user: str, query: str = "") -> list[str]:
    response = client.get(f"/api/v1/tasks{query}", headers=auth(user))
    assert response.status_code == 200, response.get_json()
    assert all(set(t) == TASK_KEYS for t in response.get_json())
    return [t["id"] for t in response.get_json()]


def post(client: FlaskClient, auth: Auth, user: str, url: str, body: Any = None) -> Any:
    return client.post(f"/api/v1/tasks/{url}", json=body, headers=auth(user))


def contact_task(client: FlaskClient, auth: Auth, start: Start) -> str:
    """A ready case_manager-lane task (user_lanes after its intake step)."""
    [referral] = start("user_lanes")["ready_tasks"]
    done = post(client, auth, "ines", f"{referral['id']}/complete", {"data": REFERRAL})
    [contact] = done.get_json()["instance"]["ready_tasks"]
    assert contact["lane"] == "case_manager"
    task_id: str = contact["id"]
    return task_id


def test_scopes(client: FlaskClient, auth: Auth, start: Start) -> None:
    [task] = start("user_lanes")["ready_tasks"]
    assert task_ids(client, auth, "ines", "?scope=team") == [task["id"]]
    assert task_ids(client, auth, "ines") == []
    assert task_ids(client, auth, "cara", "?scope=team") == []
    assert post(client, auth, "ines", f"{task['id']}/claim").status_code == 200
    assert task_ids(client, auth, "ines", "?scope=mine") == [task["id"]]
    assert task_ids(client, auth, "ines", "?scope=team") == []
    assert task_ids(client, auth, "sam", "?scope=all") == [task["id"]]


def test_completed_status(client: FlaskClient, auth: Auth, start: Start) -> None:
    [task] = start("user_lanes")["ready_tasks"]
    post(client, auth, "ines", f"{task['id']}/claim")
    post(client, auth, "ines", f"{task['id']}/complete", {"data": REFERRAL})
    assert task_ids(client, auth, "ines", "?scope=mine&status=completed") == [task["id"]]
    assert task_ids(client, auth, "ines", "?scope=mine&status=ready") == []


def test_case_manager_may_not_see_all(client: FlaskClient, auth: Auth) -> None:
    response = client.get("/api/v1/tasks?scope=all", headers=auth("cara"))
    assert response.status_code == 403
    assert_error(response.get_json(), "forbidden")


def test_bad_scope_is_400(client: FlaskClient, auth: Auth) -> None:
    response = client.get("/api/v1/tasks?scope=everyone&status=later", headers=auth("cara"))
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {"scope", "status"}


def test_task_detail_has_form_and_data(client: FlaskClient, auth: Auth, start: Start) -> None:
    [task] = start("user_lanes", {"client_name": "Ann"})["ready_tasks"]
    response = client.get(f"/api/v1/tasks/{task['id']}", headers=auth("ines"))
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == TASK_DETAIL_KEYS
    assert set(body["form"]) == {"schema", "ui_schema"}
    assert body["form"]["schema"]["required"] == ["client_name", "urgency"]
    assert body["form"]["ui_schema"]["urgency"] == {"ui:widget": "radio"}
    assert body["data"] == {"client_name": "Ann"}
    assert {k: body[k] for k in TASK_KEYS} == task


def test_unknown_task_is_404(client: FlaskClient, auth: Auth) -> None:
    for response in (
        client.get("/api/v1/tasks/no-such-task", headers=auth("cara")),
        post(client, auth, "cara", "no-such-task/claim"),
        post(client, auth, "cara", "no-such-task/complete", {"data": {}}),
    ):
        assert response.status_code == 404
        assert_error(response.get_json(), "not_found")


def test_claim_and_unclaim(client: FlaskClient, auth: Auth, start: Start) -> None:
    task_id = contact_task(client, auth, start)
    claimed = post(client, auth, "cara", f"{task_id}/claim")
    assert claimed.status_code == 200
    assert set(claimed.get_json()) == TASK_KEYS
    assert claimed.get_json()["assignee"] == "cara"
    unclaimed = post(client, auth, "cara", f"{task_id}/unclaim")
    assert unclaimed.status_code == 200
    assert unclaimed.get_json()["assignee"] is None


def test_claim_a_task_someone_else_holds_is_409(
    client: FlaskClient, auth: Auth, start: Start
) -> None:
    task_id = contact_task(client, auth, start)
    assert post(client, auth, "cara", f"{task_id}/claim").status_code == 200
    response = post(client, auth, "carl", f"{task_id}/claim")
    assert response.status_code == 409
    assert_error(response.get_json(), "conflict")


def test_complete_a_task_someone_else_holds_is_409(
    client: FlaskClient, auth: Auth, start: Start
) -> None:
    task_id = contact_task(client, auth, start)
    post(client, auth, "cara", f"{task_id}/claim")
    response = post(client, auth, "carl", f"{task_id}/complete", {"data": {"contacted": True}})
    assert response.status_code == 409


def test_assign(client: FlaskClient, auth: Auth, start: Start) -> None:
    task_id = contact_task(client, auth, start)
    response = post(client, auth, "sam", f"{task_id}/assign", {"username": "carl"})
    assert response.status_code == 200
    assert response.get_json()["assignee"] == "carl"
    assert task_ids(client, auth, "carl", "?scope=mine") == [task_id]


def test_assign_rules(client: FlaskClient, auth: Auth, start: Start) -> None:
    task_id = contact_task(client, auth, start)
    forbidden = post(client, auth, "cara", f"{task_id}/assign", {"username": "carl"})
    assert forbidden.status_code == 403
    missing = post(client, auth, "sam", f"{task_id}/assign", {})
    assert missing.status_code == 400
    assert "username" in missing.get_json()["errors"]
    wrong_role = post(client, auth, "sam", f"{task_id}/assign", {"username": "ines"})
    assert wrong_role.status_code == 400
    assert_error(wrong_role.get_json(), "bad_request")


def test_complete_runs_the_instance_on(client: FlaskClient, auth: Auth, start: Start) -> None:
    [task] = start("user_lanes")["ready_tasks"]
    response = post(client, auth, "ines", f"{task['id']}/complete", {"data": REFERRAL})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"instance"}
    assert_instance(body["instance"])
    assert body["instance"]["data"] == REFERRAL
    [contact] = body["instance"]["ready_tasks"]
    assert contact["element_id"] == "first_contact"
    assert contact["due_at"] == "2026-01-07T09:00:00+00:00"
    final = post(
        client,
        auth,
        "cara",
        f"{contact['id']}/complete",
        {"data": {"contacted": True, "minutes": 15}},
    )
    assert final.get_json()["instance"]["status"] == "completed"


def test_complete_twice_is_409(client: FlaskClient, auth: Auth, start: Start) -> None:
    [task] = start("user_lanes")["ready_tasks"]
    assert (
        post(client, auth, "ines", f"{task['id']}/complete", {"data": REFERRAL}).status_code == 200
    )
    again = post(client, auth, "ines", f"{task['id']}/complete", {"data": REFERRAL})
    assert again.status_code == 409
    assert_error(again.get_json(), "conflict")


def test_bad_form_data_is_422_and_changes_nothing(
    client: FlaskClient, auth: Auth, start: Start
) -> None:
    started = start("user_lanes")
    [task] = started["ready_tasks"]
    response = post(
        client, auth, "ines", f"{task['id']}/complete", {"data": {"urgency": "someday"}}
    )
    assert response.status_code == 422
    body = response.get_json()
    assert_error(body, "validation_failed")
    assert set(body["errors"]) == {"client_name", "urgency"}
    after = client.get(f"/api/v1/instances/{started['id']}", headers=auth("ines"))
    assert after.get_json() == started


def test_case_manager_may_not_complete_a_supervisor_task(
    client: FlaskClient, auth: Auth, start: Start
) -> None:
    started = start("boundary_escalation", {"risk": 9}, as_user="cara")
    supervisor_task = next(t for t in started["ready_tasks"] if t["lane"] == "supervisor")
    response = post(client, auth, "cara", f"{supervisor_task['id']}/complete", {"data": {}})
    assert response.status_code == 403
    assert_error(response.get_json(), "forbidden")
    done = post(client, auth, "sam", f"{supervisor_task['id']}/complete", {"data": {}})
    assert done.status_code == 200


def test_complete_with_data_not_an_object_is_400(
    client: FlaskClient, auth: Auth, start: Start
) -> None:
    [task] = start("user_lanes")["ready_tasks"]
    response = post(client, auth, "ines", f"{task['id']}/complete", {"data": "yes"})
    assert response.status_code == 400
    assert "data" in response.get_json()["errors"]
