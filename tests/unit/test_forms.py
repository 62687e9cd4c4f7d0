"""Unit tests for engine.forms: loading form definitions, checking them, validating submissions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.forms import (
    Form,
    FormDefinitionError,
    check_form,
    load_forms,
    validate_submission,
)
from engine.forms.validation import compiled_validator, is_date_time

INPUTS = Path(__file__).parent / "forms_inputs"
REQUIRED = "This field is required."


def write(directory: Path, name: str, content: Any) -> Path:
    path = directory / name
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return path


def form(properties: dict[str, Any], **extra: Any) -> Form:
    return Form("t", {"type": "object", "properties": properties, **extra}, {})


def errors_for(prop: dict[str, Any], value: Any) -> dict[str, str]:
    return validate_submission(form({"f": prop}), {"f": value})


@pytest.fixture(scope="module")
def forms() -> dict[str, Form]:
    return load_forms(INPUTS)


@pytest.fixture()
def contact_log(forms: dict[str, Form]) -> Form:
    return forms["contact_log"]


def valid_contact() -> dict[str, Any]:
    return {
        "client_name": "Ada Lovelace",
        "contact_date": "2024-05-01",
        "minutes": 45,
        "reason": "routine",
        "goals": [{"title": "Stable housing", "target_date": "2024-09-01"}],
    }


# --- loading -------------------------------------------------------------------------------


def test_load_forms_reads_schema_and_ui_schema(forms: dict[str, Form]) -> None:
    assert sorted(forms) == ["contact_log", "intake"]
    contact = forms["contact_log"]
    assert contact.form_id == "contact_log"
    assert contact.schema["title"] == "Contact log"
    assert contact.ui_schema["reason"] == {"ui:widget": "radio"}


def test_missing_ui_schema_defaults_to_empty_object(forms: dict[str, Form]) -> None:
    assert forms["intake"].ui_schema == {}


def test_loaded_forms_pass_check_form(forms: dict[str, Form]) -> None:
    assert all(check_form(f) == [] for f in forms.values())


def test_empty_directory_has_no_forms(tmp_path: Path) -> None:
    assert load_forms(tmp_path) == {}


def test_broken_json_names_the_file_and_position(tmp_path: Path) -> None:
    write(tmp_path, "good.schema.json", {"type": "object"})
    broken = write(tmp_path, "intake.schema.json", '{\n  "type": "object",\n  "required": [\n}')
    with pytest.raises(FormDefinitionError) as caught:
        load_forms(tmp_path)
    message = str(caught.value)
    assert str(broken) in message
    assert "line 4, column 1" in message
    assert caught.value.source == str(broken)


def test_broken_ui_schema_json_names_the_ui_file(tmp_path: Path) -> None:
    write(tmp_path, "intake.schema.json", {"type": "object"})
    broken = write(tmp_path, "intake.uischema.json", "{'single': 'quotes'}")
    with pytest.raises(FormDefinitionError, match=r"intake.uischema.json.*line 1, column 2"):
        load_forms(tmp_path)
    assert broken.exists()


def test_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    write(tmp_path, "intake.schema.json", '{"type": "object", "type": "array"}')
    with pytest.raises(FormDefinitionError, match=r"intake.schema.json.*duplicate key 'type'"):
        load_forms(tmp_path)


def test_invalid_schema_names_the_file_and_schema_path(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"age": {"type": "integer", "minimum": "zero"}}}
    bad = write(tmp_path, "intake.schema.json", schema)
    with pytest.raises(FormDefinitionError) as caught:
        load_forms(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{bad}: ")
    assert "/properties/age/minimum" in message
    assert "'zero' is not of type 'number'" in message


def test_invalid_regex_pattern_is_a_schema_problem(tmp_path: Path) -> None:
    write(tmp_path, "intake.schema.json", {"properties": {"code": {"pattern": "("}}})
    with pytest.raises(FormDefinitionError, match="/properties/code/pattern"):
        load_forms(tmp_path)


def test_schema_that_is_not_an_object_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "intake.schema.json", [1, 2])
    with pytest.raises(FormDefinitionError, match=r"intake.schema.json.*must be a JSON object"):
        load_forms(tmp_path)


def test_ui_schema_that_is_not_an_object_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "intake.schema.json", {"type": "object"})
    write(tmp_path, "intake.uischema.json", ["client_name"])
    with pytest.raises(FormDefinitionError, match=r"intake.uischema.json.*ui schema"):
        load_forms(tmp_path)


def test_ui_schema_without_schema_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "intake.schema.json", {"type": "object"})
    orphan = write(tmp_path, "discharge.uischema.json", {})
    with pytest.raises(FormDefinitionError) as caught:
        load_forms(tmp_path)
    assert str(orphan) in str(caught.value)
    assert "discharge.schema.json" in str(caught.value)


def test_json_file_with_unexpected_name_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "intake.schem.json", {"type": "object"})
    with pytest.raises(FormDefinitionError, match=r"intake.schem.json.*not a form file name"):
        load_forms(tmp_path)


def test_form_id_must_be_a_plain_name(tmp_path: Path) -> None:
    write(tmp_path, "in take.schema.json", {"type": "object"})
    with pytest.raises(FormDefinitionError, match="form id 'in take'"):
        load_forms(tmp_path)


def test_missing_directory_is_a_definition_error(tmp_path: Path) -> None:
    with pytest.raises(FormDefinitionError, match="not a directory"):
        load_forms(tmp_path / "nowhere")


def test_unknown_schema_draft_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "intake.schema.json", {"$schema": "https://example.org/my-draft"})
    with pytest.raises(FormDefinitionError, match="unknown JSON Schema draft"):
        load_forms(tmp_path)


# --- check_form ----------------------------------------------------------------------------


def test_check_form_reports_every_schema_problem() -> None:
    bad = Form("x", {"properties": {"a": {"type": "nope"}, "b": {"minimum": "z"}}}, {})
    problems = check_form(bad)
    assert len(problems) == 2
    assert problems[0].startswith("at /properties/a/type:")
    assert problems[1].startswith("at /properties/b/minimum:")


def test_check_form_reports_ui_schema_not_an_object() -> None:
    bad = Form("x", {"type": "object"}, [])  # type: ignore[arg-type]
    assert check_form(bad) == ["the ui schema must be a JSON object, not an array"]


def test_check_form_requires_an_object_form() -> None:
    assert check_form(Form("x", {"type": "array"}, {})) == [
        'at the top level: "type" must be "object" (a form submits a JSON object)'
    ]


def test_check_form_honours_declared_draft() -> None:
    draft4 = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "properties": {"n": {"type": "number", "minimum": 0, "exclusiveMinimum": True}},
    }
    assert check_form(Form("x", draft4, {})) == []
    without_draft = {key: value for key, value in draft4.items() if key != "$schema"}
    problems = check_form(Form("x", without_draft, {}))
    assert problems and "/properties/n/exclusiveMinimum" in problems[0]
    errors = validate_submission(Form("x", draft4, {}), {"n": 0})
    assert errors == {"n": "Must be greater than 0."}


# --- validate_submission: the sample form ---------------------------------------------------


def test_valid_submission_has_no_errors(contact_log: Form) -> None:
    assert validate_submission(contact_log, valid_contact()) == {}


def test_all_errors_are_collected(contact_log: Form) -> None:
    data = {
        "contact_date": "2024-02-30",
        "minutes": 601,
        "reason": "unknown",
        "risk": "extreme",
        "email": "nobody",
        "goals": [],
    }
    assert validate_submission(contact_log, data) == {
        "client_name": REQUIRED,
        "contact_date": "Must be a valid date (YYYY-MM-DD).",
        "minutes": "Must be at most 600.",
        "reason": "Must be one of: Routine check-in, Crisis, Other (specify).",
        "risk": "Must be one of: low, medium, high.",
        "email": "Must be a valid email address.",
        "goals": "Add at least one item.",
    }


def test_nested_array_of_objects_paths(contact_log: Form) -> None:
    data = valid_contact()
    data["goals"] = [
        {"title": "Housing", "target_date": "2024-09-01", "steps": ["call", ""]},
        {"title": "", "target_date": "next week"},
        {"target_date": "2024-10-01"},
    ]
    assert validate_submission(contact_log, data) == {
        "goals.0.steps.1": "Must not be empty.",
        "goals.1.title": "Must not be empty.",
        "goals.1.target_date": "Must be a valid date (YYYY-MM-DD).",
        "goals.2.title": REQUIRED,
    }


def test_if_then_other_requires_the_specify_field(contact_log: Form) -> None:
    data = valid_contact() | {"reason": "other"}
    assert validate_submission(contact_log, data) == {"reason_other": REQUIRED}
    assert validate_submission(contact_log, data | {"reason_other": "Court date"}) == {}


def test_dependent_required_points_at_the_dependent_field(contact_log: Form) -> None:
    data = valid_contact() | {"interpreter_language": "Polish"}
    assert validate_submission(contact_log, data) == {"interpreter": REQUIRED}


def test_unknown_field_is_reported_at_its_own_path(contact_log: Form) -> None:
    data = valid_contact() | {"favourite_colour": "blue"}
    assert validate_submission(contact_log, data) == {
        "favourite_colour": "This field is not allowed."
    }


def test_data_that_is_not_an_object_is_a_form_error(contact_log: Form) -> None:
    assert validate_submission(contact_log, ["not", "an", "object"]) == {
        "_form": "The submitted data must be a JSON object."
    }


# --- validate_submission: message kinds -----------------------------------------------------


@pytest.mark.parametrize(
    ("prop", "value", "message"),
    [
        ({"type": "number"}, "ten", "Must be a number."),
        ({"type": "integer"}, 1.5, "Must be a whole number."),
        ({"type": "string"}, 3, "Must be text."),
        ({"type": "boolean"}, "yes", "Must be true or false."),
        ({"type": "array"}, {}, "Must be a list."),
        ({"type": "object"}, [], "Must be an object."),
        ({"type": ["string", "null"]}, 3, "Must be text or empty."),
        (
            {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            "x",
            "Must be a whole number or empty.",
        ),
        ({"minimum": 0}, -1, "Must be at least 0."),
        ({"maximum": 600}, 601, "Must be at most 600."),
        ({"minimum": 0.5}, 0.25, "Must be at least 0.5."),
        ({"maximum": 10.0}, 11, "Must be at most 10."),
        ({"exclusiveMinimum": 0}, 0, "Must be greater than 0."),
        ({"exclusiveMaximum": 5}, 5, "Must be less than 5."),
        ({"multipleOf": 15}, 20, "Must be a multiple of 15."),
        ({"enum": ["a", "b", None]}, "c", "Must be one of: a, b, null."),
        ({"const": "yes"}, "no", "Must be yes."),
        (
            {"oneOf": [{"const": 1, "title": "Low"}, {"const": 2, "title": "High"}]},
            3,
            "Must be one of: Low, High.",
        ),
        ({"anyOf": [{"const": "x"}, {"const": "y"}]}, "z", "Must be one of: x, y."),
        ({"minLength": 1}, "", "Must not be empty."),
        ({"minLength": 3}, "ab", "Must be at least 3 characters long."),
        ({"maxLength": 2}, "abc", "Must be at most 2 characters long."),
        ({"maxLength": 1}, "ab", "Must be at most 1 character long."),
        ({"pattern": "^[0-9]{4}$"}, "12a4", "Is not in the expected format."),
        ({"format": "date"}, "2024-13-01", "Must be a valid date (YYYY-MM-DD)."),
        ({"format": "email"}, "a@b", "Must be a valid email address."),
        ({"minItems": 2}, [1], "Must have at least 2 items."),
        ({"maxItems": 1}, [1, 2], "Must have at most 1 item."),
        ({"uniqueItems": True}, [1, 1], "Must not contain the same item twice."),
        ({"not": {"const": "x"}}, "x", "'x' should not be valid under {'const': 'x'}"),
    ],
)
def test_message_kinds(prop: dict[str, Any], value: Any, message: str) -> None:
    assert errors_for(prop, value) == {"f": message}


def test_required_at_the_top_level_uses_the_property_path() -> None:
    errors = validate_submission(form({}, required=["a", "b"]), {"b": 1})
    assert errors == {"a": REQUIRED}


def test_top_level_problem_uses_form_key() -> None:
    errors = validate_submission(form({}, minProperties=1), {})
    assert list(errors) == ["_form"]


def test_one_message_per_path_and_type_errors_win() -> None:
    prop = {"minimum": 0, "allOf": [{"type": "integer"}]}
    assert errors_for(prop, -1.5) == {"f": "Must be a whole number."}
    prop = {"type": "string", "minLength": 5, "pattern": "^[0-9]+$"}
    assert errors_for(prop, "ab") == {"f": "Must be at least 5 characters long."}


def test_non_const_one_of_reports_the_best_branch() -> None:
    prop = {"oneOf": [{"required": ["phone"]}, {"required": ["phone", "email"]}]}
    assert errors_for(prop, {}) == {"f.phone": REQUIRED}


# --- formats -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["2024-05-01T09:30:00Z", "2024-05-01T09:30:00.123+02:00", "2024-05-01t09:30:00z"],
)
def test_date_time_accepts_rfc3339(value: str) -> None:
    assert is_date_time(value)
    assert errors_for({"format": "date-time"}, value) == {}


@pytest.mark.parametrize(
    "value",
    [
        "2024-05-01",
        "2024-05-01T09:30:00",
        "2024-05-01 09:30:00Z",
        "2024-13-01T09:30:00Z",
        "2024-02-30T09:30:00Z",
        "2024-05-01T25:00:00Z",
        "2024-05-01T09:30:00+24:00",
        "yesterday",
    ],
)
def test_date_time_rejects_other_strings(value: str) -> None:
    assert not is_date_time(value)
    assert list(errors_for({"format": "date-time"}, value)) == ["f"]


def test_formats_ignore_non_strings() -> None:
    assert errors_for({"format": "date"}, 5) == {}


# --- form None, caching, broken forms --------------------------------------------------------


def test_form_none_accepts_any_object() -> None:
    assert validate_submission(None, {}) == {}
    assert validate_submission(None, {"anything": [1, {"nested": None}]}) == {}


@pytest.mark.parametrize("data", [None, [], "text", 3, {1: "non-string key"}])
def test_form_none_rejects_non_objects(data: Any) -> None:
    assert validate_submission(None, data) == {"_form": "The submitted data must be a JSON object."}


def test_validator_is_compiled_once_per_form(contact_log: Form) -> None:
    assert compiled_validator(contact_log) is compiled_validator(contact_log)
    copy = Form(contact_log.form_id, contact_log.schema, {})
    assert compiled_validator(copy) is compiled_validator(contact_log)


def test_same_form_id_with_other_schema_gets_its_own_validator() -> None:
    first = Form("same", {"properties": {"n": {"type": "integer"}}}, {})
    second = Form("same", {"properties": {"n": {"type": "string"}}}, {})
    assert validate_submission(first, {"n": 1}) == {}
    assert validate_submission(second, {"n": 1}) == {"n": "Must be text."}
    assert validate_submission(first, {"n": "x"}) == {"n": "Must be a whole number."}


def test_validating_against_a_broken_form_raises() -> None:
    broken = Form("broken", {"properties": {"n": {"type": "nope"}}}, {})
    with pytest.raises(FormDefinitionError, match=r"form 'broken'.*/properties/n/type"):
        validate_submission(broken, {"n": 1})


@pytest.mark.parametrize(
    ("prop", "value", "path"),
    [
        ({"properties": {"b": False}}, {"b": 1}, "f.b"),
        ({"patternProperties": {"^x": False}}, {"x1": 1}, "f.x1"),
        ({"prefixItems": [True, False]}, [1, 2], "f.1"),
        ({"additionalProperties": False}, {"x": 1}, "f.x"),
        ({"properties": {"a": {"properties": {"b": False}}}}, {"a": {"b": 1}}, "f.a.b"),
    ],
)
def test_forbidden_members_are_reported_at_their_own_path(
    prop: dict[str, Any], value: Any, path: str
) -> None:
    assert errors_for(prop, value) == {path: "This field is not allowed."}


def test_false_rewrite_leaves_data_keywords_and_the_form_alone() -> None:
    schema = {"properties": {"f": {"const": {"properties": {"x": False}}}, "g": False}}
    the_form = Form("t", schema, {})
    assert validate_submission(the_form, {"f": {"properties": {"x": False}}}) == {}
    assert validate_submission(the_form, {"g": 1}) == {"g": "This field is not allowed."}
    assert schema["properties"]["g"] is False
