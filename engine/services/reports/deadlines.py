"""Policy deadlines met: human tasks with a due date, by task.

Definition: a deadline is a human task (human_task) with a due date (set by the task's dueIn
policy: first contact, safety follow-up, monitoring contact, ...). It is met when the task was
completed at or before its due time; missed when completed late, or still open (ready) with its
due time already past. Deadlines whose due time falls in the period and that are decided (met
or missed) count; open tasks not yet due and cancelled tasks do not. With a team, only tasks of
cases the team manages. Grouped by the task's element id, named by the task's name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from engine.persistence.tables import CareCase, HumanTask
from engine.services.reports.filters import ReportFilter, in_period, team_members
from engine.services.reports.shapes import Report, Table, count, label, stat
from engine.services.reports.stats import pct

NAME = "deadlines"
TITLE = "Policy deadlines met"
DEFINITION = (
    "Tasks due in the period: met when completed by the due time; missed when completed late "
    "or still open past it. Open tasks not yet due are not counted."
)


def _conditions(report_filter: ReportFilter, now: datetime) -> list[Any]:
    met_or_missed = or_(
        HumanTask.status == "completed",
        and_(HumanTask.status == "ready", HumanTask.due_at < now),
    )
    conditions: list[Any] = [in_period(HumanTask.due_at, report_filter), met_or_missed]
    if report_filter.team:
        team_cases = select(CareCase.id).where(
            CareCase.manager.in_(team_members(report_filter.team))
        )
        conditions.append(HumanTask.case_id.in_(team_cases))
    return conditions


def build(session: Session, report_filter: ReportFilter, now: datetime) -> Report:
    """The deadlines report."""
    met = case(
        (and_(HumanTask.status == "completed", HumanTask.completed_at <= HumanTask.due_at), 1),
        else_=0,
    )
    rows = session.execute(
        select(HumanTask.element_id, func.min(HumanTask.name), func.count(), func.sum(met))
        .where(*_conditions(report_filter, now))
        .group_by(HumanTask.element_id)
        .order_by(HumanTask.element_id)
    ).all()
    out = []
    for element_id, name, decided, met_count in rows:
        decided, met_count = int(decided), int(met_count or 0)
        out.append(_row(str(element_id), str(name), decided, met_count))
    if out:
        decided = sum(r["decided"] for r in out)
        met_total = sum(r["met"] for r in out)
        out.append(_row("all", "All deadlines", decided, met_total))
    table = Table(
        "deadlines",
        "Deadlines met per task",
        (
            label("element_id", "Task id"),
            label("name", "Task"),
            count("decided", "Due"),
            count("met", "Met"),
            count("missed", "Missed"),
            stat("met_pct", "% met", "decided", "met", "missed", unit="%"),
        ),
        tuple(out),
    )
    return Report(NAME, TITLE, DEFINITION, report_filter, now, (table,))


def _row(element_id: str, name: str, decided: int, met: int) -> dict[str, Any]:
    return {
        "element_id": element_id,
        "name": name,
        "decided": decided,
        "met": met,
        "missed": decided - met,
        "met_pct": pct(met, decided),
    }
