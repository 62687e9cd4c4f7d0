"""The inbox: list and read tasks; claim, unclaim, assign and complete them."""

from __future__ import annotations

from typing import Any

from engine import InstanceView, TaskDetail, TaskView
from web.api.base import make_blueprint
from web.api.schemas import (
    AssignCreate,
    CompleteCreate,
    CompleteRead,
    TaskDetailRead,
    TaskQuery,
    TaskRead,
)
from web.context import current_actor, current_engine

bp = make_blueprint("tasks", "/tasks", "Human tasks: the inbox")


@bp.route("", methods=["GET"])
@bp.arguments(TaskQuery, location="query", as_kwargs=True)
@bp.response(200, TaskRead(many=True))
def list_tasks(scope: str, status: str, limit: int, offset: int) -> list[TaskView]:
    """Tasks assigned to me (mine), open to my roles (team) or everyone's (all, supervisors)."""
    return current_engine().tasks.list(current_actor(), scope, status, limit=limit, offset=offset)


@bp.route("/<task_id>", methods=["GET"])
@bp.response(200, TaskDetailRead)
def get(task_id: str) -> TaskDetail:
    """A task with its form and the values to prefill it with."""
    return current_engine().tasks.get(task_id, current_actor())


@bp.route("/<task_id>/claim", methods=["POST"])
@bp.response(200, TaskRead)
def claim(task_id: str) -> TaskView:
    """Take an open task (409 when someone else holds it)."""
    return current_engine().tasks.claim(task_id, current_actor())


@bp.route("/<task_id>/unclaim", methods=["POST"])
@bp.response(200, TaskRead)
def unclaim(task_id: str) -> TaskView:
    """Give a held task back to the team."""
    return current_engine().tasks.unclaim(task_id, current_actor())


@bp.route("/<task_id>/assign", methods=["POST"])
@bp.arguments(AssignCreate)
@bp.response(200, TaskRead)
def assign(body: dict[str, Any], task_id: str) -> TaskView:
    """Hand a task to a person holding one of its roles (supervisors)."""
    return current_engine().tasks.assign(task_id, body["username"], current_actor())


@bp.route("/<task_id>/complete", methods=["POST"])
@bp.arguments(CompleteCreate)
@bp.response(200, CompleteRead)
@bp.alt_response(422, description="the data fails the task's form; errors by field path")
def complete(body: dict[str, Any], task_id: str) -> dict[str, InstanceView]:
    """Submit the task's form and run the instance until it waits again."""
    instance = current_engine().tasks.complete(task_id, body["data"], current_actor())
    return {"instance": instance}
