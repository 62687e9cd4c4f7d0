"""JSON API of the supervisor's console: supervision."""

from __future__ import annotations

from web.api.base import make_blueprint

bp = make_blueprint(
    "supervision_api", "", "Supervisor's console: supervision (supervisors and admins)."
)
