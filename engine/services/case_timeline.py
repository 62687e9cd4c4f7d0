"""The case timeline in plain words, from the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.persistence.tables import AuditEvent, HumanTask, ProcessInstance
from engine.services.case_detail_views import TimelineEntry
from engine.services.context import Context

# Steps the engine records for itself that another row already tells better.
QUIET_ACTIONS = frozenset({"timers.fired"})
# What a workflow step records before the command that caused it (sync runs first), in the
# order they follow from it: a timer fires, tasks are withdrawn, new tasks appear, it fails.
_CONSEQUENCES = {"timer.fired": 1, "task.cancelled": 2, "task.created": 3, "instance.failed": 4}
_STEP_COMMANDS = frozenset(
    {
        "instance.started",
        "task.completed",
        "message.delivered",
        "timers.fired",
        "instance.resumed",
        "instance.suspended",
        "instance.terminated",
    }
)


def causal(events: list[AuditEvent]) -> list[AuditEvent]:
    """Oldest first, each step's command before the consequences recorded ahead of it."""
    ordered: list[AuditEvent] = []
    pending: list[AuditEvent] = []
    for event in events:
        if event.action in _CONSEQUENCES:
            pending.append(event)
            continue
        steps_them = event.action in _STEP_COMMANDS and all(
            p.instance_id == event.instance_id for p in pending
        )
        if steps_them:
            ordered.append(event)
            ordered.extend(sorted(pending, key=lambda p: _CONSEQUENCES[p.action]))
        else:
            ordered.extend(pending)
            ordered.append(event)
        pending = []
    ordered.extend(pending)
    return ordered


def element_names(ctx: Context, session: Session, case_id: int) -> dict[str, str]:
    """Element id -> its name in the diagram: from the case's task rows and deployed specs."""
    names: dict[str, str] = {}
    version_ids = session.scalars(
        select(ProcessInstance.process_version_id)
        .where(ProcessInstance.case_id == case_id)
        .distinct()
    )
    for version_id in version_ids:
        try:
            bundle, _forms = ctx.specs.get(session, version_id)
        except Exception:  # a name is a nicety: fall back to the element id
            continue
        for spec in (bundle.spec, *bundle.subprocess_specs.values()):
            for task_spec in getattr(spec, "task_specs", {}).values():
                bpmn_id = getattr(task_spec, "bpmn_id", None)
                bpmn_name = getattr(task_spec, "bpmn_name", None)
                if bpmn_id and bpmn_name:
                    names.setdefault(str(bpmn_id), str(bpmn_name))
    rows = session.execute(
        select(HumanTask.element_id, HumanTask.name).where(HumanTask.case_id == case_id)
    ).all()
    for element_id, name in rows:
        names[element_id] = name
    return names


def words(code: str) -> str:
    """A code (snake_case, kebab-case) as words."""
    return code.replace("_", " ").replace("-", " ").strip()


def entry(event: AuditEvent, names: dict[str, str]) -> TimelineEntry:
    return TimelineEntry(event.at, event.actor, event.action, describe(event, names))


def describe(event: AuditEvent, names: dict[str, str]) -> str:
    """One audit event as a sentence: "cara completed Monitoring contact"."""
    who = event.actor
    detail = event.detail if isinstance(event.detail, dict) else {}
    element = event.element_id or detail.get("element_id")
    name = (
        detail.get("name")
        if event.action == "task.created" and detail.get("name")
        else names.get(str(element), words(str(element)).capitalize() if element else "a step")
    )
    action = event.action
    if action == "case.opened":
        urgency = detail.get("urgency")
        return f"{who} registered the referral and opened the case" + (
            f" ({urgency})" if urgency else ""
        )
    if action == "case.viewed":
        return f"{who} viewed the case"
    if action == "case.view_denied":
        return f"{who} tried to open the case and was refused"
    if action == "case.note_added":
        return f"{who} added a note"
    if action == "case.note_denied":
        return f"{who} tried to add a note and was refused"
    if action == "instance.started":
        process = detail.get("process_id", "the process")
        return f"{who} started {process} (version {detail.get('version', '?')})"
    if action == "task.created":
        lane = detail.get("lane")
        return f"{name} is ready" + (f" for the {words(str(lane))} lane" if lane else "")
    if action == "task.completed":
        return f"{who} completed {name}"
    if action == "task.claimed":
        return f"{who} claimed {name}"
    if action == "task.unclaimed":
        return f"{who} released {name}"
    if action == "task.assigned":
        assignee = detail.get("assignee")
        return f"{who} assigned {name} to {assignee}" if assignee else f"{who} unassigned {name}"
    if action == "task.cancelled":
        return f"{name} was withdrawn by the process"
    if action == "timer.fired":
        return f"timer fired: {name}"
    if action == "message.delivered":
        message = words(str(detail.get("name") or "a message"))
        correlation = detail.get("correlation") or {}
        ref = correlation.get("referral.id") if isinstance(correlation, dict) else None
        return f"{who} delivered the message {message}" + (f" (referral {ref})" if ref else "")
    if action == "instance.failed":
        return f"the process stopped with an error at {name}: {detail.get('message', '')}".strip()
    if action in ("instance.suspended", "instance.resumed", "instance.terminated"):
        verb = action.split(".", 1)[1]
        reason = detail.get("reason")
        return f"{who} {verb} the care cycle" + (f": {reason}" if reason else "")
    return f"{who}: {words(action.replace('.', ' '))}"


def text_or_none(value: Any) -> str | None:
    """str(value), keeping None."""
    return None if value is None else str(value)
