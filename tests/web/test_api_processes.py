"""GET/POST /api/v1/processes."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask.testing import FlaskClient

from tests.conftest import PROCESSES
from tests.web.shapes import PROCESS_KEYS, assert_error, has_offset

Auth = Callable[[str], dict[str, str]]


def renamed_user_lanes(new_id: str) -> bytes:
    """The user_lanes fixture as a new process id (so deploying it creates version 1)."""
    text = (PROCESSES / "user_lanes.bpmn").read_text()
    return text.replace('id="user_lanes"', f'id="{new_id}"').encode()


def process_ids(client: FlaskClient, auth: Auth) -> set[str]:
    return {p["process_id"] for p in client.get("/api/v1/processes", headers=auth("dana")).json}


def test_list_processes(client: FlaskClient, auth: Auth) -> None:
    response = client.get("/api/v1/processes", headers=auth("cara"))
    assert response.status_code == 200
    body = response.get_json()
    assert all(set(p) == PROCESS_KEYS for p in body)
    lanes = next(p for p in body if p["process_id"] == "user_lanes")
    assert lanes["version"] == 1
    assert lanes["name"] == "User tasks in two lanes"
    assert has_offset(lanes["deployed_at"])


def test_deploy_multipart(client: FlaskClient, auth: Auth) -> None:
    data = {"file": (io.BytesIO(renamed_user_lanes("web_copy")), "web_copy.bpmn")}
    response = client.post("/api/v1/processes", data=data, headers=auth("dana"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["deployed"] == [{"process_id": "web_copy", "version": 1}]
    assert "web_copy" in process_ids(client, auth)


def test_deploy_several_files_at_once(client: FlaskClient, auth: Auth) -> None:
    bpmn = (PROCESSES / "dmn_rule.bpmn").read_bytes().replace(b'id="dmn_rule"', b'id="dmn_two"')
    dmn = (PROCESSES / "risk_tier.dmn").read_bytes()
    alone = client.post(
        "/api/v1/processes",
        data={"file": (io.BytesIO(bpmn), "dmn_two.bpmn")},
        headers=auth("dana"),
    )
    assert alone.status_code == 422
    files = [(io.BytesIO(bpmn), "dmn_two.bpmn"), (io.BytesIO(dmn), "risk_tier.dmn")]
    response = client.post("/api/v1/processes", data={"file": files}, headers=auth("dana"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["deployed"] == [{"process_id": "dmn_two", "version": 1}]


def test_deploy_raw_xml_with_filename(client: FlaskClient, auth: Auth) -> None:
    response = client.post(
        "/api/v1/processes?filename=raw_copy.bpmn",
        data=renamed_user_lanes("raw_copy"),
        content_type="application/xml",
        headers=auth("admin"),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["deployed"] == [{"process_id": "raw_copy", "version": 1}]


def test_raw_dmn_without_filename_is_recognised_by_its_root_tag(
    client: FlaskClient, auth: Auth
) -> None:
    response = client.post(
        "/api/v1/processes",
        data=(PROCESSES / "risk_tier.dmn").read_bytes(),
        content_type="application/xml",
        headers=auth("dana"),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"deployed": [], "unchanged": []}


def test_unchanged_file_deploys_nothing_new(client: FlaskClient, auth: Auth) -> None:
    data = {"file": (io.BytesIO((PROCESSES / "user_lanes.bpmn").read_bytes()), "user_lanes.bpmn")}
    response = client.post("/api/v1/processes", data=data, headers=auth("dana"))
    assert response.status_code == 201
    assert response.get_json() == {
        "deployed": [],
        "unchanged": [{"process_id": "user_lanes", "version": 1}],
    }


def test_invalid_bpmn_is_422_keyed_by_file_and_element(client: FlaskClient, auth: Auth) -> None:
    bad = (PROCESSES / "invalid" / "dangling_flow.bpmn").read_bytes()
    before = process_ids(client, auth)
    response = client.post(
        "/api/v1/processes",
        data={"file": (io.BytesIO(bad), "dangling_flow.bpmn")},
        headers=auth("dana"),
    )
    assert response.status_code == 422
    body = response.get_json()
    assert_error(body, "validation_failed")
    assert list(body["errors"]) == ["dangling_flow.bpmn:flow_dangling"]
    assert process_ids(client, auth) == before


def test_invalid_file_among_valid_ones_deploys_nothing(client: FlaskClient, auth: Auth) -> None:
    bad = (PROCESSES / "invalid" / "bad_script.bpmn").read_bytes()
    files = [
        (io.BytesIO(renamed_user_lanes("never_deployed")), "never_deployed.bpmn"),
        (io.BytesIO(bad), "bad_script.bpmn"),
    ]
    response = client.post("/api/v1/processes", data={"file": files}, headers=auth("dana"))
    assert response.status_code == 422
    assert "bad_script.bpmn:script_bad_syntax" in response.get_json()["errors"]
    assert "never_deployed" not in process_ids(client, auth)


def test_case_manager_may_not_deploy(client: FlaskClient, auth: Auth) -> None:
    data = {"file": (io.BytesIO(renamed_user_lanes("cm_copy")), "cm_copy.bpmn")}
    response = client.post("/api/v1/processes", data=data, headers=auth("cara"))
    assert response.status_code == 403
    assert_error(response.get_json(), "forbidden")


def test_deploy_without_a_file_is_400(client: FlaskClient, auth: Auth) -> None:
    response = client.post("/api/v1/processes", headers=auth("dana"))
    assert response.status_code == 400
    body = response.get_json()
    assert_error(body, "bad_request")
    assert "file" in body["errors"]


def test_multipart_with_the_wrong_field_name_is_400(client: FlaskClient, auth: Auth) -> None:
    data = {"upload": (io.BytesIO(renamed_user_lanes("x")), "x.bpmn")}
    response = client.post("/api/v1/processes", data=data, headers=auth("dana"))
    assert response.status_code == 400
