"""The form definition value and the error raised for a broken form definition."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Form:
    """A form: its JSON Schema (what is valid) and its UI schema (how it is shown).

    Treat both dicts as immutable once the form exists: compiled validators are cached
    against the schema object.
    """

    form_id: str
    schema: dict[str, Any]
    ui_schema: dict[str, Any]


class FormDefinitionError(Exception):
    """A broken form definition; str() names the source (file) and what is wrong."""

    def __init__(self, source: str | Path, problems: Sequence[str]) -> None:
        self.source = str(source)
        self.problems = list(problems)
        super().__init__(f"{self.source}: {'; '.join(self.problems)}")
