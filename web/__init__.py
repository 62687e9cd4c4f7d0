"""CareCycle's web app: the JSON API under /api/v1 and the pages people use."""

from __future__ import annotations

from typing import Any

from flask import Flask

from engine import Engine, build
from web import api, auth, security
from web.cases import views as cases
from web.context import EXTENSION
from web.inbox import views as inbox
from web.monitor import views as monitor
from web.reports import views as reports
from web.supervision import views as supervision
from web.tasks import views as tasks

MAX_UPLOAD_BYTES = 16 * 1024 * 1024


def create_app(config: dict[str, Any] | None = None, engine: Engine | None = None) -> Flask:
    """Build the Flask app over an engine (built from the environment unless given)."""
    app = Flask(__name__)
    engine = engine or build()
    app.config.from_mapping(
        SECRET_KEY=engine.settings.session_secret(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        SESSION_IDLE_MINUTES=engine.settings.session_idle_minutes,
    )
    app.config.update(config or {})
    app.extensions[EXTENSION] = engine
    security.init_app(app)
    auth.init_app(app)
    api.init_app(app)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(monitor.bp)
    app.register_blueprint(supervision.bp)
    app.register_blueprint(reports.bp)
    return app
