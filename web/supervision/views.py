"""Supervision pages: /supervision/approvals and /supervision/caseloads."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.console import supervisor_page

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


@bp.route("/approvals")
@supervisor_page
def approvals() -> str:
    """Plans and closures waiting for this supervisor."""
    return render_template("supervision/approvals.html")


@bp.route("/caseloads")
@supervisor_page
def caseloads() -> str:
    """Open cases and tasks per case manager."""
    return render_template("supervision/caseloads.html")
