"""Drafts: a half-filled task form saved by its author, one row per (task, user)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from engine.errors import BadRequest, Conflict, Forbidden, NotFound
from engine.identity import Actor
from engine.persistence.tables import HumanTask, TaskDraft
from engine.services.context import Context


@dataclass(frozen=True)
class Draft:
    """A saved draft: the form data and when it was saved."""

    data: dict[str, Any]
    saved_at: datetime


class DraftService:
    """Save, read and discard a person's draft of a task's form."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def save(self, task_id: str, actor: Actor, data: dict[str, Any]) -> Draft:
        """Keep data as actor's draft of a ready task they may work (replaces an older draft)."""
        if not isinstance(data, dict):
            raise BadRequest("a draft must be a JSON object")
        with self.ctx.uow() as uow:
            session = uow.session
            _check_may_save(_task(session, task_id), actor)
            now = self.ctx.clock.now()
            row = session.get(TaskDraft, (task_id, actor.username))
            if row is None:
                session.add(
                    TaskDraft(task_id=task_id, username=actor.username, data=data, saved_at=now)
                )
            else:
                row.data = dict(data)
                row.saved_at = now
            uow.commit()
            return Draft(dict(data), now)

    def find(self, task_id: str, actor: Actor) -> Draft | None:
        """Actor's draft of a task with its time, or None."""
        with self.ctx.uow() as uow:
            row = uow.session.get(TaskDraft, (task_id, actor.username))
            return None if row is None else Draft(dict(row.data), row.saved_at)

    def get(self, task_id: str, actor: Actor) -> dict[str, Any] | None:
        """Actor's draft data of a task, or None."""
        draft = self.find(task_id, actor)
        return None if draft is None else draft.data

    def discard(self, task_id: str, actor: Actor) -> None:
        """Forget actor's draft of a task (nothing happens when there is none)."""
        with self.ctx.uow() as uow:
            uow.session.execute(
                delete(TaskDraft).where(
                    TaskDraft.task_id == task_id, TaskDraft.username == actor.username
                )
            )
            uow.commit()


def _task(session: Session, task_id: str) -> HumanTask:
    row = session.get(HumanTask, task_id)
    if row is None:
        raise NotFound(f"task {task_id} does not exist")
    return row


def _check_may_save(row: HumanTask, actor: Actor) -> None:
    if row.status != "ready":
        raise Conflict(f"task {row.id} is {row.status}, not ready")
    if row.assignee != actor.username and not actor.may_work(row.candidate_roles):
        raise Forbidden(
            f"{actor.username} neither holds task {row.id} nor any of its roles: "
            f"{', '.join(row.candidate_roles)}"
        )
