"""Due timers: claim an instance atomically, fire its due timers in order, commit; leases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import delete, func, select

from engine.errors import Conflict
from engine.identity import Actor
from engine.persistence.tables import AuditEvent, ProcessInstance, SchedulerLease, Timer
from engine.runtime.instance import RunningInstance, StepFailure, WaitingTimer
from engine.services.context import Context
from engine.services.instances import InstanceService
from engine.services.sync import ACTIVE


@dataclass(frozen=True)
class Firing:
    """One timer fired: which, when it was due, when it fired."""

    instance_id: int
    element_id: str
    due_at: datetime
    fired_at: datetime

    @property
    def lateness(self) -> timedelta:
        """How long after its due time the timer fired."""
        return self.fired_at - self.due_at


@dataclass(frozen=True)
class SchedulerStatus:
    """What GET /scheduler reports."""

    pending: int
    next_due: datetime | None
    recent_firings: int
    lateness_ms: dict[str, float | None]
    schedulers: list[str]


class TimerService:
    """Fire due timers exactly once, however many schedulers run."""

    def __init__(self, ctx: Context, instances: InstanceService) -> None:
        self.ctx = ctx
        self.instances = instances

    def next_due(self) -> datetime | None:
        """The earliest due time of a pending timer on an active instance."""
        query = (
            select(func.min(Timer.due_at))
            .join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
            .where(Timer.status == "pending", ProcessInstance.status.in_(ACTIVE))
        )
        with self.ctx.uow() as uow:
            value = uow.session.scalar(query)
        return _aware(value)

    def fire_next(self, worker: str) -> list[Firing] | None:
        """Claim the instance whose timer is due first, fire its due timers, commit.

        None when nothing is due; an empty list when the claim lost a race (try again).
        """
        now = self.ctx.clock.now()
        actor = Actor(worker, frozenset({"admin"}))
        with self.ctx.uow() as uow:
            session = uow.session
            query = (
                select(ProcessInstance)
                .join(Timer, Timer.instance_id == ProcessInstance.id)
                .where(
                    Timer.status == "pending",
                    Timer.due_at < now,
                    ProcessInstance.status.in_(ACTIVE),
                )
                .order_by(Timer.due_at)
                .limit(1)
                .with_for_update(skip_locked=True, of=ProcessInstance)
            )
            row = session.scalars(query).first()
            if row is None:
                return None
            fired: list[WaitingTimer] = []

            def fire(running: RunningInstance) -> StepFailure | None:
                failure = running.run()
                fired.extend(running.fired)
                return failure

            self.instances.apply_in(session, row, actor, "timers.fired", fire)
            fired_at = self.ctx.clock.now()
            firings = [Firing(row.id, t.element_id, t.due_at, fired_at) for t in fired]
            try:
                uow.commit()
            except Conflict:
                return []
        return firings

    def status(self, sample: int = 200) -> SchedulerStatus:
        """Pending timers, the next due time and the lateness of the latest firings."""
        now = self.ctx.clock.now()
        with self.ctx.uow() as uow:
            session = uow.session
            pending = (
                session.scalar(
                    select(func.count()).select_from(Timer).where(Timer.status == "pending")
                )
                or 0
            )
            details = list(
                session.scalars(
                    select(AuditEvent.detail)
                    .where(AuditEvent.action == "timer.fired")
                    .order_by(AuditEvent.id.desc())
                    .limit(sample)
                )
            )
            holders = list(
                session.scalars(
                    select(SchedulerLease.holder)
                    .where(SchedulerLease.expires_at > now)
                    .order_by(SchedulerLease.holder)
                )
            )
        lateness = sorted(float(d.get("lateness_ms", 0.0)) for d in details)
        return SchedulerStatus(
            int(pending), self.next_due(), len(lateness), _summary(lateness), holders
        )

    # -- leases ----------------------------------------------------------------------------

    def acquire_lease(self, holder: str, ttl: timedelta) -> None:
        """Register a scheduler; on SQLite, refuse a second one while the first is alive."""
        now = self.ctx.clock.now()
        with self.ctx.uow() as uow:
            session = uow.session
            session.execute(delete(SchedulerLease).where(SchedulerLease.expires_at <= now))
            others = list(
                session.scalars(
                    select(SchedulerLease.holder).where(SchedulerLease.holder != holder)
                )
            )
            if others and not self.ctx.is_postgres():
                raise Conflict(
                    f"scheduler {others[0]} already runs against this SQLite database;"
                    " SQLite supports one scheduler (use PostgreSQL for several, or "
                    "serve with --no-scheduler)"
                )
            lease = session.get(SchedulerLease, holder) or SchedulerLease(
                holder=holder, started_at=now, expires_at=now + ttl
            )
            lease.expires_at = now + ttl
            session.add(lease)
            uow.commit()

    def renew_lease(self, holder: str, ttl: timedelta) -> None:
        """Keep a scheduler's lease alive."""
        self.acquire_lease(holder, ttl)

    def release_lease(self, holder: str) -> None:
        """Forget a scheduler that stops."""
        with self.ctx.uow() as uow:
            uow.session.execute(delete(SchedulerLease).where(SchedulerLease.holder == holder))
            uow.commit()


def _summary(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p99": None, "max": None}
    p99 = values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]
    return {"p50": round(median(values), 1), "p99": round(p99, 1), "max": round(values[-1], 1)}


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value if isinstance(value, datetime) else None
