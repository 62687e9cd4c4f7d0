"""The exact JSON shapes the contract promises, and small checks on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

TASK_KEYS = {
    "id",
    "overdue",
    "instance_id",
    "case_id",
    "element_id",
    "name",
    "lane",
    "assignee",
    "candidate_roles",
    "due_at",
    "status",
}
TASK_DETAIL_KEYS = TASK_KEYS | {"form", "data", "context"}
INSTANCE_KEYS = {
    "id",
    "process_id",
    "version",
    "status",
    "data",
    "ready_tasks",
    "waiting_timers",
    "error",
    "created_at",
    "updated_at",
}
TIMER_KEYS = {"task_id", "element_id", "due_at"}
PROCESS_KEYS = {"process_id", "version", "name", "deployed_at"}
ERROR_KEYS = {"error", "message", "errors"}


def has_offset(value: str) -> bool:
    """Whether an ISO 8601 string carries a UTC offset."""
    return datetime.fromisoformat(value).utcoffset() is not None


def assert_instance(body: Any) -> None:
    """An instance object with exactly the contract's keys (tasks and timers too)."""
    assert set(body) == INSTANCE_KEYS
    assert has_offset(body["created_at"]) and has_offset(body["updated_at"])
    for task in body["ready_tasks"]:
        assert set(task) == TASK_KEYS
    for timer in body["waiting_timers"]:
        assert set(timer) == TIMER_KEYS
        assert has_offset(timer["due_at"])


def assert_error(body: Any, code: str) -> None:
    """An error body in the API's one shape."""
    assert set(body) == ERROR_KEYS
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
