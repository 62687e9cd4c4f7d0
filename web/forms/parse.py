"""Turn posted form fields back into typed JSON that matches the form's schema."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from web.forms.schema import (
    Schema,
    choices_of,
    is_read_only,
    item_schema,
    primary_type,
    sub_ui,
    to_form,
)

FormData = MultiDict[str, str]

MAX_ROWS = 500
NOT_A_NUMBER = "Enter a number."
NOT_A_WHOLE_NUMBER = "Enter a whole number."
_MISSING = object()


@dataclass
class Parser:
    """Reads one posted form against its schema, collecting values that cannot be typed."""

    form: FormData
    errors: dict[str, str] = field(default_factory=dict)

    def members(self, spec: Schema, ui: Schema, name: str, path: str) -> dict[str, Any]:
        """An object's properties; empty optional values are left out."""
        data: dict[str, Any] = {}
        required = set(spec.get("required") or [])
        for key, sub in (spec.get("properties") or {}).items():
            if not isinstance(sub, dict) or is_read_only(sub, sub_ui(ui, key)):
                continue
            value = self.value(sub, sub_ui(ui, key), _join(name, key, "-"), _join(path, key, "."))
            if value is _MISSING or (_is_empty(value) and key not in required):
                continue
            data[key] = value
        return data

    def value(self, spec: Schema, ui: Schema, name: str, path: str) -> Any:
        """One field's typed value, or _MISSING when nothing was entered."""
        kind = primary_type(spec)
        if kind == "object":
            return self.members(spec, ui, name, path)
        if kind == "array":
            return self.array(spec, ui, name, path)
        if kind == "boolean" and ui.get("ui:widget") == "checkbox":
            return self.form.get(name) == "true"
        raw = self.form.get(name, "")
        if not raw.strip():
            return _MISSING
        return self.scalar(spec, raw.strip(), path)

    def array(self, spec: Schema, ui: Schema, name: str, path: str) -> list[Any]:
        """A list from checkboxes (enum items) or from indexed rows (name-0-field, ...)."""
        items, item_ui = item_schema(spec), sub_ui(ui, "items")
        if choices_of(items):
            return [self.scalar(items, raw, path) for raw in self.form.getlist(name) if raw]
        values: list[Any] = []
        for i in self.row_indexes(name):
            index_path = f"{path}.{len(values)}"
            value = self.value(items, item_ui, f"{name}-{i}", index_path)
            if value is not _MISSING:
                values.append(value)
        return values

    def row_indexes(self, name: str) -> list[int]:
        """The indexes of the rows posted for an array (a removed row has no marker)."""
        try:
            count = min(int(self.form.get(f"{name}--rows") or 0), MAX_ROWS)
        except ValueError:
            return []
        return [i for i in range(count) if f"{name}-{i}--row" in self.form]

    def scalar(self, spec: Schema, raw: str, path: str) -> Any:
        """A typed value; text that is not the field's type is kept as typed and reported."""
        choices = choices_of(spec)
        if choices:
            return next((c.value for c in choices if to_form(c.value) == raw), raw)
        kind = primary_type(spec)
        if kind == "boolean":
            return {"true": True, "false": False}.get(raw, raw)
        if kind in ("number", "integer"):
            return self.number(raw, kind, path)
        return raw

    def number(self, raw: str, kind: str, path: str) -> Any:
        """An int or float; the raw text (with an error) when it is not one."""
        try:
            number = float(raw)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            self.errors[path] = NOT_A_NUMBER
            return raw
        if number.is_integer() and "." not in raw and "e" not in raw.lower():
            return int(number)
        if kind == "integer":
            if number.is_integer():
                return int(number)
            self.errors[path] = NOT_A_WHOLE_NUMBER
            return raw
        return number


def parse_form(schema: Schema, ui: Schema, form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed data for the schema from posted fields, and {field path: message} for bad numbers."""
    parser = Parser(form)
    data = parser.members(schema, ui, "", "")
    return data, parser.errors


def _is_empty(value: Any) -> bool:
    return isinstance(value, dict | list) and not value


def _join(prefix: str, key: str, sep: str) -> str:
    return f"{prefix}{sep}{key}" if prefix else key


def as_mapping(form: Mapping[str, Any]) -> FormData:
    """Posted form data from a plain dict (a list value posts several values), for tests."""
    pairs = [
        (key, str(item))
        for key, value in form.items()
        for item in (value if isinstance(value, list) else [value])
    ]
    return MultiDict(pairs)
