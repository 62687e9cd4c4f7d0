"""The no-JavaScript "Add another" and "Remove" buttons of repeatable fieldsets."""

from __future__ import annotations

from typing import Any

from web.forms.schema import Schema, item_schema, primary_type

ADD = "add:"
REMOVE = "remove:"


def is_row_action(action: str) -> bool:
    """Whether a posted action adds or removes a row."""
    return action.startswith((ADD, REMOVE))


def apply_row_action(schema: Schema, data: dict[str, Any], action: str) -> dict[str, Any]:
    """data with one row added to ("add:goals") or removed from ("remove:goals.1") an array."""
    if action.startswith(ADD):
        path = action[len(ADD) :].split(".")
        spec = _schema_at(schema, path)
        rows = _list_at(data, path, create=True) if spec is not None else None
        if rows is not None and spec is not None:
            rows.append({} if primary_type(item_schema(spec)) == "object" else "")
    elif action.startswith(REMOVE):
        *path, index = action[len(REMOVE) :].split(".")
        rows = _list_at(data, path, create=False)
        if rows is not None and index.isdigit() and int(index) < len(rows):
            del rows[int(index)]
    return data


def _schema_at(schema: Schema, path: list[str]) -> Schema | None:
    spec: Any = schema
    for part in path:
        if not isinstance(spec, dict):
            return None
        spec = item_schema(spec) if part.isdigit() else (spec.get("properties") or {}).get(part)
    if isinstance(spec, dict) and primary_type(spec) == "array":
        return spec
    return None


def _list_at(data: dict[str, Any], path: list[str], create: bool) -> list[Any] | None:
    node: Any = data
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict):
            if part not in node and create:
                node[part] = [] if last else {}
            node = node.get(part)
        else:
            return None
    return node if isinstance(node, list) else None
