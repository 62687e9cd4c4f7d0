"""Form definitions and form data validation: the only home of the jsonschema library."""

from engine.forms.checks import check_form
from engine.forms.model import Form, FormDefinitionError
from engine.forms.store import load_forms
from engine.forms.validation import validate_submission

__all__ = [
    "Form",
    "FormDefinitionError",
    "check_form",
    "load_forms",
    "validate_submission",
]
