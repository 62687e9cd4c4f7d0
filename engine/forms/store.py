"""Load form definitions from a directory of <form_id>.schema.json (+ .uischema.json) files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from engine.forms.checks import schema_problems, ui_schema_problems
from engine.forms.model import Form, FormDefinitionError

SCHEMA_SUFFIX = ".schema.json"
UI_SCHEMA_SUFFIX = ".uischema.json"

_FORM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


class _JsonProblem(ValueError):
    """Valid JSON syntax that a form file may still not use (duplicate keys, NaN)."""


def load_forms(directory: Path) -> dict[str, Form]:
    """Read every <form_id>.schema.json (+ optional .uischema.json); raise on a broken file."""
    schemas, ui_schemas = _form_files(directory)
    for form_id, path in ui_schemas.items():
        if form_id not in schemas:
            raise FormDefinitionError(path, [f"no matching {form_id}{SCHEMA_SUFFIX}"])
    return {
        form_id: _load_form(form_id, path, ui_schemas.get(form_id))
        for form_id, path in sorted(schemas.items())
    }


def _form_files(directory: Path) -> tuple[dict[str, Path], dict[str, Path]]:
    if not directory.is_dir():
        raise FormDefinitionError(directory, ["not a directory"])
    schemas: dict[str, Path] = {}
    ui_schemas: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.suffix != ".json" or not path.is_file():
            continue
        if path.name.endswith(UI_SCHEMA_SUFFIX):
            ui_schemas[_form_id(path, UI_SCHEMA_SUFFIX)] = path
        elif path.name.endswith(SCHEMA_SUFFIX):
            schemas[_form_id(path, SCHEMA_SUFFIX)] = path
        else:
            expected = f"<form_id>{SCHEMA_SUFFIX} or <form_id>{UI_SCHEMA_SUFFIX}"
            raise FormDefinitionError(path, [f"not a form file name; expected {expected}"])
    return schemas, ui_schemas


def _form_id(path: Path, suffix: str) -> str:
    form_id = path.name.removesuffix(suffix)
    if not _FORM_ID.fullmatch(form_id):
        problem = f"form id {form_id!r} must be letters, digits, '_' or '-'"
        raise FormDefinitionError(path, [problem])
    return form_id


def _load_form(form_id: str, schema_path: Path, ui_path: Path | None) -> Form:
    schema = _read_json(schema_path)
    _raise_if(schema_path, schema_problems(schema))
    ui_schema = _read_json(ui_path) if ui_path else {}
    if ui_path:
        _raise_if(ui_path, ui_schema_problems(ui_schema))
    return Form(form_id=form_id, schema=schema, ui_schema=ui_schema)


def _raise_if(path: Path, problems: list[str]) -> None:
    if problems:
        raise FormDefinitionError(path, problems)


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise FormDefinitionError(path, [f"invalid JSON at {where}: {error.msg}"]) from error
    except (_JsonProblem, UnicodeDecodeError) as error:
        raise FormDefinitionError(path, [f"invalid JSON: {error}"]) from error
    except OSError as error:
        raise FormDefinitionError(path, [f"cannot be read: {error.strerror}"]) from error


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _JsonProblem(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise _JsonProblem(f"{name} is not allowed")
