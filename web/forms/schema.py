"""Reading JSON Schema + UI schema the way the form renderer and parser need it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Schema = dict[str, Any]

CHOICE_KEYS = ("oneOf", "anyOf")


@dataclass(frozen=True)
class Choice:
    """One allowed value of an enum field and its label."""

    value: Any
    label: str


@dataclass(frozen=True)
class Condition:
    """A field that is required only when another field has a value."""

    name: str
    value: str
    text: str


def primary_type(spec: Schema) -> str:
    """The field's type, ignoring "null" (inferred from its choices when not declared)."""
    declared = spec.get("type")
    types = declared if isinstance(declared, list) else [declared]
    for name in types:
        if isinstance(name, str) and name != "null":
            return name
    choices = choices_of(spec)
    if choices:
        return _json_type(choices[0].value)
    return "string"


def choices_of(spec: Schema) -> list[Choice]:
    """The field's enum values with titles (oneOf/anyOf const + title, or a plain enum)."""
    if isinstance(spec.get("enum"), list):
        return [Choice(v, humanize(v)) for v in spec["enum"] if v is not None]
    for key in CHOICE_KEYS:
        branches = spec.get(key)
        if isinstance(branches, list) and branches and all(_is_const(b) for b in branches):
            return [
                Choice(b["const"], str(b.get("title") or humanize(b["const"]))) for b in branches
            ]
    return []


def to_form(value: Any) -> str:
    """A JSON value as the text a form field holds."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def humanize(value: Any) -> str:
    """A readable label for a value without a title."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value).replace("_", " ").capitalize()


def ordered(spec: Schema, ui: Schema) -> list[str]:
    """Property names in ui:order ("*" stands for the rest), then the remaining ones."""
    names = list((spec.get("properties") or {}).keys())
    order = [n for n in ui.get("ui:order") or [] if n == "*" or n in names]
    rest = [n for n in names if n not in order]
    if "*" in order:
        at = order.index("*")
        return order[:at] + rest + order[at + 1 :]
    return order + rest


def is_read_only(spec: Schema, ui: Schema) -> bool:
    """Whether a field is shown but never submitted."""
    return bool(spec.get("readOnly") or ui.get("ui:readonly") or ui.get("ui:disabled"))


def sub_ui(ui: Schema, name: str) -> Schema:
    """The UI schema of a property."""
    value = ui.get(name)
    return value if isinstance(value, dict) else {}


def item_schema(spec: Schema) -> Schema:
    """The schema of an array's items."""
    items = spec.get("items")
    return items if isinstance(items, dict) else {}


def conditions(spec: Schema, prefix: str) -> dict[str, Condition]:
    """Fields made required by an if/then on one field's const value: name -> condition."""
    found: dict[str, Condition] = {}
    props = spec.get("properties") or {}
    for rule in [spec, *(spec.get("allOf") or [])]:
        trigger = _trigger(rule)
        then = rule.get("then") if isinstance(rule, dict) else None
        if trigger is None or not isinstance(then, dict):
            continue
        name, value = trigger
        label = _title(props.get(name) or {}, name)
        shown = _choice_label(props.get(name) or {}, value)
        text = f"Required when “{label}” is “{shown}”."
        for target in then.get("required") or []:
            found[target] = Condition(_join(prefix, name), to_form(value), text)
    return found


def title_of(spec: Schema, name: str) -> str:
    """A field's label."""
    return _title(spec, name)


def _trigger(rule: Any) -> tuple[str, Any] | None:
    cond = rule.get("if") if isinstance(rule, dict) else None
    props = cond.get("properties") if isinstance(cond, dict) else None
    if not isinstance(props, dict) or len(props) != 1:
        return None
    [(name, test)] = props.items()
    if not isinstance(test, dict) or "const" not in test:
        return None
    return name, test["const"]


def _choice_label(spec: Schema, value: Any) -> str:
    for choice in choices_of(spec):
        if choice.value == value:
            return choice.label
    return humanize(value)


def _title(spec: Schema, name: str) -> str:
    return str(spec.get("title") or humanize(name))


def _join(prefix: str, name: str) -> str:
    return f"{prefix}-{name}" if prefix else name


def _is_const(branch: Any) -> bool:
    return isinstance(branch, dict) and "const" in branch


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"
