"""Process instances: start, list, read, suspend, resume, terminate, deliver messages."""

from __future__ import annotations

from typing import Any

from engine import InstanceView
from web.api.base import make_blueprint
from web.api.monitor_schemas import (
    PAGING_HEADERS,
    InstanceListQuery,
    paging_headers,
    to_filter,
)
from web.api.schemas import (
    InstanceCreate,
    InstanceRead,
    MessageCreate,
    ReasonCreate,
    ResumeCreate,
)
from web.context import current_actor, current_engine

bp = make_blueprint("instances", "/instances", "Running and finished process instances")


@bp.route("", methods=["POST"])
@bp.arguments(InstanceCreate)
@bp.response(201, InstanceRead)
def start(body: dict[str, Any]) -> InstanceView:
    """Start the newest version of a process and run it until it waits."""
    return current_engine().instances.start(body["process_id"], body["data"], current_actor())


@bp.route("", methods=["GET"])
@bp.arguments(InstanceListQuery, location="query")
@bp.response(200, InstanceRead(many=True), headers=PAGING_HEADERS)
def list_instances(args: dict[str, Any]) -> tuple[list[InstanceView], dict[str, str]]:
    """Instances, newest first, filtered (supervisors and admins); paging in the headers."""
    limit, offset = args["limit"], args["offset"]
    views, total = current_engine().monitor.views(
        current_actor(), to_filter(args), limit=limit, offset=offset
    )
    return views, paging_headers(total, limit, offset)


@bp.route("/<int:instance_id>", methods=["GET"])
@bp.response(200, InstanceRead)
def get(instance_id: int) -> InstanceView:
    """One instance with its ready tasks and waiting timers."""
    return current_engine().instances.get(instance_id)


@bp.route("/<int:instance_id>/suspend", methods=["POST"])
@bp.arguments(ReasonCreate, required=False)
@bp.response(200, InstanceRead)
def suspend(body: dict[str, Any], instance_id: int) -> InstanceView:
    """Pause an instance: no task completes and no timer fires (supervisors)."""
    return current_engine().instances.suspend(instance_id, current_actor(), body["reason"])


@bp.route("/<int:instance_id>/resume", methods=["POST"])
@bp.arguments(ResumeCreate, required=False)
@bp.response(200, InstanceRead)
def resume(body: dict[str, Any], instance_id: int) -> InstanceView:
    """Lift a suspension or retry a failed step, with data corrections (supervisors)."""
    return current_engine().instances.resume(
        instance_id, current_actor(), body["reason"], corrections=body["corrections"] or None
    )


@bp.route("/<int:instance_id>/terminate", methods=["POST"])
@bp.arguments(ReasonCreate, required=False)
@bp.response(200, InstanceRead)
def terminate(body: dict[str, Any], instance_id: int) -> InstanceView:
    """End an instance for good (supervisors)."""
    return current_engine().instances.terminate(instance_id, current_actor(), body["reason"])


@bp.route("/<int:instance_id>/messages", methods=["POST"])
@bp.arguments(MessageCreate)
@bp.response(200, InstanceRead)
def deliver_message(body: dict[str, Any], instance_id: int) -> InstanceView:
    """Deliver a BPMN message the instance waits for (409 otherwise)."""
    return current_engine().instances.deliver_message(
        instance_id,
        body["name"],
        body["payload"],
        current_actor(),
        correlation=body["correlation"] or None,
    )
