"""Turn jsonschema validation errors into {field path: human message}."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

FORM_KEY = "_form"
REQUIRED = "This field is required."
NOT_ALLOWED = "This field is not allowed."

Finding = tuple[str, str]

_PRIORITY = {"required": 0, "dependentRequired": 0, "dependencies": 0, "type": 1}

_TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "empty",
}

_FORMAT_MESSAGES = {
    "date": "Must be a valid date (YYYY-MM-DD).",
    "date-time": "Must be a valid date and time (YYYY-MM-DDThh:mm:ss with a time zone).",
    "time": "Must be a valid time (hh:mm:ss with a time zone).",
    "email": "Must be a valid email address.",
    "idn-email": "Must be a valid email address.",
    "uuid": "Must be a valid UUID.",
    "ipv4": "Must be a valid IPv4 address.",
    "ipv6": "Must be a valid IPv6 address.",
    "regex": "Must be a valid regular expression.",
}


def field_errors(errors: Iterable[ValidationError]) -> dict[str, str]:
    """Map each field path to one message: the most relevant error, else the first found."""
    chosen: dict[str, tuple[int, str]] = {}
    for error in errors:
        rank = _PRIORITY.get(str(error.validator), 2)
        for path, message in describe(error):
            if path not in chosen or rank < chosen[path][0]:
                chosen[path] = (rank, message)
    return {path: message for path, (_, message) in chosen.items()}


def describe(error: ValidationError) -> list[Finding]:
    """The (field path, message) pairs one validation error stands for."""
    special = _PATH_HANDLERS.get(str(error.validator))
    findings = special(error) if special else []
    if findings:
        return findings
    if error.validator in ("oneOf", "anyOf") and not _choice_labels(_keyword_value(error)):
        return _describe_branches(error)
    return [(field_path(error.absolute_path), message_for(error))]


def _describe_branches(error: ValidationError) -> list[Finding]:
    """oneOf/anyOf without const choices: the allowed types, else the best branch's error."""
    here = field_path(error.absolute_path)
    branches = error.context or []
    types = [_keyword_value(e) for e in branches if e.validator == "type" and not e.relative_path]
    if branches and len(types) == len(branches):
        names = [name for wanted in types for name in _type_list(wanted)]
        return [(here, _must_be_types(list(dict.fromkeys(names))))]
    nested = best_match(branches)
    if nested is None:
        return [(here, message_for(error))]
    return describe(nested)


def field_path(parts: Iterable[str | int]) -> str:
    """Dot-separated property names and list indexes; the form itself is "_form"."""
    path = ".".join(str(part) for part in parts)
    return path or FORM_KEY


def message_for(error: ValidationError) -> str:
    """A human message for an error that sits at its own instance path."""
    if error.validator is None:  # a `false` subschema
        return NOT_ALLOWED
    build = _MESSAGES.get(str(error.validator))
    return build(error) if build else str(error.message)


def _keyword_value(error: ValidationError) -> Any:
    return error.validator_value


def _subschema(error: ValidationError) -> Mapping[str, Any]:
    schema = error.schema
    return schema if isinstance(schema, Mapping) else {}


def _child(error: ValidationError, name: str) -> str:
    return field_path([*error.absolute_path, name])


def _required(error: ValidationError) -> list[Finding]:
    present = error.instance if isinstance(error.instance, dict) else {}
    missing = [name for name in _keyword_value(error) if name not in present]
    return [(_child(error, name), REQUIRED) for name in missing]


def _dependent_required(error: ValidationError) -> list[Finding]:
    instance, rules = error.instance, _keyword_value(error)
    if not isinstance(instance, dict) or not isinstance(rules, dict):
        return []
    findings: list[Finding] = []
    for trigger, needed in rules.items():
        if trigger in instance and isinstance(needed, list):
            findings += [(_child(error, name), REQUIRED) for name in needed if name not in instance]
    return findings


def _additional_properties(error: ValidationError) -> list[Finding]:
    instance, schema = error.instance, _subschema(error)
    if _keyword_value(error) is not False or not isinstance(instance, dict):
        return []
    declared = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extra = [
        name
        for name in instance
        if name not in declared and not any(re.search(p, name) for p in patterns)
    ]
    return [(_child(error, name), NOT_ALLOWED) for name in extra]


def _choice_labels(branches: Any) -> list[str]:
    if not isinstance(branches, list) or not branches:
        return []
    if not all(isinstance(branch, dict) and "const" in branch for branch in branches):
        return []
    return [_branch_label(branch) for branch in branches]


def _branch_label(branch: dict[str, Any]) -> str:
    title = branch.get("title")
    return title if isinstance(title, str) else _value(branch["const"])


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _count(number: Any, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _one_of(labels: list[str]) -> str:
    return f"Must be one of: {', '.join(labels)}."


def _type_list(wanted: Any) -> list[str]:
    return [wanted] if isinstance(wanted, str) else [str(name) for name in wanted]


def _must_be_types(names: list[str]) -> str:
    return f"Must be {' or '.join(_TYPE_NAMES.get(name, name) for name in names)}."


def _type_message(error: ValidationError) -> str:
    return _must_be_types(_type_list(_keyword_value(error)))


def _minimum(error: ValidationError) -> str:
    if _subschema(error).get("exclusiveMinimum") is True:  # draft 4
        return f"Must be greater than {_number(_keyword_value(error))}."
    return f"Must be at least {_number(_keyword_value(error))}."


def _maximum(error: ValidationError) -> str:
    if _subschema(error).get("exclusiveMaximum") is True:  # draft 4
        return f"Must be less than {_number(_keyword_value(error))}."
    return f"Must be at most {_number(_keyword_value(error))}."


def _min_length(error: ValidationError) -> str:
    if _keyword_value(error) == 1:
        return "Must not be empty."
    return f"Must be at least {_count(_keyword_value(error), 'character')} long."


def _min_items(error: ValidationError) -> str:
    if _keyword_value(error) == 1:
        return "Add at least one item."
    return f"Must have at least {_count(_keyword_value(error), 'item')}."


def _choice(error: ValidationError) -> str:
    labels = _choice_labels(_keyword_value(error))
    return _one_of(labels) if labels else str(error.message)


def _format(error: ValidationError) -> str:
    name = str(_keyword_value(error))
    return _FORMAT_MESSAGES.get(name, f"Must be a valid {name}.")


_PATH_HANDLERS: dict[str, Callable[[ValidationError], list[Finding]]] = {
    "required": _required,
    "dependentRequired": _dependent_required,
    "dependencies": _dependent_required,
    "additionalProperties": _additional_properties,
}

_MESSAGES: dict[str, Callable[[ValidationError], str]] = {
    "type": _type_message,
    "enum": lambda e: _one_of([_value(v) for v in _keyword_value(e)]),
    "const": lambda e: f"Must be {_value(_keyword_value(e))}.",
    "oneOf": _choice,
    "anyOf": _choice,
    "minimum": _minimum,
    "maximum": _maximum,
    "exclusiveMinimum": lambda e: f"Must be greater than {_number(_keyword_value(e))}.",
    "exclusiveMaximum": lambda e: f"Must be less than {_number(_keyword_value(e))}.",
    "multipleOf": lambda e: f"Must be a multiple of {_number(_keyword_value(e))}.",
    "minLength": _min_length,
    "maxLength": lambda e: f"Must be at most {_count(_keyword_value(e), 'character')} long.",
    "pattern": lambda e: "Is not in the expected format.",
    "format": _format,
    "minItems": _min_items,
    "maxItems": lambda e: f"Must have at most {_count(_keyword_value(e), 'item')}.",
    "not": lambda e: NOT_ALLOWED if _keyword_value(e) == {} else str(e.message),
    "uniqueItems": lambda e: "Must not contain the same item twice.",
}
