"""SQL of the instance monitor: filtered pages and counts per status, from the read models."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, defer

from engine.persistence.tables import CareCase, HumanTask, ProcessInstance, ProcessVersion, Timer
from engine.services.monitor_views import INSTANCE_STATUSES, InstanceFilter, InstanceRow
from engine.services.views import InstanceView

PI, CC, PV = ProcessInstance, CareCase, ProcessVersion
Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")
COLUMNS = (
    PI.id,
    PI.process_id,
    PI.status,
    PI.case_id,
    PI.error_element,
    PI.created_at,
    PI.updated_at,
)


def _overdue(now: datetime) -> Any:
    return exists().where(
        HumanTask.instance_id == PI.id, HumanTask.status == "ready", HumanTask.due_at < now
    )


def _filtered(query: Q, f: InstanceFilter, now: datetime, status: bool) -> Q:
    """Apply every filter (the status one only when asked) to a query over process_instance."""
    if status and f.status:
        query = query.where(PI.status == f.status)
    if f.process_id:
        query = query.where(PI.process_id == f.process_id)
    if f.version is not None:
        versions = select(PV.id).where(PV.version == f.version)
        if f.process_id:
            versions = versions.where(PV.process_id == f.process_id)
        query = query.where(PI.process_version_id.in_(versions))
    if f.phase or f.manager or f.risk_tier:
        query = query.join(CC, CC.id == PI.case_id)
        if f.phase:
            query = query.where(CC.phase == f.phase)
        if f.manager:
            query = query.where(CC.manager == f.manager)
        if f.risk_tier:
            query = query.where(CC.risk_tier == f.risk_tier)
    if f.overdue:
        query = query.where(_overdue(now))
    if f.opened_from is not None:
        query = query.where(PI.created_at >= f.opened_from)
    if f.opened_to is not None:
        query = query.where(PI.created_at < f.opened_to)
    return query


def page_ids(
    session: Session, f: InstanceFilter, now: datetime, limit: int, offset: int
) -> list[int]:
    """Ids of one page of matching instances, newest first (the indexed primary key order)."""
    query = _filtered(select(PI.id), f, now, status=True)
    return list(session.scalars(query.order_by(PI.id.desc()).limit(limit).offset(offset)))


def status_counts(session: Session, f: InstanceFilter, now: datetime) -> dict[str, int]:
    """How many instances match the filter in each status (the status filter ignored)."""
    query = _filtered(select(PI.status, func.count()), f, now, status=False)
    found: dict[str, int] = dict(session.execute(query.group_by(PI.status)).all())
    return {s: int(found.get(s, 0)) for s in INSTANCE_STATUSES}


def rows_of(session: Session, ids: list[int], now: datetime) -> list[InstanceRow]:
    """The list rows of these instances (in the given order), with case facts and overdue."""
    if not ids:
        return []
    query = (
        select(*COLUMNS, PV.version, CC.client_name, CC.phase, CC.manager, CC.risk_tier)
        .join(PV, PV.id == PI.process_version_id)
        .outerjoin(CC, CC.id == PI.case_id)
        .where(PI.id.in_(ids))
    )
    late = set(
        session.scalars(
            select(HumanTask.instance_id).where(
                HumanTask.instance_id.in_(ids),
                HumanTask.status == "ready",
                HumanTask.due_at < now,
            )
        )
    )
    found: dict[int, InstanceRow] = {}
    for r in session.execute(query):
        found[r.id] = InstanceRow(
            id=r.id,
            process_id=r.process_id,
            version=r.version,
            status=r.status,
            case_id=r.case_id,
            client_name=r.client_name,
            phase=r.phase,
            manager=r.manager,
            risk_tier=r.risk_tier,
            error_element=r.error_element,
            created_at=r.created_at,
            updated_at=r.updated_at,
            overdue=r.id in late,
        )
    return [found[i] for i in ids if i in found]


def views_of(session: Session, ids: list[int], now: datetime) -> list[InstanceView]:
    """Full views of these instances (in the given order) in four queries, state not loaded."""
    if not ids:
        return []
    rows = {
        r.id: r for r in session.scalars(select(PI).options(defer(PI.state)).where(PI.id.in_(ids)))
    }
    versions = dict(
        session.execute(
            select(PV.id, PV.version).where(
                PV.id.in_({r.process_version_id for r in rows.values()})
            )
        ).all()
    )
    tasks: dict[int, list[HumanTask]] = {i: [] for i in ids}
    for task in session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id.in_(ids), HumanTask.status == "ready")
        .order_by(HumanTask.created_at, HumanTask.id)
    ):
        tasks[task.instance_id].append(task)
    timers: dict[int, list[Timer]] = {i: [] for i in ids}
    for timer in session.scalars(
        select(Timer)
        .where(Timer.instance_id.in_(ids), Timer.status == "pending")
        .order_by(Timer.due_at)
    ):
        timers[timer.instance_id].append(timer)
    return [
        InstanceView.of(
            rows[i], versions.get(rows[i].process_version_id, 0), tasks[i], timers[i], now
        )
        for i in ids
        if i in rows
    ]
