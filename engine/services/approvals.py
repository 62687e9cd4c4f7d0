"""The approvals queue: plans and closures waiting for a supervisor's decision."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from engine.errors import BadRequest, Conflict, Forbidden, FormInvalid, NotFound
from engine.identity import Actor
from engine.persistence.tables import CareCase, HumanTask, ProcessInstance
from engine.services.access import require_supervisor
from engine.services.approval_views import (
    DECISIONS,
    KINDS,
    ApprovalDecision,
    ApprovalItem,
    approval_item,
)
from engine.services.caseload_team import scope_of, team_usernames
from engine.services.context import Context, record
from engine.services.sync import ACTIVE
from engine.services.tasks import TaskService

MAX_COMMENTS = 4000


class ApprovalService:
    """Approval tasks for a supervisor's team; approve or return with comments."""

    def __init__(self, ctx: Context, tasks: TaskService) -> None:
        self.ctx = ctx
        self.tasks = tasks

    def queue(self, actor: Actor) -> list[ApprovalItem]:
        """Ready plan and closure approvals of the actor's team, plus any assigned to them."""
        require_supervisor(actor)
        with self.ctx.uow() as uow:
            query = self._visible(uow.session, actor).order_by(
                HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id
            )
            now = self.ctx.clock.now()
            return [
                approval_item(task, case, data, status, now)
                for task, case, data, status in uow.session.execute(query)
            ]

    def get(self, task_id: str, actor: Actor) -> ApprovalItem:
        """One approval of the actor's queue (NotFound when it is not there)."""
        require_supervisor(actor)
        with self.ctx.uow() as uow:
            found = uow.session.execute(
                self._visible(uow.session, actor).where(HumanTask.id == task_id)
            ).first()
            if found is None:
                raise NotFound(f"no approval {task_id} waits for {actor.username}")
            task, case, data, status = found
            return approval_item(task, case, data, status, self.ctx.clock.now())

    def decide(
        self, task_id: str, actor: Actor, decision: str, comments: str | None = None
    ) -> ApprovalDecision:
        """Approve, or return with comments (required); claim first if nobody holds the task."""
        require_supervisor(actor)
        text = _check(decision, comments)
        task = self._approval_task(task_id, actor)
        if task.assignee not in (None, actor.username):
            raise Conflict(f"task {task_id} is claimed by {task.assignee}")
        kind = KINDS[task.element_id]
        if task.assignee is None:
            self.tasks.claim(task_id, actor)

        def audit(session: Session) -> None:
            record(
                session,
                self.ctx.clock.now(),
                actor.username,
                "approval.decided",
                instance_id=task.instance_id,
                case_id=task.case_id,
                task_id=task_id,
                element_id=task.element_id,
                detail={"kind": kind, "decision": decision, "comments": text},
            )

        view = self.tasks.complete(task_id, _form_data(kind, decision, text), actor, also=audit)
        return ApprovalDecision(task_id, task.case_id, kind, decision, text, view)

    def _approval_task(self, task_id: str, actor: Actor) -> HumanTask:
        with self.ctx.uow() as uow:
            session = uow.session
            task = session.get(HumanTask, task_id)
            if task is None:
                raise NotFound(f"task {task_id} does not exist")
            if task.element_id not in KINDS:
                raise BadRequest(f"task {task_id} is not a plan or closure approval")
            if task.status != "ready":
                raise Conflict(f"task {task_id} is {task.status}, not ready")
            visible = self._visible(session, actor).where(HumanTask.id == task_id)
            found = session.execute(visible).first()
            if found is None:
                raise Forbidden(f"the case of task {task_id} is not managed by your team")
            if found[3] not in ACTIVE:
                raise Conflict(f"the case's workflow is {found[3]}; resume it before deciding")
            session.expunge(task)
            return task

    def _visible(self, session: Session, actor: Actor) -> Select[Any]:
        query = (
            select(HumanTask, CareCase, ProcessInstance.data, ProcessInstance.status)
            .join(CareCase, CareCase.id == HumanTask.case_id)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .where(HumanTask.status == "ready", HumanTask.element_id.in_(list(KINDS)))
        )
        members = team_usernames(session, scope_of(session, actor))
        if members is not None:
            query = query.where(
                or_(CareCase.manager.in_(members), HumanTask.assignee == actor.username)
            )
        return query


def _check(decision: str, comments: str | None) -> str | None:
    """The trimmed comments; FormInvalid with a field error when the decision cannot stand."""
    if decision not in DECISIONS:
        raise FormInvalid(
            "the decision must be approve or return", {"decision": "Choose approve or return."}
        )
    text = (comments or "").strip() or None
    if decision == "return" and text is None:
        raise FormInvalid(
            "comments are required when returning",
            {"comments": "Say what needs to change before you return it."},
        )
    if text is not None and len(text) > MAX_COMMENTS:
        raise FormInvalid(
            "the comments are too long", {"comments": f"At most {MAX_COMMENTS} characters."}
        )
    return text


def _form_data(kind: str, decision: str, comments: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {f"{kind}_decision": decision}
    if comments is not None:
        data[f"{kind}_comments"] = comments
    return data
