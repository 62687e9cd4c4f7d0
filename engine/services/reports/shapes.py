"""The one shape every report has: named tables of rows, each column a label, count or stat.

The page, the CSV and the JSON all render the same `Report`; exports pass its tables through
`engine.services.reports.export`, which applies small-cell suppression by column kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.services.reports.filters import ReportFilter

LABEL, COUNT, STAT = "label", "count", "stat"


@dataclass(frozen=True)
class Column:
    """A column: `count` cells are suppressed at 1-4, `stat` cells when their base is < 5.

    A stat's `base` names the count column (same row) it was computed from; `parts` names
    count columns whose suppression must also hide the stat (e.g. a percentage's numerator).
    """

    key: str
    label: str
    kind: str = LABEL
    base: str | None = None
    parts: tuple[str, ...] = ()
    unit: str = ""


@dataclass(frozen=True)
class Table:
    """Rows of one report table; `private` tables (client names) appear only on the page."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]
    private: bool = False

    def column(self, key: str) -> Column:
        """The column with that key."""
        return next(c for c in self.columns if c.key == key)

    def values(self, key: str) -> list[Any]:
        """Every row's value of one column."""
        return [row.get(key) for row in self.rows]


@dataclass(frozen=True)
class Report:
    """One report for one filter: its definition and tables, computed at `generated_at`."""

    name: str
    title: str
    definition: str
    filter: ReportFilter
    generated_at: datetime
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = field(default=())

    def table(self, name: str) -> Table:
        """The table with that name (KeyError if none)."""
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    @property
    def exported_tables(self) -> tuple[Table, ...]:
        """The tables an export may contain (no private ones)."""
        return tuple(t for t in self.tables if not t.private)


def label(key: str, title: str) -> Column:
    """A column of names or keys (never suppressed)."""
    return Column(key, title)


def count(key: str, title: str) -> Column:
    """A column of counts of people or cases (1-4 suppressed in exports)."""
    return Column(key, title, COUNT)


def stat(key: str, title: str, base: str, *parts: str, unit: str = "") -> Column:
    """A rate, mean or percentile computed from the count in column `base` (and `parts`)."""
    return Column(key, title, STAT, base=base, parts=parts, unit=unit)
