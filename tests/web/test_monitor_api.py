"""The monitor's JSON API: access, filters and paging headers, counts, detail, incidents,
retries, heatmap and reassignment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine import Engine
from tests.web.shapes import assert_error

Auth = Callable[[str], dict[str, str]]
Start = Callable[..., dict[str, Any]]

MONITOR_ROUTES = [
    ("GET", "/api/v1/instances"),
    ("GET", "/api/v1/instances/counts"),
    ("GET", "/api/v1/monitor/instances/1"),
    ("POST", "/api/v1/instances/1/retry"),
    ("GET", "/api/v1/incidents"),
    ("POST", "/api/v1/incidents/retry"),
    ("GET", "/api/v1/processes/user_lanes/versions/1/heatmap"),
    ("POST", "/api/v1/tasks/abc/reassign"),
]
BODIES = {
    "/api/v1/instances/1/retry": {"reason": "x"},
    "/api/v1/incidents/retry": {"instance_ids": [1], "reason": "x"},
    "/api/v1/tasks/abc/reassign": {"username": "carl", "reason": "x"},
}


def _fail(client: FlaskClient, auth: Auth, start: Start) -> int:
    instance = start("script_error")
    [task] = instance["ready_tasks"]
    client.post(f"/api/v1/tasks/{task['id']}/claim", headers=auth("cara"))
    done = client.post(
        f"/api/v1/tasks/{task['id']}/complete", json={"data": {"divisor": 0}}, headers=auth("cara")
    ).get_json()
    assert done["instance"]["status"] == "error"
    return int(instance["id"])


@pytest.mark.parametrize("username", ["cara", "ines", "dana"])
def test_only_supervisors_and_admins_may_call_the_monitor(
    client: FlaskClient, auth: Auth, username: str
) -> None:
    for method, url in MONITOR_ROUTES:
        response = client.open(url, method=method, json=BODIES.get(url), headers=auth(username))
        assert response.status_code == 403, (method, url)
        assert_error(response.get_json(), "forbidden")
    assert client.get("/api/v1/instances/counts", headers=auth("admin")).status_code == 200


def test_list_filters_with_total_and_link_headers(
    client: FlaskClient, auth: Auth, start: Start
) -> None:
    ids = [start("user_lanes")["id"] for _ in range(3)]
    start("timers")
    response = client.get(
        "/api/v1/instances?process_id=user_lanes&limit=2&offset=0", headers=auth("sam")
    )
    assert response.status_code == 200
    assert [i["id"] for i in response.get_json()] == [ids[2], ids[1]]
    assert response.headers["X-Total-Count"] == "3"
    assert 'rel="next"' in response.headers["Link"] and "offset=2" in response.headers["Link"]
    second = client.get(
        "/api/v1/instances?process_id=user_lanes&limit=2&offset=2", headers=auth("sam")
    )
    assert [i["id"] for i in second.get_json()] == [ids[0]]
    assert 'rel="next"' not in second.headers["Link"] and 'rel="prev"' in second.headers["Link"]
    bad = client.get("/api/v1/instances?risk_tier=extreme&version=0", headers=auth("sam"))
    assert bad.status_code == 400 and set(bad.get_json()["errors"]) == {"risk_tier", "version"}
    counts = client.get("/api/v1/instances/counts?status=error", headers=auth("sam")).get_json()
    assert counts["counts"]["waiting"] == 4 and counts["total"] == 4


def test_incidents_retry_needs_a_reason_and_reports_each(
    client: FlaskClient, auth: Auth, start: Start
) -> None:
    failed = _fail(client, auth, start)
    other = _fail(client, auth, start)
    listed = client.get("/api/v1/incidents", headers=auth("sam")).get_json()
    assert {i["instance_id"] for i in listed} == {failed, other}
    assert listed[0]["element_id"] == "divide" and "ZeroDivisionError" in listed[0]["message"]
    blank = client.post(
        f"/api/v1/instances/{failed}/retry", json={"reason": " "}, headers=auth("sam")
    )
    assert blank.status_code == 400 and "reason is required" in blank.get_json()["message"]
    fixed = client.post(
        f"/api/v1/instances/{failed}/retry",
        json={"reason": "divisor fixed", "corrections": {"divisor": 5}},
        headers=auth("sam"),
    )
    assert fixed.status_code == 200 and fixed.get_json()["status"] == "waiting"
    again = client.post(
        f"/api/v1/instances/{failed}/retry", json={"reason": "again"}, headers=auth("sam")
    )
    assert again.status_code == 409
    bulk = client.post(
        "/api/v1/incidents/retry",
        json={"instance_ids": [other, failed], "reason": "cause fixed"},
        headers=auth("sam"),
    ).get_json()
    assert [(o["instance_id"], o["ok"]) for o in bulk] == [(other, False), (failed, False)]
    assert bulk[0]["status"] == "error" and "not in error" in bulk[1]["error"]


def test_detail_has_states_audit_and_diagram(client: FlaskClient, auth: Auth, start: Start) -> None:
    instance = start("user_lanes")
    client.post(
        f"/api/v1/instances/{instance['id']}/suspend",
        json={"reason": "on hold"},
        headers=auth("sam"),
    )
    detail = client.get(f"/api/v1/monitor/instances/{instance['id']}", headers=auth("sam"))
    assert detail.status_code == 200
    body = detail.get_json()
    assert body["instance"]["status"] == "suspended"
    assert body["element_states"]["user_lanes.bpmn"]["take_referral"] == "active"
    assert body["current_diagram"] == "user_lanes.bpmn"
    assert body["audit"][0]["action"] == "instance.suspended"
    assert body["audit"][0]["detail"]["reason"] == "on hold"
    assert body["diagrams"][0]["drawable"] is False  # the fixtures have no BPMN DI
    missing = client.get("/api/v1/monitor/instances/9999", headers=auth("sam"))
    assert missing.status_code == 404


def test_heatmap_and_reassign(
    client: FlaskClient, auth: Auth, start: Start, engine: Engine
) -> None:
    instance = start("user_lanes")
    [task] = instance["ready_tasks"]
    heat = client.get(
        "/api/v1/processes/user_lanes/versions/1/heatmap", headers=auth("sam")
    ).get_json()
    assert [(c["element_id"], c["waiting_now"]) for c in heat["cells"]] == [("take_referral", 1)]
    assert (
        client.get(
            "/api/v1/processes/user_lanes/versions/7/heatmap", headers=auth("sam")
        ).status_code
        == 404
    )
    no_reason = client.post(
        f"/api/v1/tasks/{task['id']}/reassign", json={"username": "ines"}, headers=auth("sam")
    )
    assert no_reason.status_code == 400
    moved = client.post(
        f"/api/v1/tasks/{task['id']}/reassign",
        json={"username": "ines", "reason": "ines knows the client"},
        headers=auth("sam"),
    )
    assert moved.status_code == 200 and moved.get_json()["assignee"] == "ines"
