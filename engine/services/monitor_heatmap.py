"""Where the instances of one process version sit now, and how long they stayed, per element."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.persistence.tables import HumanTask, ProcessInstance, Timer
from engine.services.monitor_diagrams import DiagramFile
from engine.services.monitor_views import HeatCell

PI = ProcessInstance


def _seconds(session: Session, start: Any, end: Any) -> Any:
    """end - start in seconds, per backend."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def heat_cells(
    session: Session, version_id: int, files: list[DiagramFile], since: datetime
) -> list[HeatCell]:
    """Per element: instances there now (ready tasks, pending timers, errors) and mean dwell
    over the visits that ended since `since` (bounded, so it stays fast on long histories)."""
    now: dict[str, int] = {}
    for element, count in _sitting(session, version_id):
        now[element] = now.get(element, 0) + int(count)
    dwell: dict[str, tuple[float, int]] = {}
    for element, total, count in _dwelt(session, version_id, since):
        seconds, n = dwell.get(element, (0.0, 0))
        dwell[element] = (seconds + float(total or 0.0), n + int(count))
    names: dict[str, str] = {}
    for f in reversed(files):
        names.update(f.names)
    cells = [
        HeatCell(
            element_id=element,
            name=names.get(element, element),
            waiting_now=now.get(element, 0),
            avg_dwell_seconds=_mean(dwell.get(element)),
            samples=dwell.get(element, (0.0, 0))[1],
        )
        for element in sorted(set(now) | set(dwell))
    ]
    return sorted(cells, key=lambda c: (-c.waiting_now, c.element_id))


def _sitting(session: Session, version_id: int) -> list[tuple[str, int]]:
    mine = PI.process_version_id == version_id
    tasks = (
        select(HumanTask.element_id, func.count())
        .join(PI, PI.id == HumanTask.instance_id)
        .where(mine, HumanTask.status == "ready")
        .group_by(HumanTask.element_id)
    )
    timers = (
        select(Timer.element_id, func.count())
        .join(PI, PI.id == Timer.instance_id)
        .where(mine, Timer.status == "pending")
        .group_by(Timer.element_id)
    )
    errors = (
        select(PI.error_element, func.count())
        .where(mine, PI.status == "error", PI.error_element.is_not(None))
        .group_by(PI.error_element)
    )
    found: list[tuple[str, int]] = []
    for query in (tasks, timers, errors):
        found += [(str(e), int(c)) for e, c in session.execute(query)]
    return found


def _dwelt(session: Session, version_id: int, since: datetime) -> list[tuple[str, float, int]]:
    mine = PI.process_version_id == version_id
    task_secs = _seconds(session, HumanTask.created_at, HumanTask.completed_at)
    tasks = (
        select(HumanTask.element_id, func.sum(task_secs), func.count())
        .join(PI, PI.id == HumanTask.instance_id)
        .where(mine, HumanTask.status == "completed", HumanTask.completed_at >= since)
        .group_by(HumanTask.element_id)
    )
    timer_secs = _seconds(session, Timer.created_at, Timer.closed_at)
    timers = (
        select(Timer.element_id, func.sum(timer_secs), func.count())
        .join(PI, PI.id == Timer.instance_id)
        .where(mine, Timer.status != "pending", Timer.closed_at >= since)
        .group_by(Timer.element_id)
    )
    found: list[tuple[str, float, int]] = []
    for query in (tasks, timers):
        found += [(str(e), float(s or 0), int(c)) for e, s, c in session.execute(query)]
    return found


def _mean(total: tuple[float, int] | None) -> float | None:
    """Seconds per visit, to a tenth of a second (SQLite's julianday arithmetic is inexact)."""
    if total is None or total[1] == 0:
        return None
    return round(total[0] / total[1], 1)
