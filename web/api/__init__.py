"""The JSON API at /api/v1: flask-smorest, one blueprint per area, OpenAPI at /openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from web.api import errors
from web.api.cases import bp as cases_bp
from web.api.instances import bp as instances_bp
from web.api.monitor import bp as monitor_bp
from web.api.processes import bp as processes_bp
from web.api.reports import bp as reports_bp
from web.api.scheduler import bp as scheduler_bp
from web.api.schemas import ErrorRead
from web.api.supervision import bp as supervision_bp
from web.api.tasks import bp as tasks_bp
from web.context import API_PREFIX

API_CONFIG: dict[str, Any] = {
    "API_TITLE": "CareCycle",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": API_PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "security": [{"bearerAuth": []}],
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "info": {"description": "CareCycle: BPMN care processes, their instances and the inbox."},
    },
}


class CareCycleApi(Api):  # type: ignore[misc]  # flask-smorest ships no type hints
    """flask-smorest's Api with CareCycle's error shape."""

    ERROR_SCHEMA = ErrorRead

    def handle_http_exception(self, error: HTTPException) -> Any:
        """Errors under /api/v1 as {"error", "message", "errors"}; pages keep HTML errors."""
        return errors.handle_http_exception(error)


def init_app(app: Flask) -> CareCycleApi:
    """Create the Api for app and register the area blueprints."""
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api = CareCycleApi(app)
    errors.init_app(app)
    for blueprint in (
        processes_bp,
        instances_bp,
        tasks_bp,
        cases_bp,
        scheduler_bp,
        monitor_bp,
        supervision_bp,
        reports_bp,
    ):
        api.register_blueprint(blueprint)
    return api
