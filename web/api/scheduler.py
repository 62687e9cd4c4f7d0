"""The timer scheduler's state: pending timers, next due time, lateness of the last firings."""

from __future__ import annotations

from engine import Forbidden, SchedulerStatus
from web.api.base import make_blueprint
from web.api.schemas import SchedulerRead
from web.context import current_actor, current_engine

bp = make_blueprint("scheduler", "/scheduler", "Timer scheduler observability")


@bp.route("", methods=["GET"])
@bp.response(200, SchedulerRead)
def status() -> SchedulerStatus:
    """Pending timers, the next due time and the lateness of the latest firings."""
    if not current_actor().has("supervisor", "designer"):
        raise Forbidden("only supervisors, designers and admins see the scheduler")
    return current_engine().timers.status()
