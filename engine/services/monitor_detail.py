"""One instance as the monitor shows it: case, audit trail, diagrams and element states."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.persistence.tables import (
    AuditEvent,
    CareCase,
    HumanTask,
    ProcessInstance,
    ProcessVersion,
    Timer,
)
from engine.runtime.element_states import ElementState, element_states
from engine.services.instances import InstanceService
from engine.services.monitor_diagrams import current_file, diagram_files, place_states
from engine.services.monitor_views import AuditEntry, CaseSummary, InstanceDetail

_log = logging.getLogger(__name__)
AUDIT_LIMIT = 500
HISTORY_ACTIONS = ("task.completed", "timer.fired")


def instance_detail(
    session: Session, row: ProcessInstance, instances: InstanceService
) -> InstanceDetail:
    """The detail of an instance (loads its workflow once, to read the element states)."""
    view = instances.view(session, row)
    version = session.get(ProcessVersion, row.process_version_id)
    files = diagram_files(version) if version is not None else []
    placed = place_states(files, _live_states(session, row, instances), _history(session, row))
    return InstanceDetail(
        instance=view,
        case=_case(session, row.case_id),
        audit=_audit(session, row.id),
        element_states=placed,
        diagrams=[f.diagram for f in files],
        current_diagram=current_file(files, placed),
        ready_tasks=view.ready_tasks,
        waiting_timers=view.waiting_timers,
    )


def _live_states(
    session: Session, row: ProcessInstance, instances: InstanceService
) -> list[ElementState]:
    if not row.state:
        return []
    try:
        return element_states(instances.running(session, row).workflow)
    except Exception:  # a workflow that cannot load must not hide the rest of the page
        _log.exception("element states of instance %s could not be read", row.id)
        return []


def _history(session: Session, row: ProcessInstance) -> set[str]:
    """Elements the instance finished whose tasks were pruned from the workflow."""
    done = set(
        session.scalars(
            select(HumanTask.element_id).where(
                HumanTask.instance_id == row.id, HumanTask.status == "completed"
            )
        )
    )
    done |= set(
        session.scalars(
            select(Timer.element_id).where(Timer.instance_id == row.id, Timer.status == "fired")
        )
    )
    done |= {
        e
        for e in session.scalars(
            select(AuditEvent.element_id).where(
                AuditEvent.instance_id == row.id,
                AuditEvent.action.in_(HISTORY_ACTIONS),
                AuditEvent.element_id.is_not(None),
            )
        )
        if e
    }
    return done


def _case(session: Session, case_id: int | None) -> CaseSummary | None:
    case = session.get(CareCase, case_id) if case_id is not None else None
    if case is None:
        return None
    return CaseSummary(
        case.id, case.client_name, case.phase, case.status, case.manager, case.risk_tier
    )


def _audit(session: Session, instance_id: int) -> list[AuditEntry]:
    """The instance's audit trail, newest first."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.instance_id == instance_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_LIMIT)
    )
    return [
        AuditEntry(
            e.id,
            e.at,
            e.actor,
            e.action,
            e.element_id,
            e.task_id,
            e.from_status,
            e.to_status,
            dict(e.detail or {}),
        )
        for e in events
    ]
