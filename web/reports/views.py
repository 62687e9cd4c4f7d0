"""Report pages: /reports and /reports/<name> (+ .csv and .json)."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.console import supervisor_page

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("")
@supervisor_page
def index() -> str:
    """Every report for a period and a team."""
    return render_template("reports/index.html")
