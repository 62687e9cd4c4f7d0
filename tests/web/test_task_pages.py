"""The task page: context, claim/unclaim, the server-rendered form, errors, drafts, completing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from engine import Engine, FrozenClock
from tests.conftest import CASE_MANAGER
from tests.processes.test_care_paths import (
    CONSENT,
    ELIGIBLE,
    G1,
    G2,
    INES,
    LOW_RISK,
    PSYCHOSOCIAL,
    assess,
    contact,
    intake,
    open_case,
    ready,
    service_plan,
    work,
)
from tests.web.test_pages import csrf_from, login
from web import create_app
from web.forms import apply_row_action, as_mapping, build_fields, parse_form

Start = Callable[..., dict[str, Any]]
ROOT = Path(__file__).resolve().parents[2]


def page(client: FlaskClient, task_id: str) -> str:
    response = client.get(f"/tasks/{task_id}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def post(client: FlaskClient, task_id: str, fields: dict[str, Any]) -> Any:
    token = csrf_from(client.get(f"/tasks/{task_id}").get_data(as_text=True))
    return client.post(f"/tasks/{task_id}", data={"csrf_token": token, **fields})


def referral_task(start: Start, client: FlaskClient) -> str:
    task_id: str = start("user_lanes")["ready_tasks"][0]["id"]
    login(client, "ines")
    return task_id


# -- the fixture form (fx_referral: a required text, enum radios, a textarea) --------------


def test_task_page_shows_the_task_and_its_form(start: Start, client: FlaskClient) -> None:
    task_id = referral_task(start, client)
    html = page(client, task_id)
    assert "<h1>Take referral</h1>" in html
    assert '<label for="f-client_name">Client name <span class="required">(required)' in html
    assert 'id="f-client_name" name="client_name" value=""' in html
    assert re.search(r'<legend>Urgency <span class="required">', html)
    for i, value in enumerate(["routine", "expedited", "immediate"]):
        assert f'type="radio" id="f-urgency-{i}"\n           name="urgency" value="{value}"' in html
        assert f'<label for="f-urgency-{i}">{value.capitalize()}</label>' in html
    assert '<textarea id="f-notes" name="notes" rows="4" maxlength="4000"' in html
    assert "Nobody yet — open to intake" in html
    assert 'action="/tasks/' + task_id + '/claim"' in html
    assert 'src="/static/forms.js"' in html


def test_claim_and_unclaim_from_the_page(start: Start, client: FlaskClient) -> None:
    task_id = referral_task(start, client)
    token = csrf_from(page(client, task_id))
    response = client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token})
    assert response.status_code == 302
    html = page(client, task_id)
    assert "You hold this task now." in html and "Held by</dt>" in html
    assert f'action="/tasks/{task_id}/unclaim"' in html
    client.post(f"/tasks/{task_id}/unclaim", data={"csrf_token": token})
    assert "The task is open to the team again." in page(client, task_id)
    assert client.post(f"/tasks/{task_id}/claim").status_code == 400  # no CSRF token


def test_missing_required_field_is_shown_beside_it_and_input_kept(
    start: Start, client: FlaskClient
) -> None:
    task_id = referral_task(start, client)
    response = post(
        client,
        task_id,
        {"action": "complete", "client_name": "", "urgency": "expedited", "notes": "called twice"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert '<a href="#f-client_name">Client name: This field is required.</a>' in html
    assert (
        '<p class="error field-error" id="f-client_name-error">This field is required.</p>' in html
    )
    assert re.search(r'id="f-client_name"[^>]*aria-describedby="f-client_name-error"', html)
    assert re.search(r'id="f-client_name"[^>]*aria-invalid="true"', html)
    assert re.search(r'value="expedited" checked', html)
    assert ">called twice</textarea>" in html


def test_fixed_submission_completes_and_names_the_next_task(
    start: Start, client: FlaskClient, engine: Engine
) -> None:
    task_id = referral_task(start, client)
    fields = {"action": "complete", "client_name": "Ada", "urgency": "routine", "notes": ""}
    response = post(client, task_id, fields)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    [done] = engine.tasks.list(CASE_MANAGER, "team")
    assert done.element_id == "first_contact"
    with client.session_transaction() as session:
        flashes = session.get("_flashes", [])
    assert ("success", "“Take referral” is done.") in flashes
    assert client.get(f"/tasks/{task_id}").status_code in (200, 403)


def test_draft_is_saved_and_shown_on_reload(start: Start, client: FlaskClient) -> None:
    task_id = referral_task(start, client)
    response = post(
        client,
        task_id,
        {"action": "save_draft", "client_name": "Half done", "urgency": "immediate"},
    )
    assert response.status_code == 200
    assert "Draft saved at 2" in response.get_data(as_text=True)
    html = page(client, task_id)
    assert "Showing your draft from" in html
    assert 'name="client_name" value="Half done"' in html
    assert 'value="immediate" checked' in html
    post(client, task_id, {"action": "discard_draft"})
    assert 'name="client_name" value=""' in page(client, task_id)


def test_unknown_task_is_404_and_not_my_task_is_403(start: Start, client: FlaskClient) -> None:
    task_id = start("user_lanes")["ready_tasks"][0]["id"]
    login(client, "cara")  # a case manager; the task is intake's
    response = client.get(f"/tasks/{task_id}")
    assert response.status_code == 403
    assert "You may not open this task" in response.get_data(as_text=True)
    assert client.get("/tasks/no-such-task").status_code == 404
    assert client.get(f"/tasks/{task_id}", follow_redirects=False).status_code == 403


def test_task_page_needs_a_login(start: Start, client: FlaskClient) -> None:
    task_id = start("user_lanes")["ready_tasks"][0]["id"]
    response = client.get(f"/tasks/{task_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- the real forms: cc_service_plan (arrays of objects) and a supervisor task ------------


@pytest.fixture
def care(eng: Engine) -> Engine:
    """An engine with the shipped processes/ and forms/ deployed (the conftest's eng)."""
    return eng


@pytest.fixture
def care_client(care: Engine) -> FlaskClient:
    """A test client over the engine with the shipped processes."""
    return create_app({"TESTING": True}, engine=care).test_client()


def plan_task(care: Engine, clock: FrozenClock) -> tuple[int, str]:
    opened = open_case(care)
    intake(care, clock, opened.id)
    assess(care, opened.id)
    return opened.id, ready(care, opened.id)["service_plan"].id


PLAN_FIELDS = {
    "problems--rows": "2",
    "problems-0--row": "1",
    "problems-0": "isolation",
    "problems-1--row": "1",
    "problems-1": "poor sleep",
    "goals--rows": "1",
    "goals-0--row": "1",
    "goals-0-id": "G1",
    "goals-0-description": "join a group",
    "goals-0-target_date": "2026-06-30",
    "goals-0-measure": "attends weekly",
    "interventions--rows": "1",
    "interventions-0--row": "1",
    "interventions-0-who": "case manager",
    "interventions-0-what": "find groups",
    "interventions-0-frequency": "weekly",
    "interventions-0-estimated_cost": "12.50",
    "referrals--rows": "0",
    "physician_review": "false",
}


def test_service_plan_renders_repeatable_fieldsets_and_scores(
    care: Engine, care_client: FlaskClient, clock: FrozenClock
) -> None:
    _case_id, task_id = plan_task(care, clock)
    login(care_client, "cara")
    html = page(care_client, task_id)
    assert "Ada Lovelace" in html and "Phase</dt>" in html
    assert 'id="scores-heading"' in html and "PHQ9" in html and "band:" in html
    assert 'id="f-plan_comments" readonly' in html and 'name="plan_comments"' not in html
    assert '<input type="hidden" name="goals--rows" value="1"' in html
    assert "<legend>Goal 1</legend>" in html and 'name="goals-0--row"' in html
    assert 'type="date" id="f-goals-0-target_date" name="goals-0-target_date"' in html
    assert 'value="add:interventions"' in html and 'value="remove:goals.0"' in html
    assert '<template id="f-referrals-template">' in html
    assert 'name="referrals-__INDEX__-agency_type"' in html
    assert '<option value="social_services">Social services</option>' in html
    assert re.search(r'type="number" id="f-interventions-__INDEX__-estimated_cost"', html)
    assert 'id="f-physician_review-1"\n           name="physician_review" value="false"' in html


def test_service_plan_add_row_without_javascript(
    care: Engine, care_client: FlaskClient, clock: FrozenClock
) -> None:
    _case_id, task_id = plan_task(care, clock)
    login(care_client, "cara")
    response = post(care_client, task_id, {**PLAN_FIELDS, "action": "add:goals"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<legend>Goal 2</legend>" in html
    assert 'name="goals-0-id" value="G1"' in html and 'name="goals-1-id" value=""' in html
    assert 'class="error-summary"' not in html
    response = post(care_client, task_id, {**PLAN_FIELDS, "action": "remove:goals.0"})
    html = response.get_data(as_text=True)
    assert 'name="goals-0-id" value=""' in html  # minItems 1: a blank goal takes its place
    assert "<legend>Goal 2</legend>" not in html


def test_service_plan_errors_then_completes(
    care: Engine, care_client: FlaskClient, clock: FrozenClock
) -> None:
    case_id, task_id = plan_task(care, clock)
    login(care_client, "cara")
    broken = {**PLAN_FIELDS, "goals-0-target_date": "", "action": "complete"}
    response = post(care_client, task_id, broken)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<a href="#f-goals-0-target_date">Goals / Goal 1 / Target date: This field' in html
    assert 'id="f-goals-0-target_date-error"' in html
    assert 'name="interventions-0-estimated_cost" value="12.5"' in html
    assert 'value="false" checked' in html
    response = post(care_client, task_id, {**PLAN_FIELDS, "action": "complete"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "service_plan" not in ready(care, case_id)
    with care_client.session_transaction() as session:
        [(_category, message)] = session.get("_flashes", [])
    assert message == "“Write service plan” is done. Next for you: “Record client decision”."


def test_case_manager_opening_a_supervisor_task_gets_403(
    care: Engine, care_client: FlaskClient, clock: FrozenClock
) -> None:
    opened = open_case(care)
    work(care, INES, "intake_screening", ELIGIBLE, opened.id)
    work(care, INES, "consent", CONSENT, opened.id)
    supervisor_task = ready(care, opened.id)["assign_case_manager"].id
    login(care_client, "cara")
    assert care_client.get(f"/tasks/{supervisor_task}").status_code == 403
    token = csrf_from(care_client.get("/").get_data(as_text=True))
    response = care_client.post(
        f"/tasks/{supervisor_task}", data={"csrf_token": token, "action": "complete"}
    )
    assert response.status_code == 403


# -- parsing and rendering units -----------------------------------------------------------

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "age": {"type": "integer", "minimum": 0},
        "cost": {"type": "number"},
        "agree": {"type": "boolean"},
        "ok": {"type": "boolean"},
        "note": {"type": "string"},
        "kind": {"type": "string", "oneOf": [{"const": "a", "title": "A"}, {"const": "b"}]},
        "tags": {"type": "array", "items": {"type": "string", "enum": ["x", "y", "z"]}},
        "score": {"type": "object", "properties": {"q1": {"type": "integer", "enum": [0, 1, 2]}}},
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"n": {"type": "number"}, "s": {"type": "string"}},
            },
        },
        "names": {"type": "array", "items": {"type": "string"}},
        "locked": {"type": "string", "readOnly": True},
        "empty_list": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["agree", "empty_list"],
}


def parse(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    return parse_form(SCHEMA, {}, as_mapping(fields))


def test_parse_numbers_booleans_and_enums() -> None:
    data, errors = parse(
        {
            "age": "42",
            "cost": "3.5",
            "agree": "false",
            "ok": "true",
            "note": "  hi ",
            "kind": "a",
            "locked": "ignored",
        }
    )
    assert data == {
        "age": 42,
        "cost": 3.5,
        "agree": False,
        "ok": True,
        "note": "hi",
        "kind": "a",
        "empty_list": [],
    }
    assert errors == {}
    assert isinstance(data["age"], int)


def test_parse_keeps_bad_numbers_with_an_error_and_omits_empty_values() -> None:
    data, errors = parse({"age": "4.5", "cost": "lots", "note": "", "kind": ""})
    assert data == {"age": "4.5", "cost": "lots", "empty_list": []}
    assert errors == {"age": "Enter a whole number.", "cost": "Enter a number."}
    assert parse({"cost": "nan"})[1] == {"cost": "Enter a number."}


def test_parse_arrays_and_nested_objects() -> None:
    data, _ = parse(
        {
            "tags": ["x", "z"],
            "score-q1": "2",
            "rows--rows": "3",
            "rows-0--row": "1",
            "rows-0-n": "1",
            "rows-0-s": "first",
            # row 1 was removed by the browser: no marker
            "rows-1-n": "9",
            "rows-2--row": "1",
            "rows-2-n": "",
            "names--rows": "2",
            "names-0--row": "1",
            "names-0": "ann",
            "names-1--row": "1",
            "names-1": "",
        }
    )
    assert data["tags"] == ["x", "z"]
    assert data["score"] == {"q1": 2}
    assert data["rows"] == [{"n": 1, "s": "first"}, {}]
    assert data["names"] == ["ann"]
    assert "locked" not in data


def test_row_actions_add_and_remove() -> None:
    data: dict[str, Any] = {"rows": [{"n": 1}]}
    assert apply_row_action(SCHEMA, data, "add:rows") == {"rows": [{"n": 1}, {}]}
    assert apply_row_action(SCHEMA, data, "remove:rows.0") == {"rows": [{}]}
    assert apply_row_action(SCHEMA, {}, "add:names") == {"names": [""]}
    assert apply_row_action(SCHEMA, {}, "add:nothing") == {}


def test_render_marks_conditional_fields_and_links_errors() -> None:
    schema = {
        "type": "object",
        "properties": {
            "source": {
                "type": "string",
                "title": "Source",
                "oneOf": [{"const": "gp", "title": "GP"}, {"const": "other", "title": "Other"}],
            },
            "source_other": {"type": "string", "title": "Other source"},
            "phq9": {"type": "object", "properties": {"q1": {"type": "integer", "enum": [0, 1]}}},
        },
        "required": ["source"],
        "if": {"properties": {"source": {"const": "other"}}, "required": ["source"]},
        "then": {"required": ["source_other"]},
    }
    fields, targets = build_fields(schema, {"source": {"ui:widget": "radio"}}, {}, {"phq9.q1": "x"})
    source, other, phq9 = fields
    assert source.kind == "radio" and [o.label for o in source.options] == ["GP", "Other"]
    assert other.condition is not None and other.condition.name == "source"
    assert other.condition.value == "other"
    assert "Required when “Source” is “Other”." in other.help
    assert phq9.children[0].name == "phq9-q1" and phq9.children[0].error == "x"
    assert targets["phq9.q1"].id == "f-phq9-q1"
    assert targets["phq9.q1"].label == "Phq9 / Q1"
    assert targets["source"].id == "f-source-0"


# -- every shipped form renders, and what it renders parses back to the same data ----------


class FormFields(HTMLParser):
    """The (name, value) pairs a browser would post for a page's task form, as rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._template = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "template":
            self._template += 1
        if self._template or ("name" not in a and tag != "option"):
            return
        if tag == "input" and ("checked" in a or a.get("type") not in ("radio", "checkbox")):
            self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.pairs.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.pairs.append((a["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._template -= 1
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and not self._template:
            name, value = self.pairs.pop()
            self.pairs.append((name, value + data))


def rendered(schema: dict[str, Any], ui: dict[str, Any], values: dict[str, Any]) -> str:
    app = Flask("web")
    fields, _ = build_fields(schema, ui, values, {})
    with app.test_request_context():
        macros = app.jinja_env.get_template("forms/fields.html").module
        return "".join(str(macros.field(f)) for f in fields)  # type: ignore[attr-defined]


def posted(html: str) -> MultiDict[str, str]:
    found = FormFields()
    found.feed(html)
    return MultiDict(found.pairs)


def shipped(form_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = json.loads((ROOT / "forms" / f"{form_id}.schema.json").read_text())
    ui_path = ROOT / "forms" / f"{form_id}.uischema.json"
    return schema, json.loads(ui_path.read_text()) if ui_path.exists() else {}


@pytest.mark.parametrize(
    "form_id", sorted(p.name.split(".")[0] for p in (ROOT / "forms").glob("*.schema.json"))
)
def test_every_shipped_form_renders_with_labels(form_id: str) -> None:
    schema, ui = shipped(form_id)
    html = rendered(schema, ui, {})
    ids = set(re.findall(r'<(?:input|select|textarea) [^>]*?id="([^"]+)"', html))
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    assert ids and ids <= labelled, ids - labelled


ROUND_TRIPS = [
    ("cc_service_plan", service_plan([G1, G2], [])),
    ("cc_instruments", LOW_RISK),
    ("cc_psychosocial", PSYCHOSOCIAL),
    ("cc_consent", CONSENT),
    ("cc_monitoring_contact", {**contact(FrozenClock(), {"g1": "improving"}), "satisfaction": 4}),
]


@pytest.mark.parametrize(("form_id", "data"), ROUND_TRIPS, ids=[f for f, _ in ROUND_TRIPS])
def test_rendered_form_parses_back_to_the_same_data(form_id: str, data: dict[str, Any]) -> None:
    schema, ui = shipped(form_id)
    parsed, errors = parse_form(schema, ui, posted(rendered(schema, ui, data)))
    assert errors == {}
    assert parsed == data


def test_conditional_field_is_rendered_with_its_trigger() -> None:
    schema, ui = shipped("referral")
    html = rendered(schema, ui, {})
    assert 'data-show-when="referral_source" data-show-value="other"' in html
    assert "Required when “" in html
