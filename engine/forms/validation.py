"""Validate submitted form data against a form's JSON Schema."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jsonschema import FormatChecker
from jsonschema.protocols import Validator

from engine.forms.checks import check_form, validator_class
from engine.forms.messages import FORM_KEY, field_errors
from engine.forms.model import Form, FormDefinitionError

NOT_AN_OBJECT = "The submitted data must be a JSON object."

# RFC 3339 date-time: "T" separator, seconds, optional fraction, and a "Z" or +hh:mm offset.
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})
_MEMBER_MAPS = frozenset({"properties", "patternProperties"})
_MEMBER_LISTS = frozenset({"prefixItems", "items"})
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def validate_submission(form: Form | None, data: Any) -> dict[str, str]:
    """Field errors for submitted data ({field path: message}); empty when the data is valid."""
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        return {FORM_KEY: NOT_AN_OBJECT}
    if form is None:
        return {}
    return field_errors(compiled_validator(form).iter_errors(data))


def compiled_validator(form: Form) -> Validator:
    """The form's validator, built once per (form id, schema object) and then reused."""
    return _compile(_SchemaKey(form))


@dataclass(frozen=True, eq=False)
class _SchemaKey:
    """Cache key: equal only for the same form id and the very same schema object.

    The cache holds the key, so the schema stays alive and its id() cannot be reused.
    """

    form: Form

    def __hash__(self) -> int:
        return hash((self.form.form_id, id(self.form.schema)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _SchemaKey):
            return NotImplemented
        same_id = other.form.form_id == self.form.form_id
        return same_id and other.form.schema is self.form.schema


@functools.lru_cache(maxsize=512)
def _compile(key: _SchemaKey) -> Validator:
    problems = check_form(key.form)
    if problems:
        raise FormDefinitionError(f"form {key.form.form_id!r}", problems)
    cls = validator_class(key.form.schema)
    schema = _false_as_not(key.form.schema)
    validator: Validator = cls(schema, format_checker=format_checker())
    return validator


def _false_as_not(node: Any) -> Any:
    """A copy with `false` member subschemas written as {"not": {}}.

    jsonschema drops the last path segment of a `false` subschema's error (properties.x: false
    reports at the parent); {"not": {}} means the same and reports at the member's own path.
    """
    if isinstance(node, list):
        return [_false_as_not(item) for item in node]
    if not isinstance(node, dict):
        return node
    copy: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DATA_KEYWORDS:
            copy[key] = value
        elif key in _MEMBER_MAPS and isinstance(value, dict):
            copy[key] = {name: _member(sub) for name, sub in value.items()}
        elif key in _MEMBER_LISTS and isinstance(value, list):
            copy[key] = [_member(sub) for sub in value]
        else:
            copy[key] = _false_as_not(value)
    return copy


def _member(subschema: Any) -> Any:
    return {"not": {}} if subschema is False else _false_as_not(subschema)


@functools.cache
def format_checker() -> FormatChecker:
    """jsonschema's format checks, with stricter "date-time" and "email" checks of our own."""
    checker = FormatChecker()
    checker.checks("date-time")(is_date_time)
    checker.checks("email")(is_email)
    return checker


def is_date_time(value: object) -> bool:
    """RFC 3339 date-time (needs no rfc3339-validator); non-strings are left to "type"."""
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.upper())
    except ValueError:
        return False
    return True


def is_email(value: object) -> bool:
    """A plausible address: something@domain.tld without spaces; non-strings pass."""
    return not isinstance(value, str) or _EMAIL.fullmatch(value) is not None
