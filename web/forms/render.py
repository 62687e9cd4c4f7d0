"""Build the tree of fields a form template renders, from schema, UI schema, values and errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web.forms.schema import (
    Choice,
    Condition,
    Schema,
    choices_of,
    conditions,
    is_read_only,
    item_schema,
    ordered,
    primary_type,
    sub_ui,
    title_of,
    to_form,
)

INDEX = "__INDEX__"
NUMBER = "__NUMBER__"


@dataclass(frozen=True)
class Target:
    """Where an error summary entry links to, and what it calls the field."""

    id: str
    label: str


@dataclass(frozen=True)
class Option:
    """One choice of a select, radio group or checkbox group."""

    value: str
    label: str
    selected: bool


@dataclass
class Field:
    """One field (or group of fields) of a rendered form."""

    kind: str
    name: str
    path: str
    label: str
    help: str = ""
    required: bool = False
    read_only: bool = False
    condition: Condition | None = None
    value: str = ""
    options: list[Option] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    children: list[Field] = field(default_factory=list)
    template: Field | None = None
    item_label: str = ""
    index: int | None = None

    @property
    def id(self) -> str:
        """The HTML id of the input (or of the group's fieldset)."""
        return f"f-{self.name}"

    @property
    def described_by(self) -> str:
        """The ids of this field's help and error text."""
        ids = [self.id + "-help"] if self.help else []
        if self.error:
            ids.append(self.id + "-error")
        return " ".join(ids)

    @property
    def is_group(self) -> bool:
        """Whether the field renders as a fieldset with a legend."""
        return self.kind in ("object", "array", "row", "radio", "boolean", "checkboxes")


@dataclass
class Builder:
    """Walks a schema with the values and errors to show."""

    errors: dict[str, str]

    def form(self, schema: Schema, ui: Schema, values: dict[str, Any]) -> list[Field]:
        """The top-level fields of a form."""
        return self.members(schema, ui, values, "", "", False)

    def members(
        self, spec: Schema, ui: Schema, values: Any, name: str, path: str, read_only: bool
    ) -> list[Field]:
        """The fields of an object's properties, in ui:order."""
        values = values if isinstance(values, dict) else {}
        props = spec.get("properties") or {}
        required = set(spec.get("required") or [])
        conditional = conditions(spec, name)
        fields = []
        for key in ordered(spec, ui):
            child = self.build(
                props[key],
                sub_ui(ui, key),
                values.get(key),
                _join(name, key, "-"),
                _join(path, key, "."),
                read_only,
                key,
            )
            child.required = key in required and _needs_input(props[key])
            child.condition = conditional.get(key)
            if child.condition and not child.required:
                child.help = " ".join(filter(None, [child.help, child.condition.text]))
            fields.append(child)
        return fields

    def build(
        self, spec: Schema, ui: Schema, value: Any, name: str, path: str, ro: bool, key: str
    ) -> Field:
        """One field and, for groups, its children."""
        ro = ro or is_read_only(spec, ui)
        kind = _kind(spec, ui)
        node = Field(kind, name, path, title_of(spec, key), _help(spec, ui), read_only=ro)
        node.error = self.errors.get(path)
        if kind == "object":
            node.children = self.members(spec, ui, value, name, path, ro)
        elif kind == "array":
            self._rows(node, spec, ui, value)
        else:
            self._scalar(node, spec, ui, value)
        return node

    def _rows(self, node: Field, spec: Schema, ui: Schema, value: Any) -> None:
        items, item_ui = item_schema(spec), sub_ui(ui, "items")
        node.item_label = str(items.get("title") or "Item")
        rows = list(value) if isinstance(value, list) else []
        if not node.read_only:
            rows += [None] * max(0, int(spec.get("minItems") or 0) - len(rows))
        node.attrs["rows"] = str(len(rows))
        for i, row in enumerate(rows):
            node.children.append(self._row(node, items, item_ui, row, str(i), str(i)))
            node.children[-1].index = i
        if not node.read_only:
            blank = Builder({})
            node.template = blank._row(node, items, item_ui, None, INDEX, INDEX)

    def _row(
        self, node: Field, items: Schema, ui: Schema, value: Any, index: str, path_index: str
    ) -> Field:
        name, path = f"{node.name}-{index}", f"{node.path}.{path_index}"
        number = NUMBER if index == INDEX else str(int(index) + 1)
        label = f"{node.item_label} {number}"
        if primary_type(items) == "object":
            row = Field("row", name, path, label, read_only=node.read_only)
            row.children = self.members(items, ui, value, name, path, node.read_only)
            row.error = self.errors.get(path)
            return row
        row = self.build(items, ui, value, name, path, node.read_only, node.item_label)
        row.label = label
        return row

    def _scalar(self, node: Field, spec: Schema, ui: Schema, value: Any) -> None:
        choices = choices_of(item_schema(spec) if node.kind == "checkboxes" else spec)
        node.options = _options(choices, value)
        if node.kind == "boolean":
            node.options = _options([Choice(True, "Yes"), Choice(False, "No")], value)
        node.value = _shown(choices, value) if node.read_only else to_form(value)
        node.attrs = _attrs(spec, ui, node.kind)


def build_fields(
    schema: Schema, ui: Schema, values: dict[str, Any], errors: dict[str, str]
) -> tuple[list[Field], dict[str, Target]]:
    """The form's fields and, by field path, the id and label an error summary links to."""
    fields = Builder(dict(errors)).form(schema, ui, values)
    return fields, targets(fields)


def targets(fields: list[Field], trail: str = "") -> dict[str, Target]:
    """Each field's path -> (id of its first input, its label with its groups' labels)."""
    found: dict[str, Target] = {}
    for node in fields:
        label = f"{trail} / {node.label}" if trail else node.label
        found[node.path] = Target(_first_input(node), label)
        found.update(targets(node.children, label))
    return found


def _needs_input(spec: Schema) -> bool:
    """Whether a required field must be filled in (a required list may be empty)."""
    return primary_type(spec) != "array" or int(spec.get("minItems") or 0) > 0


def _kind(spec: Schema, ui: Schema) -> str:
    kind = primary_type(spec)
    widget = ui.get("ui:widget")
    if kind == "object":
        return "object"
    if kind == "array":
        return "checkboxes" if choices_of(item_schema(spec)) else "array"
    if choices_of(spec):
        return "radio" if widget == "radio" else "select"
    if kind == "boolean":
        return "checkbox" if widget == "checkbox" else "boolean"
    if kind in ("number", "integer"):
        return kind
    if spec.get("format") == "date" or widget == "date":
        return "date"
    return "textarea" if widget == "textarea" else "text"


def _help(spec: Schema, ui: Schema) -> str:
    return str(ui.get("ui:help") or spec.get("description") or "")


def _attrs(spec: Schema, ui: Schema, kind: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    if kind in ("number", "integer"):
        attrs["step"] = "1" if kind == "integer" else "any"
        for key, attr in (("minimum", "min"), ("maximum", "max")):
            if isinstance(spec.get(key), int | float):
                attrs[attr] = to_form(spec[key])
    if isinstance(spec.get("maxLength"), int) and kind in ("text", "textarea"):
        attrs["maxlength"] = str(spec["maxLength"])
    options = sub_ui(ui, "ui:options")
    if kind == "textarea":
        attrs["rows"] = str(options.get("rows") or 4)
    if ui.get("ui:placeholder"):
        attrs["placeholder"] = str(ui["ui:placeholder"])
    if spec.get("format") == "email":
        attrs["type"] = "email"
    return attrs


def _options(choices: list[Choice], value: Any) -> list[Option]:
    chosen = value if isinstance(value, list) else [value]
    texts = {to_form(v) for v in chosen if v is not None}
    return [Option(to_form(c.value), c.label, to_form(c.value) in texts) for c in choices]


def _shown(choices: list[Choice], value: Any) -> str:
    labels = {to_form(c.value): c.label for c in choices}
    if isinstance(value, list):
        return ", ".join(labels.get(to_form(v), to_form(v)) for v in value)
    if isinstance(value, bool) and not choices:
        return "Yes" if value else "No"
    return labels.get(to_form(value), to_form(value))


def _first_input(node: Field) -> str:
    if node.kind in ("radio", "boolean", "checkboxes"):
        return f"{node.id}-0"
    return node.id


def _join(prefix: str, key: str, sep: str) -> str:
    return f"{prefix}{sep}{key}" if prefix else key
