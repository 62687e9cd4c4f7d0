"""The API's blueprint class: bearer auth on every route, 400 for malformed requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

from web.auth import require_bearer
from web.context import API_PREFIX

F = TypeVar("F", bound=Callable[..., Any])


class Decorator(Protocol):
    """A decorator that keeps the decorated function's type."""

    def __call__(self, func: F, /) -> F: ...


class RequestParser(FlaskParser):
    """webargs parser answering 400 (not 422) for bodies and queries that fail their schema."""

    DEFAULT_VALIDATION_STATUS = 400


class ApiBlueprint(Blueprint):  # type: ignore[misc]  # flask-smorest ships no type hints
    """A flask-smorest blueprint whose decorators are typed for mypy."""

    ARGUMENTS_PARSER = RequestParser()

    def route(self, rule: str, **options: Any) -> Decorator:
        """Register a view (flask-smorest's route, typed)."""
        return cast("Decorator", super().route(rule, **options))

    def arguments(self, schema: Any, **options: Any) -> Decorator:
        """Parse and validate request arguments with a schema."""
        return cast("Decorator", super().arguments(schema, **options))

    def response(self, status_code: int, schema: Any = None, **options: Any) -> Decorator:
        """Serialize the view's return value with a schema."""
        return cast("Decorator", super().response(status_code, schema, **options))

    def alt_response(self, status_code: int, response: Any = None, **options: Any) -> Decorator:
        """Document another possible response."""
        return cast("Decorator", super().alt_response(status_code, response, **options))

    @staticmethod
    def doc(**kwargs: Any) -> Decorator:
        """Add verbatim OpenAPI documentation to a view."""
        return cast("Decorator", Blueprint.doc(**kwargs))


def make_blueprint(name: str, path: str, description: str) -> ApiBlueprint:
    """A blueprint for one API area (e.g. "tasks" at /api/v1/tasks) that needs a bearer token."""
    blueprint = ApiBlueprint(
        name, f"web.api.{name}", url_prefix=f"{API_PREFIX}{path}", description=description
    )
    blueprint.before_request(require_bearer)
    return blueprint
