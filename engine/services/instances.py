"""Process instances: start, read, suspend, resume, terminate, deliver messages, fire timers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import BadRequest, Conflict, Forbidden, NotFound
from engine.identity import Actor
from engine.persistence.tables import HumanTask, ProcessInstance, ProcessVersion, Timer
from engine.runtime.instance import NotWaitingForMessage, RunningInstance, StepFailure
from engine.services.case_milestones import record_agency_response
from engine.services.case_projection import lowest_caseload
from engine.services.context import Context, record
from engine.services.processes import ProcessService
from engine.services.sync import ACTIVE, store
from engine.services.views import InstanceView

Step = Callable[[RunningInstance], StepFailure | None]


class InstanceService:
    """Everything that happens to a process instance as a whole."""

    def __init__(self, ctx: Context, processes: ProcessService) -> None:
        self.ctx = ctx
        self.processes = processes

    def start(
        self, process_id: str, data: dict[str, Any], actor: Actor, case_id: int | None = None
    ) -> InstanceView:
        """Start the newest version of a process and run it until it waits."""
        with self.ctx.uow() as uow:
            row = self.start_in(uow.session, process_id, data, actor, case_id)
            view = self.view(uow.session, row)
            uow.commit()
            return view

    def start_in(
        self,
        session: Session,
        process_id: str,
        data: dict[str, Any],
        actor: Actor,
        case_id: int | None = None,
    ) -> ProcessInstance:
        """Start an instance inside the caller's transaction (no commit)."""
        if not isinstance(data, dict):
            raise BadRequest("data must be a JSON object")
        version = self.processes.latest_version(session, process_id)
        bundle, _forms = self.ctx.specs.get(session, version.id)
        running = RunningInstance.start(bundle, data, self.ctx.clock)
        running.directory = _directory(session)
        failure = running.run()
        now = self.ctx.clock.now()
        row = ProcessInstance(
            process_version_id=version.id,
            process_id=process_id,
            status="running",
            state="",
            data={},
            case_id=case_id,
            started_by=actor.username,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        result = store(self.ctx, session, row, running, failure, actor.username, submitted=data)
        record(
            session,
            now,
            actor.username,
            "instance.started",
            instance_id=row.id,
            case_id=case_id,
            to_status=result.to_status,
            detail={"process_id": process_id, "version": version.version},
        )
        return row

    def get(self, instance_id: int) -> InstanceView:
        """One instance with its ready tasks and waiting timers."""
        with self.ctx.uow() as uow:
            return self.view(uow.session, self._row(uow.session, instance_id))

    def list(
        self,
        status: str | None = None,
        process_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[InstanceView]:
        """Instances, newest first, optionally filtered."""
        query = select(ProcessInstance).order_by(ProcessInstance.id.desc())
        if status:
            query = query.where(ProcessInstance.status == status)
        if process_id:
            query = query.where(ProcessInstance.process_id == process_id)
        with self.ctx.uow() as uow:
            rows = list(uow.session.scalars(query.limit(limit).offset(offset)))
            return [self.view(uow.session, r) for r in rows]

    def suspend(self, instance_id: int, actor: Actor, reason: str = "") -> InstanceView:
        """Pause an active or failed instance: no task completes and no timer fires."""
        return self._set_aside(instance_id, actor, reason, "suspended")

    def terminate(self, instance_id: int, actor: Actor, reason: str = "") -> InstanceView:
        """End an instance for good: its tasks and timers are cancelled."""
        return self._set_aside(instance_id, actor, reason, "terminated")

    def resume(
        self,
        instance_id: int,
        actor: Actor,
        reason: str = "",
        corrections: dict[str, Any] | None = None,
    ) -> InstanceView:
        """Lift a suspension and retry failed steps, with corrected data if given."""
        _require_supervisor(actor)
        with self.ctx.uow() as uow:
            session = uow.session
            row = self._row(session, instance_id)
            before = row.status
            if before not in ("suspended", "error"):
                raise Conflict(
                    f"instance {instance_id} is {before}; only suspended or failed instances resume"
                )
            if before == "suspended":
                row.status = row.status_before_suspend or "running"
                row.status_before_suspend = None
            running = self._running(session, row)
            failure = running.retry(corrections)
            result = store(self.ctx, session, row, running, failure, actor.username)
            record(
                session,
                self.ctx.clock.now(),
                actor.username,
                "instance.resumed",
                instance_id=row.id,
                case_id=row.case_id,
                from_status=before,
                to_status=result.to_status,
                detail={"reason": reason, "corrections": corrections or {}},
            )
            view = self.view(session, row)
            uow.commit()
            return view

    def deliver_message(
        self,
        instance_id: int,
        name: str,
        payload: dict[str, Any],
        actor: Actor,
        correlation: dict[str, Any] | None = None,
    ) -> InstanceView:
        """Deliver a BPMN message to an instance that waits for it (Conflict otherwise).

        With correlation (data path -> value), only a catcher whose data matches receives it.
        """
        if not isinstance(payload, dict):
            raise BadRequest("payload must be a JSON object")

        def deliver(running: RunningInstance) -> StepFailure | None:
            try:
                return running.deliver(name, payload, correlation)
            except NotWaitingForMessage as exc:
                raise Conflict(
                    f"instance {instance_id} is not waiting for message {name!r}"
                ) from exc

        return self.step(
            instance_id,
            actor,
            "message.delivered",
            deliver,
            detail={"name": name, "correlation": correlation or {}},
        )

    def fire_due_timers(self, instance_id: int, actor: Actor) -> InstanceView:
        """Fire the instance's timers that are due by the engine clock and run on."""
        return self.step(instance_id, actor, "timers.fired", lambda r: r.run())

    def step(
        self,
        instance_id: int,
        actor: Actor,
        action: str,
        work: Step,
        detail: dict[str, Any] | None = None,
    ) -> InstanceView:
        """Load an active instance, apply work, store it and audit it, in one transaction."""
        with self.ctx.uow() as uow:
            row = self._row(uow.session, instance_id)
            view = self.step_in(uow.session, row, actor, action, work, detail=detail)
            uow.commit()
            return view

    def step_in(
        self,
        session: Session,
        row: ProcessInstance,
        actor: Actor,
        action: str,
        work: Step,
        task_id: str | None = None,
        detail: dict[str, Any] | None = None,
        submitted: dict[str, Any] | None = None,
    ) -> InstanceView:
        """Apply work to an active instance inside the caller's transaction (no commit)."""
        self.apply_in(session, row, actor, action, work, task_id, detail, submitted)
        return self.view(session, row)

    def apply_in(
        self,
        session: Session,
        row: ProcessInstance,
        actor: Actor,
        action: str,
        work: Step,
        task_id: str | None = None,
        detail: dict[str, Any] | None = None,
        submitted: dict[str, Any] | None = None,
    ) -> None:
        """step_in without building the resulting view (the scheduler needs none)."""
        if row.status not in ACTIVE:
            raise Conflict(f"instance {row.id} is {row.status}")
        running = self._running(session, row)
        failure = work(running)
        result = store(self.ctx, session, row, running, failure, actor.username, task_id, submitted)
        if action == "message.delivered" and (detail or {}).get("name") == "agency_response":
            record_agency_response(
                session, row.case_id, (detail or {}).get("correlation") or {}, self.ctx.clock.now()
            )
        record(
            session,
            self.ctx.clock.now(),
            actor.username,
            action,
            instance_id=row.id,
            case_id=row.case_id,
            task_id=task_id,
            from_status=result.from_status,
            to_status=result.to_status,
            detail=detail or {},
            element_id=(detail or {}).get("element_id"),
        )

    def view(self, session: Session, row: ProcessInstance) -> InstanceView:
        """An instance row as a view, with its ready tasks and pending timers."""
        version = session.get(ProcessVersion, row.process_version_id)
        tasks = list(
            session.scalars(
                select(HumanTask)
                .where(HumanTask.instance_id == row.id, HumanTask.status == "ready")
                .order_by(HumanTask.created_at, HumanTask.id)
            )
        )
        timers = list(
            session.scalars(
                select(Timer)
                .where(Timer.instance_id == row.id, Timer.status == "pending")
                .order_by(Timer.due_at)
            )
        )
        version_no = version.version if version else 0
        return InstanceView.of(row, version_no, tasks, timers, self.ctx.clock.now())

    def _set_aside(self, instance_id: int, actor: Actor, reason: str, target: str) -> InstanceView:
        _require_supervisor(actor)
        with self.ctx.uow() as uow:
            session = uow.session
            row = self._row(session, instance_id)
            before = row.status
            if before in ("completed", "terminated") or before == target:
                raise Conflict(f"instance {instance_id} is {before}")
            running = self._running(session, row)
            if target == "terminated":
                running.cancel()
                row.status_before_suspend = None
            else:
                row.status_before_suspend = before
            row.status = target
            store(self.ctx, session, row, running, None, actor.username)
            record(
                session,
                self.ctx.clock.now(),
                actor.username,
                f"instance.{target}",
                instance_id=row.id,
                case_id=row.case_id,
                from_status=before,
                to_status=target,
                detail={"reason": reason},
            )
            view = self.view(session, row)
            uow.commit()
            return view

    def _row(self, session: Session, instance_id: int) -> ProcessInstance:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(f"instance {instance_id} does not exist")
        return row

    def running(self, session: Session, row: ProcessInstance) -> RunningInstance:
        """The instance's workflow, loaded (read it; store() it to change anything)."""
        return self._running(session, row)

    def _running(self, session: Session, row: ProcessInstance) -> RunningInstance:
        bundle, _forms = self.ctx.specs.get(session, row.process_version_id)
        running = RunningInstance.load(self.ctx.codec, row.state, bundle, self.ctx.clock)
        running.directory = _directory(session)
        return running


def _directory(session: Session) -> Callable[[], str | None]:
    return lambda: lowest_caseload(session)


def _require_supervisor(actor: Actor) -> None:
    if not actor.has("supervisor"):
        raise Forbidden("only supervisors and admins change an instance's status")
