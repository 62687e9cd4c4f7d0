"""A supervisor moves a ready task to another person, with the reason in the same audit event."""

from __future__ import annotations

from sqlalchemy import select, update

from engine.errors import BadRequest, Conflict, NotFound
from engine.identity import Actor
from engine.persistence.tables import HumanTask, User
from engine.services.context import Context, record
from engine.services.views import TaskView


def reassign_task(ctx: Context, task_id: str, username: str, actor: Actor, reason: str) -> TaskView:
    """Give a ready task to username (who must hold one of its roles), in one transaction."""
    with ctx.uow() as uow:
        session = uow.session
        row = session.get(HumanTask, task_id)
        if row is None:
            raise NotFound(f"task {task_id} does not exist")
        roles = session.scalar(
            select(User.roles).where(User.username == username, User.active.is_(True))
        )
        if roles is None:
            raise BadRequest(f"no active user {username!r}")
        if not Actor(username, frozenset(roles)).may_work(row.candidate_roles):
            raise BadRequest(
                f"{username} holds none of the task's roles: {', '.join(row.candidate_roles)}"
            )
        previous = row.assignee
        now = ctx.clock.now()
        held = HumanTask.assignee.is_(None) if previous is None else HumanTask.assignee == previous
        changed = session.execute(
            update(HumanTask)
            .where(HumanTask.id == task_id, HumanTask.status == "ready", held)
            .values(assignee=username, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"task {task_id} is {row.status} or changed hands meanwhile")
        record(
            session,
            now,
            actor.username,
            "task.assigned",
            instance_id=row.instance_id,
            case_id=row.case_id,
            task_id=task_id,
            element_id=row.element_id,
            detail={"assignee": username, "previous": previous, "reason": reason},
        )
        uow.commit()
        session.refresh(row)
        return TaskView.of(row, now)
