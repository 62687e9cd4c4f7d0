"""Moving one case to another case manager: workflow variable, case row, ready tasks, audit.

A case moves while its workflow is live: running, waiting, suspended or in error. A suspended
or failed workflow is not run by the move (its data changes, nothing else happens), so an
on-hold case does not stay with a manager who left. A case whose workflow is completed or
terminated has nothing left to move: Conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import BadRequest, Conflict, Forbidden, NotFound
from engine.identity import Actor
from engine.persistence.tables import CareCase, HumanTask, ProcessInstance, User
from engine.runtime.instance import RunningInstance, StepFailure
from engine.services.caseload_team import Scope, target_manager
from engine.services.context import Context, record
from engine.services.instances import InstanceService
from engine.services.sync import ACTIVE, store

FINAL_STATUSES = ("completed", "terminated")
MAX_REASON = 2000


@dataclass(frozen=True)
class Reassignment:
    """One case moved from one manager to another, with the ready tasks that moved along."""

    case_id: int
    client_name: str
    from_manager: str | None
    to_manager: str
    moved_task_ids: list[str] = field(default_factory=list)


def clean_reason(reason: str | None) -> str:
    """The reason, trimmed (BadRequest when missing or too long)."""
    text = (reason or "").strip()
    if not text:
        raise BadRequest("a reason is required", {"reason": "Give a reason for the move."})
    if len(text) > MAX_REASON:
        raise BadRequest("the reason is too long", {"reason": f"At most {MAX_REASON} characters."})
    return text


def move_case(
    ctx: Context,
    instances: InstanceService,
    session: Session,
    case_id: int,
    manager: str,
    reason: str,
    actor: Actor,
    scope: Scope,
) -> Reassignment:
    """Reassign case_id to manager inside the caller's transaction (no commit)."""
    target = target_manager(session, scope, manager)
    case = session.get(CareCase, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    old = case.manager
    if old == target.username:
        raise BadRequest(
            f"case {case_id} is already managed by {old}",
            {"manager": f"Case {case_id} is already managed by {old}."},
        )
    _check_in_scope(session, scope, case_id, old)
    row = session.get(ProcessInstance, case.instance_id) if case.instance_id else None
    if row is None or row.status in FINAL_STATUSES:
        status = row.status if row else "missing"
        raise Conflict(f"case {case_id} has no live workflow (instance {status}): nothing to move")
    now = ctx.clock.now()
    detail: dict[str, Any] = {"from": old, "to": target.username, "reason": reason}

    def work(running: RunningInstance) -> StepFailure | None:
        running.update_data({"case_manager": target.username})
        detail["moved_tasks"] = _move_tasks(session, case_id, running, old, target.username, now)
        return None

    if row.status in ACTIVE:
        instances.step_in(session, row, actor, "case.reassigned", work, detail=detail)
    else:  # suspended or in error: change the data without running the workflow
        running = instances.running(session, row)
        work(running)
        store(ctx, session, row, running, None, actor.username)
        record(
            session,
            now,
            actor.username,
            "case.reassigned",
            instance_id=row.id,
            case_id=case_id,
            from_status=row.status,
            to_status=row.status,
            detail=detail,
        )
    return Reassignment(
        case_id, case.client_name, old, target.username, list(detail["moved_tasks"])
    )


def _check_in_scope(session: Session, scope: Scope, case_id: int, manager: str | None) -> None:
    if manager is None or scope.team is None:
        return
    team = session.scalar(select(User.team).where(User.username == manager))
    if not scope.covers(team):
        raise Forbidden(f"case {case_id} belongs to {manager}, who is not in your team")


def _move_tasks(
    session: Session,
    case_id: int,
    running: RunningInstance,
    old: str | None,
    new: str,
    now: datetime,
) -> list[str]:
    """Hand the old manager's ready tasks (and unassigned own-manager tasks) to the new one."""
    own = {t.task_id for t in running.ready_tasks() if t.assignee == new}
    rows = session.scalars(
        select(HumanTask)
        .where(HumanTask.case_id == case_id, HumanTask.status == "ready")
        .order_by(HumanTask.created_at, HumanTask.id)
    )
    moved: list[str] = []
    for task in rows:
        held_by_old = old is not None and task.assignee == old
        if held_by_old or (task.assignee is None and task.id in own):
            task.assignee, task.claimed_at = new, now
            moved.append(task.id)
    return moved
