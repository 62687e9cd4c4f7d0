"""Static checks of a form definition: the JSON Schema against its metaschema, the UI schema."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jsonschema import Draft7Validator, Draft202012Validator
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from engine.forms.model import Form


def check_form(form: Form) -> list[str]:
    """Problems with a form definition (invalid JSON Schema, ui_schema not an object)."""
    return schema_problems(form.schema) + ui_schema_problems(form.ui_schema)


def validator_class(schema: dict[str, Any]) -> type[Validator]:
    """The validator class for a schema: the draft its "$schema" names, else 2020-12."""
    cls: type[Validator] = validator_for(schema, default=Draft202012Validator)
    return cls


def schema_problems(schema: object) -> list[str]:
    """Problems with a form's JSON Schema; empty if it is a valid object schema."""
    if not isinstance(schema, dict):
        return [f"the schema must be a JSON object, not {_json_type(schema)}"]
    declared = _declared_draft_problem(schema)
    if declared:
        return [declared]
    return _metaschema_problems(schema) + _top_level_type_problems(schema)


def ui_schema_problems(ui_schema: object) -> list[str]:
    """Problems with a form's UI schema; it only has to be a JSON object."""
    if isinstance(ui_schema, dict):
        return []
    return [f"the ui schema must be a JSON object, not {_json_type(ui_schema)}"]


def _declared_draft_problem(schema: dict[str, Any]) -> str:
    if "$schema" not in schema:
        return ""
    declared = schema["$schema"]
    if not isinstance(declared, str):
        return '"$schema" must be a string naming a JSON Schema draft'
    # A known "$schema" picks its class whatever the default; an unknown one yields the default.
    if validator_for(schema, default=Draft7Validator) is validator_for(
        schema, default=Draft202012Validator
    ):
        return ""
    return f'"$schema" names an unknown JSON Schema draft: {declared!r}'


def _metaschema_problems(schema: dict[str, Any]) -> list[str]:
    cls = validator_class(schema)
    meta = cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)
    errors = sorted(meta.iter_errors(schema), key=lambda e: [str(p) for p in e.absolute_path])
    found = (f"at {_pointer(e.absolute_path)}: {e.message}" for e in errors)
    return list(dict.fromkeys(found))


def _top_level_type_problems(schema: dict[str, Any]) -> list[str]:
    if schema.get("type", "object") == "object":
        return []
    return ['at the top level: "type" must be "object" (a form submits a JSON object)']


def _pointer(path: Iterable[str | int]) -> str:
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in path]
    return "/" + "/".join(parts) if parts else "the top level"


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")
