"""Exports (CSV and JSON) of a report, with small-cell suppression.

Suppression rules, applied to every exported table (the page shows exact numbers):
- a `count` cell from 1 to 4 becomes the string "<5" (0 and 5+ are shown);
- a `stat` cell (rate, mean, median, percentile) is suppressed when its base count is below 5
  or when one of its `parts` counts is suppressed: `null` in JSON, "suppressed" in CSV;
- private tables (the stale-referral list with client names) are never exported.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from engine.services.reports.shapes import COUNT, STAT, Report, Table

SMALL = "<5"
SUPPRESSED_CSV = "suppressed"
FORMATS = ("csv", "json")


def is_small(value: Any) -> bool:
    """Whether a count would identify a handful of people (1 to 4)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4


def suppressed_rows(table: Table) -> list[dict[str, Any]]:
    """The table's rows with small counts replaced by "<5" and fragile stats by None."""
    rows: list[dict[str, Any]] = []
    for row in table.rows:
        out: dict[str, Any] = {}
        for column in table.columns:
            value = row.get(column.key)
            if column.kind == COUNT and is_small(value):
                value = SMALL
            elif column.kind == STAT and _fragile(row, column.base, column.parts):
                value = None
            out[column.key] = value
        rows.append(out)
    return rows


def _fragile(row: dict[str, Any], base: str | None, parts: tuple[str, ...]) -> bool:
    count = row.get(base) if base else None
    if not isinstance(count, int) or count < 5:
        return True
    return any(is_small(row.get(part)) for part in parts)


def json_document(report: Report) -> dict[str, Any]:
    """The JSON export: the filter, the definition and each exported table's suppressed rows."""
    return {
        "report": report.name,
        "title": report.title,
        "definition": report.definition,
        **report.filter.as_dict(),
        "generated_at": report.generated_at.isoformat(),
        "suppression": "counts 1-4 are '<5'; stats over fewer than 5 cases are null",
        "tables": {t.name: suppressed_rows(t) for t in report.exported_tables},
    }


def csv_text(report: Report, table_name: str | None = None) -> str:
    """One exported table (default: the first) as CSV; suppressed stats read "suppressed"."""
    tables = report.exported_tables
    table = next((t for t in tables if t.name == table_name), None) if table_name else tables[0]
    if table is None:
        raise KeyError(table_name)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.key for c in table.columns])
    for row in suppressed_rows(table):
        writer.writerow([_csv_cell(row[c.key], c.kind == STAT) for c in table.columns])
    return buffer.getvalue()


def _csv_cell(value: Any, is_stat: bool) -> str:
    if value is None:
        return SUPPRESSED_CSV if is_stat else ""
    return str(value)
