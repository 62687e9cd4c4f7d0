"""JSON API of the supervisor's console: reports."""

from __future__ import annotations

from web.api.base import make_blueprint

bp = make_blueprint("reports_api", "", "Supervisor's console: reports (supervisors and admins).")
