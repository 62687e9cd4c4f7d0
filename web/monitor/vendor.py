"""bpmn-js, installed from npm at set-up (never committed), served from node_modules."""

from __future__ import annotations

from pathlib import Path

from flask import abort, send_from_directory
from werkzeug.wrappers import Response as BaseResponse

import web

DIST = Path(web.__file__).resolve().parents[1] / "node_modules" / "bpmn-js" / "dist"
VIEWER = "bpmn-navigated-viewer.production.min.js"


def installed() -> bool:
    """Whether `make run` / `npm ci` installed the diagram viewer."""
    return (DIST / VIEWER).is_file()


def send(path: str) -> BaseResponse:
    """One file of bpmn-js's dist (the viewer script and its CSS and fonts; 404 otherwise)."""
    if not (path == VIEWER or path.startswith("assets/")):
        abort(404)
    return send_from_directory(DIST, path, max_age=3600)
