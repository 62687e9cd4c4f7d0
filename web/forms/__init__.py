"""Server-rendered task forms: JSON Schema -> fields to render, posted fields -> typed JSON."""

from web.forms.parse import as_mapping, parse_form
from web.forms.render import Field, build_fields
from web.forms.rows import apply_row_action, is_row_action

__all__ = ["Field", "apply_row_action", "as_mapping", "build_fields", "is_row_action", "parse_form"]
