"""JSON API of the supervisor's console: monitor counts, instance detail, incidents, retries,
heatmaps and task reassignment (supervisors and admins; 403 for everyone else)."""

from __future__ import annotations

from typing import Any

from engine import InstanceView, TaskView
from engine.services.monitor_views import Heatmap, Incident, InstanceDetail, RetryOutcome
from web.api.base import make_blueprint
from web.api.monitor_schemas import (
    BulkRetryCreate,
    CountsRead,
    HeatmapQuery,
    HeatmapRead,
    IncidentRead,
    InstanceDetailRead,
    InstanceFilterQuery,
    ReassignCreate,
    RetryCreate,
    RetryOutcomeRead,
    to_filter,
)
from web.api.schemas import InstanceRead, TaskRead
from web.context import current_actor, current_engine

bp = make_blueprint("monitor_api", "", "Supervisor's console: monitor (supervisors and admins).")


@bp.route("/instances/counts", methods=["GET"])
@bp.arguments(InstanceFilterQuery, location="query")
@bp.response(200, CountsRead)
def counts(args: dict[str, Any]) -> dict[str, Any]:
    """Instances per status for the filters (the status filter itself is ignored)."""
    found = current_engine().monitor.counts(current_actor(), to_filter(args))
    return {"counts": found, "total": sum(found.values())}


@bp.route("/monitor/instances/<int:instance_id>", methods=["GET"])
@bp.response(200, InstanceDetailRead)
def detail(instance_id: int) -> InstanceDetail:
    """An instance with its case, audit trail, diagrams and element states."""
    return current_engine().monitor.detail(instance_id, current_actor())


@bp.route("/instances/<int:instance_id>/retry", methods=["POST"])
@bp.arguments(RetryCreate)
@bp.response(200, InstanceRead)
def retry(body: dict[str, Any], instance_id: int) -> InstanceView:
    """Run a failed step again, with data corrections if given (409 unless in error)."""
    return current_engine().monitor.retry(
        instance_id, current_actor(), body["reason"], body["corrections"] or None
    )


@bp.route("/incidents", methods=["GET"])
@bp.response(200, IncidentRead(many=True))
def incidents() -> list[Incident]:
    """Every instance in error: element, message and when it failed (newest first)."""
    return current_engine().monitor.incidents(current_actor())


@bp.route("/incidents/retry", methods=["POST"])
@bp.arguments(BulkRetryCreate)
@bp.response(200, RetryOutcomeRead(many=True))
def retry_many(body: dict[str, Any]) -> list[RetryOutcome]:
    """Retry several failed instances, each in its own transaction; one outcome each."""
    return current_engine().monitor.retry_many(
        body["instance_ids"], current_actor(), body["reason"]
    )


@bp.route("/processes/<process_id>/versions/<int:version>/heatmap", methods=["GET"])
@bp.arguments(HeatmapQuery, location="query")
@bp.response(200, HeatmapRead)
def heatmap(args: dict[str, Any], process_id: str, version: int) -> Heatmap:
    """Per element of a process version: instances there now and average dwell time."""
    return current_engine().monitor.heatmap(
        process_id, version, current_actor(), dwell_days=args["dwell_days"]
    )


@bp.route("/tasks/<task_id>/reassign", methods=["POST"])
@bp.arguments(ReassignCreate)
@bp.response(200, TaskRead)
def reassign(body: dict[str, Any], task_id: str) -> TaskView:
    """Hand a ready task to someone holding one of its roles, with a reason."""
    return current_engine().monitor.reassign(
        task_id, body["username"], current_actor(), body["reason"]
    )
