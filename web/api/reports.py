"""JSON API of the supervisor's console: reports (supervisors and admins; 403 otherwise).

`GET /api/v1/reports` lists the reports; `GET /api/v1/reports/{name}?from=&to=&team=` answers
one report as JSON, or as CSV with `format=csv` (`table=` picks the table, default the first).
Both exports suppress small cells exactly as the page's downloads do, and are audited.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response as BaseResponse

from engine.services.reports import ReportInfo
from engine.services.reports.export import FORMATS, json_document
from web.api.base import make_blueprint
from web.api.schemas import QuerySchema
from web.context import current_actor, current_engine
from web.reports.downloads import csv_response

bp = make_blueprint("reports_api", "", "Supervisor's console: reports (supervisors and admins).")


class ReportInfoRead(Schema):
    """A report there is."""

    name = fields.String()
    title = fields.String()
    definition = fields.String()


class ReportQuery(QuerySchema):
    """Period, team and format of a report."""

    start = fields.Date(
        data_key="from", metadata={"description": "first day (YYYY-MM-DD, included)"}
    )
    end = fields.Date(
        data_key="to", metadata={"description": "day after the last (YYYY-MM-DD, excluded)"}
    )
    team = fields.String(
        validate=validate.Length(max=80), metadata={"description": "only this team's cases"}
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(FORMATS),
        metadata={"description": "json (default) or csv"},
    )
    table = fields.String(
        validate=validate.Length(min=1, max=80),
        metadata={"description": "with format=csv: which table (default: the first)"},
    )


class ReportRead(Schema):
    """A report with small cells suppressed: counts 1-4 are "<5", fragile stats null."""

    report = fields.String()
    title = fields.String()
    definition = fields.String()
    start = fields.String(data_key="from")
    end = fields.String(data_key="to")
    team = fields.String(allow_none=True)
    generated_at = fields.String(metadata={"description": "when it was computed (ISO 8601)"})
    suppression = fields.String()
    tables = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Dict()),
        metadata={"description": "table name -> rows (column -> value)"},
    )


@bp.route("/reports", methods=["GET"])
@bp.response(200, ReportInfoRead(many=True))
def list_reports() -> list[ReportInfo]:
    """The reports there are, in the page's order."""
    return list(current_engine().reports.catalog(current_actor()))


@bp.route("/reports/<name>", methods=["GET"])
@bp.arguments(ReportQuery, location="query")
@bp.response(200, ReportRead)
@bp.doc(
    responses={
        "200": {
            "description": "The report as JSON; with format=csv, one table as text/csv.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
)
def get_report(args: dict[str, Any], name: str) -> dict[str, Any] | BaseResponse:
    """One report for ?from=&to=&team= (default: the last 90 days, every team); audited.

    Small cells are suppressed: counts 1-4 read "<5"; rates, means and percentiles over fewer
    than 5 cases are null (JSON) or "suppressed" (CSV); client names are never included.
    `format=csv` answers one table as text/csv (`table=` names it; default the first).
    """
    service = current_engine().reports
    report_filter = service.filter(args.get("start"), args.get("end"), args.get("team"))
    fmt, table = args["format"], args.get("table") if args["format"] == "csv" else None
    report = service.export(name, current_actor(), report_filter, fmt, table)
    if fmt == "csv":
        return csv_response(report, table)
    document = json_document(report)
    document["start"], document["end"] = document.pop("from"), document.pop("to")
    return document
