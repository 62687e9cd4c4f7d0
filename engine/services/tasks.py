"""The inbox: list, claim, unclaim, assign and complete human tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from engine.errors import BadRequest, Conflict, Forbidden, FormInvalid, NotFound
from engine.forms import validate_submission
from engine.identity import Actor
from engine.persistence.tables import (
    AuditEvent,
    HumanTask,
    HumanTaskRole,
    ProcessInstance,
    TaskDraft,
    User,
)
from engine.runtime.instance import RunningInstance, StepFailure, TaskNotReady
from engine.services.context import Context, record
from engine.services.instances import InstanceService
from engine.services.views import InstanceView, TaskDetail, TaskView

SCOPES = ("mine", "team", "all")


class TaskService:
    """Human tasks as people see them."""

    def __init__(self, ctx: Context, instances: InstanceService) -> None:
        self.ctx = ctx
        self.instances = instances

    def list(
        self,
        actor: Actor,
        scope: str = "mine",
        status: str = "ready",
        limit: int = 200,
        offset: int = 0,
    ) -> list[TaskView]:
        """Tasks in a scope: mine (assigned to me), team (open to my roles), all (supervisors)."""
        if scope not in SCOPES:
            raise BadRequest(f"scope must be one of {', '.join(SCOPES)}")
        query = select(HumanTask).where(HumanTask.status == status)
        if scope == "mine":
            query = query.where(HumanTask.assignee == actor.username)
        elif scope == "team":
            query = query.where(HumanTask.assignee.is_(None), _offered_to(actor))
        elif not actor.has("supervisor"):
            raise Forbidden("only supervisors and admins see everyone's tasks")
        query = query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at)
        with self.ctx.uow() as uow:
            rows = uow.session.scalars(query.limit(limit).offset(offset))
            now = self.ctx.clock.now()
            return [TaskView.of(r, now) for r in rows]

    def get(self, task_id: str, actor: Actor) -> TaskDetail:
        """A task with its form and prefill data."""
        with self.ctx.uow() as uow:
            row = self._row(uow.session, task_id)
            self._may_see(row, actor)
            instance = uow.session.get(ProcessInstance, row.instance_id)
            if instance is None:
                raise NotFound(f"task {task_id} has no instance")
            _bundle, forms = self.ctx.specs.get(uow.session, instance.process_version_id)
            form = forms.get(row.form_id) if row.form_id else None
            schema = form.schema if form else {"type": "object"}
            ui_schema = form.ui_schema if form else {}
            context = self._task_data(uow.session, instance, row)
            previous = _last_submission(uow.session, row)
            return TaskDetail(
                TaskView.of(row, self.ctx.clock.now()),
                schema,
                ui_schema,
                prefill(schema, context, previous),
                context,
            )

    def claim(self, task_id: str, actor: Actor) -> TaskView:
        """Take an open task (Conflict when someone else holds it or it is no longer ready)."""
        return self._set_assignee(task_id, actor, actor.username, "task.claimed", expect=None)

    def unclaim(self, task_id: str, actor: Actor) -> TaskView:
        """Give a held task back to the team."""
        with self.ctx.uow() as uow:
            row = self._row(uow.session, task_id)
            holder = row.assignee
            if holder != actor.username and not actor.has("supervisor"):
                raise Conflict(f"task {task_id} is not held by {actor.username}")
        return self._set_assignee(task_id, actor, None, "task.unclaimed", expect=holder)

    def assign(
        self, task_id: str, username: str, actor: Actor, reason: str | None = None
    ) -> TaskView:
        """A supervisor hands a task to a person holding one of its roles (the reason, if
        given, is kept in the audit event)."""
        if not actor.has("supervisor"):
            raise Forbidden("only supervisors and admins assign tasks")
        with self.ctx.uow() as uow:
            row = self._row(uow.session, task_id)
            roles = uow.session.scalar(
                select(User.roles).where(User.username == username, User.active.is_(True))
            )
            if roles is None:
                raise BadRequest(f"no active user {username!r}")
            if not Actor(username, frozenset(roles)).may_work(row.candidate_roles):
                raise BadRequest(
                    f"{username} holds none of the task's roles: {', '.join(row.candidate_roles)}"
                )
            current = row.assignee
        return self._set_assignee(
            task_id, actor, username, "task.assigned", current, any_holder=True, reason=reason
        )

    def complete(
        self,
        task_id: str,
        data: dict[str, Any],
        actor: Actor,
        also: Callable[[Session], None] | None = None,
    ) -> InstanceView:
        """Validate data against the task's form, complete it and run the instance on
        (`also` adds the caller's rows, e.g. audit events, to the same transaction)."""
        if not isinstance(data, dict):
            raise BadRequest("data must be a JSON object")
        with self.ctx.uow() as uow:
            session = uow.session
            row = self._row(session, task_id)
            self._may_work(row, actor)
            if row.status != "ready":
                raise Conflict(f"task {task_id} is {row.status}, not ready")
            if row.assignee not in (None, actor.username):
                raise Conflict(f"task {task_id} is claimed by {row.assignee}")
            instance = session.get(ProcessInstance, row.instance_id)
            if instance is None:
                raise NotFound(f"task {task_id} has no instance")
            _bundle, forms = self.ctx.specs.get(session, instance.process_version_id)
            errors = validate_submission(forms.get(row.form_id) if row.form_id else None, data)
            if errors:
                raise FormInvalid("the form has errors; nothing was saved", errors)

            def work(running: RunningInstance) -> StepFailure | None:
                try:
                    return running.complete(task_id, data)
                except TaskNotReady as exc:
                    raise Conflict(f"task {task_id} is no longer ready") from exc

            view = self.instances.step_in(
                session,
                instance,
                actor,
                "task.completed",
                work,
                task_id=task_id,
                detail={"element_id": row.element_id, "data": data},
                submitted=data,
            )
            session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id))
            if also is not None:
                also(session)
            uow.commit()
            return view

    def _set_assignee(
        self,
        task_id: str,
        actor: Actor,
        assignee: str | None,
        action: str,
        expect: str | None,
        any_holder: bool = False,
        reason: str | None = None,
    ) -> TaskView:
        with self.ctx.uow() as uow:
            session = uow.session
            row = self._row(session, task_id)
            if assignee is not None and not any_holder:
                self._may_work(row, actor)
            held = HumanTask.assignee.is_(None) if expect is None else HumanTask.assignee == expect
            if action == "task.claimed":
                held = HumanTask.assignee.is_(None) | (HumanTask.assignee == actor.username)
            changed = session.execute(
                update(HumanTask)
                .where(HumanTask.id == task_id, HumanTask.status == "ready", held)
                .values(assignee=assignee, claimed_at=self.ctx.clock.now() if assignee else None)
                .execution_options(synchronize_session=False)
            )
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                current = self._row(session, task_id)
                if current.status != "ready":
                    raise Conflict(f"task {task_id} is {current.status}, not ready")
                raise Conflict(f"task {task_id} is claimed by {current.assignee}")
            record(
                session,
                self.ctx.clock.now(),
                actor.username,
                action,
                instance_id=row.instance_id,
                case_id=row.case_id,
                task_id=task_id,
                element_id=row.element_id,
                detail={"assignee": assignee, "previous": expect}
                | ({"reason": reason} if reason else {}),
            )
            uow.commit()
            session.refresh(row)
            return TaskView.of(row, self.ctx.clock.now())

    def _task_data(
        self, session: Session, instance: ProcessInstance, row: HumanTask
    ) -> dict[str, Any]:
        if row.status != "ready" or instance.status not in ("running", "waiting", "suspended"):
            return dict(instance.data)
        running = self.instances.running(session, instance)
        return running.task_data(row.id) or dict(instance.data)

    def _row(self, session: Session, task_id: str) -> HumanTask:
        row = session.get(HumanTask, task_id)
        if row is None:
            raise NotFound(f"task {task_id} does not exist")
        return row

    def _may_work(self, row: HumanTask, actor: Actor) -> None:
        if not actor.may_work(row.candidate_roles):
            raise Forbidden(
                f"{actor.username} holds none of the roles this task needs: "
                f"{', '.join(row.candidate_roles)}"
            )

    def _may_see(self, row: HumanTask, actor: Actor) -> None:
        if row.assignee == actor.username or actor.has("supervisor"):
            return
        self._may_work(row, actor)


def prefill(
    schema: dict[str, Any], context: dict[str, Any], previous: dict[str, Any]
) -> dict[str, Any]:
    """Form values: this step's last submission when it was done before (a returned plan is
    revised, not retyped), else what the task's data already holds; read-only fields always
    from the task's data."""
    values: dict[str, Any] = {}
    for name, spec in (schema.get("properties") or {}).items():
        read_only = isinstance(spec, dict) and spec.get("readOnly")
        source = previous if previous and not read_only else context
        if name in source:
            values[name] = source[name]
    return values


def _last_submission(session: Session, row: HumanTask) -> dict[str, Any]:
    detail = session.scalar(
        select(AuditEvent.detail)
        .where(
            AuditEvent.instance_id == row.instance_id,
            AuditEvent.action == "task.completed",
            AuditEvent.element_id == row.element_id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    data = (detail or {}).get("data")
    return data if isinstance(data, dict) else {}


def _offered_to(actor: Actor) -> Any:
    roles = ["*", *actor.roles]
    if "admin" in actor.roles:
        return exists().where(HumanTaskRole.task_id == HumanTask.id)
    return exists().where(HumanTaskRole.task_id == HumanTask.id, HumanTaskRole.role.in_(roles))
