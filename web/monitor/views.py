"""Monitor pages: /monitor/instances, /monitor/instances/<id>, /monitor/incidents, heatmaps."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.console import supervisor_page

bp = Blueprint("monitor", __name__, url_prefix="/monitor")


@bp.route("/instances")
@supervisor_page
def instances() -> str:
    """Process instances with filters, counts per status and paging."""
    return render_template("monitor/instances.html")


@bp.route("/incidents")
@supervisor_page
def incidents() -> str:
    """Instances in error, with retry."""
    return render_template("monitor/incidents.html")
