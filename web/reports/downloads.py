"""Turning a report filter from query arguments, and a report into a CSV or JSON download."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from flask import Response

from engine import BadRequest, NotFound
from engine.services.reports import Report, ReportFilter, ReportService
from engine.services.reports.export import csv_text, json_document


def parse_date(value: str | None, field: str) -> date | None:
    """An ISO date from a query argument (empty: not given)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{field} is not a date", {field: "use YYYY-MM-DD"}) from None


def filter_from(args: Mapping[str, str], service: ReportService) -> ReportFilter:
    """The filter of ?from=&to=&team= (missing parts take the defaults)."""
    start = parse_date(args.get("from"), "from")
    end = parse_date(args.get("to"), "to")
    return service.filter(start, end, (args.get("team") or "").strip() or None)


def filename(report: Report, extension: str, table: str | None = None) -> str:
    """carecycle-<report>[-<table>]-<from>-<to>[-<team>].<extension>."""
    parts = ["carecycle", report.name, table, report.filter.start.isoformat()]
    parts += [report.filter.end.isoformat(), report.filter.team]
    safe = "-".join(p for p in parts if p)
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in safe) + f".{extension}"


def csv_response(report: Report, table: str | None) -> Response:
    """The suppressed CSV of one of the report's tables, as an attachment."""
    try:
        text = csv_text(report, table)
    except KeyError:
        raise NotFound(f"report {report.name} has no exported table {table!r}") from None
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{filename(report, "csv", table)}"'
    )
    return _private(response)


def json_response(report: Report) -> Response:
    """The suppressed JSON document of the report."""
    body = json.dumps(json_document(report), ensure_ascii=False)
    return _private(Response(body, mimetype="application/json"))


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
