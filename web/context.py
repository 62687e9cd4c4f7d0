"""Request-time access to the engine and the acting user."""

from __future__ import annotations

from flask import current_app, g, request

from engine import Actor, Engine

EXTENSION = "carecycle"
API_PREFIX = "/api/v1"


def current_engine() -> Engine:
    """The engine of the running app."""
    engine: Engine = current_app.extensions[EXTENSION]
    return engine


def current_actor() -> Actor:
    """The authenticated actor of this request (set by web.auth)."""
    actor: Actor = g.actor
    return actor


def is_api_request() -> bool:
    """Whether the current request is for the JSON API."""
    path = request.path
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")
