"""JSON API of the supervisor's console: monitor."""

from __future__ import annotations

from web.api.base import make_blueprint

bp = make_blueprint("monitor_api", "", "Supervisor's console: monitor (supervisors and admins).")
