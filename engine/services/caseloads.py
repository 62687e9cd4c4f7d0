"""Caseloads per case manager, and moving cases (with their tasks) between managers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import BadRequest, EngineError, Forbidden
from engine.identity import Actor
from engine.persistence.tables import CareCase, ProcessInstance, User
from engine.services.access import require_supervisor
from engine.services.caseload_counts import (
    CaseloadOverview,
    ManagedCase,
    open_cases_of,
    open_counts,
    overview_of,
)
from engine.services.caseload_moves import (
    FINAL_STATUSES,
    Reassignment,
    clean_reason,
    move_case,
)
from engine.services.caseload_team import Scope, scope_of, target_manager
from engine.services.context import Context, record
from engine.services.instances import InstanceService


@dataclass(frozen=True)
class CaseMoveFailure:
    """A case a bulk move could not move, and why."""

    case_id: int
    message: str


@dataclass(frozen=True)
class BulkReassignment:
    """The outcome of moving a departing manager's cases: per case, moved or failed."""

    from_manager: str
    moved: list[Reassignment] = field(default_factory=list)
    failed: list[CaseMoveFailure] = field(default_factory=list)
    deactivated: bool = False


class CaseloadService:
    """Open cases and tasks per manager; reassign one case or a departing manager's cases."""

    def __init__(self, ctx: Context, instances: InstanceService) -> None:
        self.ctx = ctx
        self.instances = instances

    def overview(self, actor: Actor) -> CaseloadOverview:
        """Active case managers of the actor's team (and departed ones still holding work)."""
        require_supervisor(actor)
        with self.ctx.uow() as uow:
            scope = scope_of(uow.session, actor)
            return overview_of(uow.session, scope, self.ctx.clock.now())

    def cases_of(self, manager: str, actor: Actor, limit: int = 500) -> list[ManagedCase]:
        """A case manager's open cases (Forbidden outside the actor's team)."""
        require_supervisor(actor)
        with self.ctx.uow() as uow:
            scope = scope_of(uow.session, actor)
            team = uow.session.scalar(select(User.team).where(User.username == manager))
            if not scope.covers(team):
                raise Forbidden(f"{manager} is not in your team")
            return open_cases_of(uow.session, manager, limit)

    def reassign(self, case_id: int, manager: str, reason: str, actor: Actor) -> Reassignment:
        """Move one case, its workflow's case_manager and its manager's ready tasks, audited."""
        require_supervisor(actor)
        text = clean_reason(reason)
        with self.ctx.uow() as uow:
            scope = scope_of(uow.session, actor)
            moved = move_case(
                self.ctx, self.instances, uow.session, case_id, manager, text, actor, scope
            )
            uow.commit()
            return moved

    def reassign_all(
        self,
        from_manager: str,
        to_managers: list[str],
        reason: str,
        actor: Actor,
        deactivate: bool = False,
    ) -> BulkReassignment:
        """Spread a departing manager's live cases over others, lowest caseload first.

        Each case moves in its own transaction: a failure is reported and keeps the others.
        The departing user is deactivated (if asked) only when every case moved.
        """
        require_supervisor(actor)
        text = clean_reason(reason)
        with self.ctx.uow() as uow:
            scope = scope_of(uow.session, actor)
            plan = self._plan(uow.session, scope, from_manager, to_managers)
        moved: list[Reassignment] = []
        failed: list[CaseMoveFailure] = []
        for case_id, target in plan:
            try:
                moved.append(self._move_one(case_id, target, text, actor, scope))
            except EngineError as exc:
                failed.append(CaseMoveFailure(case_id, exc.message))
        deactivated = deactivate and not failed and self._deactivate(from_manager, actor, text)
        return BulkReassignment(from_manager, moved, failed, deactivated)

    def _move_one(
        self, case_id: int, target: str, reason: str, actor: Actor, scope: Scope
    ) -> Reassignment:
        with self.ctx.uow() as uow:
            moved = move_case(
                self.ctx, self.instances, uow.session, case_id, target, reason, actor, scope
            )
            uow.commit()
            return moved

    def _plan(
        self, session: Session, scope: Scope, from_manager: str, to_managers: list[str]
    ) -> list[tuple[int, str]]:
        departing = session.scalar(select(User).where(User.username == from_manager))
        if departing is None or not scope.covers(departing.team):
            message = f"{from_manager!r} is not a case manager of your team"
            raise BadRequest(message, {"from_manager": message})
        targets = sorted(set(to_managers))
        if not targets:
            message = "choose at least one case manager to move the cases to"
            raise BadRequest(message, {"to_managers": message})
        if from_manager in targets:
            message = f"{from_manager} cannot take over their own cases"
            raise BadRequest(message, {"to_managers": message})
        for name in targets:
            target_manager(session, scope, name)
        loads = Counter({name: 0 for name in targets})
        loads.update(dict(open_counts(session, targets)))
        plan: list[tuple[int, str]] = []
        for case_id in _live_cases(session, from_manager):
            target = min(targets, key=lambda name: (loads[name], name))
            loads[target] += 1
            plan.append((case_id, target))
        return plan

    def _deactivate(self, username: str, actor: Actor, reason: str) -> bool:
        with self.ctx.uow() as uow:
            user = uow.session.scalar(select(User).where(User.username == username))
            if user is None:
                return False
            user.active = False
            record(
                uow.session,
                self.ctx.clock.now(),
                actor.username,
                "user.deactivated",
                detail={"username": username, "reason": reason, "cases_reassigned": True},
            )
            uow.commit()
            return True


def _live_cases(session: Session, manager: str) -> list[int]:
    """The manager's cases whose workflow still runs (open ones, and closed ones with work)."""
    query = (
        select(CareCase.id)
        .join(ProcessInstance, ProcessInstance.id == CareCase.instance_id)
        .where(CareCase.manager == manager, ProcessInstance.status.notin_(FINAL_STATUSES))
        .order_by(CareCase.id)
    )
    return list(session.scalars(query))
