"""The monitor pages: access, the instance list with filters and counts, the instance page and
its actions (a reason each), incidents with retry, the heatmap and the bpmn-js assets."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from flask.testing import FlaskClient

from engine import Engine
from tests.conftest import CASE_MANAGER, INTAKE
from tests.web.test_pages import csrf_from, login

PAGES = [
    "/monitor/instances",
    "/monitor/incidents",
    "/monitor/instances/{id}",
    "/monitor/processes/user_lanes/1/heatmap",
]


def _text(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _fail(engine: Engine) -> int:
    started = engine.instances.start("script_error", {}, INTAKE)
    [task] = started.ready_tasks
    engine.tasks.claim(task.id, CASE_MANAGER)
    return engine.tasks.complete(task.id, {"divisor": 0}, CASE_MANAGER).id


@pytest.mark.parametrize("username", ["cara", "ines", "dana"])
def test_pages_are_for_supervisors_only(client: FlaskClient, engine: Engine, username: str) -> None:
    instance = engine.instances.start("user_lanes", {}, INTAKE)
    login(client, username)
    for url in PAGES:
        response = client.get(url.format(id=instance.id))
        assert response.status_code == 403, url
        assert "for supervisors and administrators" in response.get_data(as_text=True)
    token = csrf_from(client.get("/").get_data(as_text=True))
    post = client.post(
        f"/monitor/instances/{instance.id}/suspend", data={"csrf_token": token, "reason": "x"}
    )
    assert post.status_code == 403
    assert engine.instances.get(instance.id).status == "waiting"


def test_anonymous_is_sent_to_login(client: FlaskClient) -> None:
    response = client.get("/monitor/instances")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_instance_list_filters_counts_and_pages(client: FlaskClient, engine: Engine) -> None:
    lanes = [engine.instances.start("user_lanes", {}, INTAKE).id for _ in range(52)]
    failed = _fail(engine)
    login(client, "sam")
    page = _text(client, "/monitor/instances")
    assert re.search(r'id="count-waiting">52<', page)
    assert re.search(r'id="count-error">1<', page)
    assert f'id="instance-{failed}"' in page and "page 1 of 2" in page
    assert f'id="instance-{lanes[0]}"' not in page
    second = _text(client, "/monitor/instances?page=2")
    assert f'id="instance-{lanes[0]}"' in second and "page 2 of 2" in second
    errors = _text(client, "/monitor/instances?status=error")
    assert f'id="instance-{failed}"' in errors and f'id="instance-{lanes[1]}"' not in errors
    assert re.search(r'id="count-waiting">52<', errors)  # the chips count every status
    other = _text(client, "/monitor/instances?process_id=script_error&status=bogus")
    assert f'id="instance-{failed}"' in other and f'id="instance-{lanes[5]}"' not in other
    assert "/monitor/processes/user_lanes/1/heatmap" in page


def test_suspend_needs_a_reason_then_resume(client: FlaskClient, engine: Engine) -> None:
    instance = engine.instances.start("user_lanes", {}, INTAKE)
    login(client, "sam")
    url = f"/monitor/instances/{instance.id}"
    page = _text(client, url)
    assert "Reason to suspend" in page and "take_referral" in page
    assert "no diagram layout" in page  # the fixture files carry no BPMN DI
    token = csrf_from(page)
    blank = client.post(f"{url}/suspend", data={"csrf_token": token, "reason": "  "})
    assert blank.status_code == 303
    assert "reason is required" in html_lib.unescape(_text(client, url))
    assert engine.instances.get(instance.id).status == "waiting"
    client.post(f"{url}/suspend", data={"csrf_token": token, "reason": "client away"})
    page = _text(client, url)
    assert 'id="instance-status">suspended<' in page and "client away" in page
    assert "Reason to resume" in page and "Reason to suspend" not in page
    assert client.post(f"{url}/resume", data={"reason": "back"}).status_code == 400  # no CSRF
    client.post(f"{url}/resume", data={"csrf_token": token, "reason": "client back"})
    assert engine.instances.get(instance.id).status == "waiting"


def test_reassign_a_task_from_the_instance_page(client: FlaskClient, engine: Engine) -> None:
    instance = engine.instances.start("user_lanes", {}, INTAKE)
    [task] = instance.ready_tasks
    login(client, "sam")
    token = csrf_from(_text(client, f"/monitor/instances/{instance.id}"))
    client.post(
        f"/monitor/tasks/{task.id}/reassign",
        data={
            "csrf_token": token,
            "username": "ines",
            "reason": "ines on duty",
            "instance_id": instance.id,
        },
    )
    page = html_lib.unescape(_text(client, f"/monitor/instances/{instance.id}"))
    assert "Take referral is now with ines." in page and "ines on duty" in page


def test_incidents_retry_selected_and_one(client: FlaskClient, engine: Engine) -> None:
    first, second = _fail(engine), _fail(engine)
    login(client, "sam")
    page = _text(client, "/monitor/incidents")
    assert f'id="incident-{first}"' in page and "ZeroDivisionError" in page
    token = csrf_from(page)
    none = client.post("/monitor/incidents/retry", data={"csrf_token": token, "reason": "x"})
    assert none.status_code == 303
    assert "Choose at least one" in _text(client, "/monitor/incidents")
    client.post(
        "/monitor/incidents/retry",
        data={"csrf_token": token, "instance_id": [first], "only": str(second), "reason": "try"},
    )
    page = html_lib.unescape(_text(client, "/monitor/incidents"))
    assert f"Instance {second} still failing" in page and f"Instance {first} " not in page


def test_heatmap_page_and_json(client: FlaskClient, engine: Engine) -> None:
    for _ in range(2):
        engine.instances.start("user_lanes", {}, INTAKE)
    login(client, "sam")
    page = _text(client, "/monitor/processes/user_lanes/1/heatmap")
    row = re.search(r'id="heat-take_referral">(.*?)</tr>', page, re.S)
    assert row and '<td class="num">2</td>' in row.group(1)
    data = client.get("/monitor/processes/user_lanes/1/heatmap.json").get_json()
    assert data["counts"]["take_referral"]["now"] == 2 and "<bpmn:definitions" in data["xml"]
    assert client.get("/monitor/processes/nope/1/heatmap").status_code == 404


def test_bpmn_js_assets_are_served_and_nothing_else(client: FlaskClient) -> None:
    script = client.get("/monitor/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js")
    if script.status_code == 404:
        pytest.skip("node_modules/bpmn-js is not installed (make run installs it)")
    assert script.status_code == 200
    script.close()
    css = client.get("/monitor/vendor/bpmn-js/assets/bpmn-js.css")
    assert css.status_code == 200
    css.close()
    for sneaky in ("../package.json", "assets/../../package.json", "bpmn-modeler.development.js"):
        assert client.get(f"/monitor/vendor/bpmn-js/{sneaky}").status_code == 404
