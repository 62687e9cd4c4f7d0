"""Errors that engine services raise; web/ maps each to an HTTP status."""

from __future__ import annotations

from collections.abc import Mapping


class EngineError(Exception):
    """Base of every error a service raises on purpose."""

    code = "error"

    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, str] = dict(errors or {})


class NotFound(EngineError):
    """An unknown id."""

    code = "not_found"


class Conflict(EngineError):
    """The state changed under the caller: task not ready, claimed by someone else, stale."""

    code = "conflict"


class Forbidden(EngineError):
    """The user may not do this."""

    code = "forbidden"


class Unauthorized(EngineError):
    """No or bad credentials."""

    code = "unauthorized"


class FormInvalid(EngineError):
    """Submitted data fails the task's form; errors maps field paths to messages."""

    code = "validation_failed"


class ProcessInvalid(EngineError):
    """BPMN/DMN files with problems; errors maps FILE:ELEMENT_ID to messages."""

    code = "validation_failed"


class BadRequest(EngineError):
    """A malformed command."""

    code = "bad_request"
