"""The one place where errors become JSON: {"error": CODE, "message": TEXT, "errors": {...}}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, default_exceptions

from engine import (
    BadRequest,
    Conflict,
    EngineError,
    Forbidden,
    FormInvalid,
    NotFound,
    ProcessInvalid,
    Unauthorized,
)
from web.context import is_api_request

BEARER_CHALLENGE = 'Bearer realm="carecycle"'

# Engine error class -> HTTP status; the most specific class wins (checked in MRO order).
ENGINE_STATUS: dict[type[EngineError], int] = {
    BadRequest: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    FormInvalid: 422,
    ProcessInvalid: 422,
}

HTTP_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    500: "internal_error",
}

# webargs reports problems per location; these locations are the request body.
BODY_LOCATIONS = {"json", "form", "files", "json_or_form"}


def error_response(
    status: int,
    code: str,
    message: str,
    errors: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A JSON error response in the API's one shape."""
    response = jsonify({"error": code, "message": message, "errors": dict(errors or {})})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = BEARER_CHALLENGE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def engine_status(exc: EngineError) -> int:
    """The HTTP status of an engine error."""
    for cls in type(exc).__mro__:
        if cls in ENGINE_STATUS:
            return ENGINE_STATUS[cls]
    return 500


def handle_engine_error(exc: EngineError) -> Response | HTTPException:
    """JSON for the API; for pages, the matching plain HTTP error."""
    status = engine_status(exc)
    if not is_api_request():
        return _http_class(status)(description=exc.message)
    return error_response(status, exc.code, exc.message, exc.errors)


def handle_http_exception(exc: HTTPException) -> Response | HTTPException:
    """Replace flask-smorest's default handler: same shape as every other API error."""
    if not is_api_request() or exc.code is None:
        return exc
    status = exc.code
    code = HTTP_CODES.get(status, (exc.name or "error").lower().replace(" ", "_"))
    data: dict[str, Any] = getattr(exc, "data", None) or {}
    errors: dict[str, str] = {}
    message = data.get("message") or exc.description or exc.name
    if "messages" in data:
        errors = flatten_messages(data["messages"])
        message = "the request is malformed; see errors"
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    return error_response(status, code, str(message), errors, headers)


def flatten_messages(messages: Any) -> dict[str, str]:
    """webargs/marshmallow messages by location and field -> {"field.path": "message"}."""
    flat: dict[str, str] = {}
    if not isinstance(messages, Mapping):
        return {"body": _join(messages)}
    for location, detail in messages.items():
        if isinstance(detail, Mapping):
            _flatten_into(flat, detail, "")
        else:
            flat["body" if location in BODY_LOCATIONS else str(location)] = _join(detail)
    return flat


def _flatten_into(flat: dict[str, str], detail: Mapping[Any, Any], prefix: str) -> None:
    for key, value in detail.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            _flatten_into(flat, value, path)
        else:
            flat[path] = _join(value)


def _join(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def _http_class(status: int) -> type[HTTPException]:
    return default_exceptions.get(status, default_exceptions[500])


def init_app(app: Flask) -> None:
    """Register the engine error handler (the HTTP one is the Api's, see web.api)."""
    app.register_error_handler(EngineError, handle_engine_error)
