"""Report pages: /reports (every report) and /reports/<name>.csv / .json (suppressed exports).

All take ?from=YYYY-MM-DD (included) &to=YYYY-MM-DD (excluded) &team=NAME; the CSV also
?table=NAME (default: the report's first table). Supervisors and admins only.
"""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from engine import BadRequest
from engine.services.reports import ReportService
from engine.services.reports.export import SMALL
from web.console import supervisor_page
from web.context import current_actor, current_engine
from web.reports.downloads import csv_response, filter_from, json_response
from web.reports.figures import figures

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _service() -> ReportService:
    return current_engine().reports


@bp.route("")
@supervisor_page
def index() -> BaseResponse:
    """Every report for a period and a team, with charts, tables and export links."""
    service, actor = _service(), current_actor()
    error, status = None, 200
    try:
        report_filter = filter_from(request.args, service)
    except BadRequest as exc:
        error, status = exc.message, 400
        report_filter = service.default_filter()
    reports = service.run_all(actor, report_filter)
    html = render_template(
        "reports/index.html",
        sections=[(report, figures(report)) for report in reports],
        report_filter=report_filter,
        teams=service.teams(actor),
        error=error,
        small=SMALL,
    )
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<name>.csv")
@supervisor_page
def export_csv(name: str) -> BaseResponse:
    """One report table as CSV, small cells suppressed (audited)."""
    service = _service()
    report_filter = filter_from(request.args, service)
    table = request.args.get("table") or None
    report = service.export(name, current_actor(), report_filter, "csv", table)
    return csv_response(report, table)


@bp.route("/<name>.json")
@supervisor_page
def export_json(name: str) -> BaseResponse:
    """One report as JSON, small cells suppressed (audited)."""
    service = _service()
    report = service.export(name, current_actor(), filter_from(request.args, service), "json")
    return json_response(report)
