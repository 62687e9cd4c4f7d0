"""The task page: show a task with its form, claim or unclaim it, save a draft, complete it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from engine import (
    Actor,
    Conflict,
    EngineError,
    Forbidden,
    FormInvalid,
    InstanceView,
    NotFound,
    TaskDetail,
)
from engine.services.drafts import Draft, DraftService
from web.auth import check_csrf, login_required
from web.context import current_actor, current_engine
from web.forms import apply_row_action, build_fields, is_row_action, parse_form
from web.forms.schema import is_read_only, sub_ui

bp = Blueprint("task_pages", __name__, url_prefix="/tasks")

Page = str | tuple[str, int] | BaseResponse


def drafts() -> DraftService:
    """The draft service over the running engine (until the engine wires one itself)."""
    return current_engine().drafts


@bp.route("/<task_id>")
@login_required
def show(task_id: str) -> Page:
    """The task with its form, prefilled from my draft when I saved one."""
    actor = current_actor()
    try:
        detail = current_engine().tasks.get(task_id, actor)
    except (NotFound, Forbidden) as exc:
        return error_page(exc)
    draft = drafts().find(task_id, actor) if detail.task.status == "ready" else None
    values = _with_read_only(detail, draft.data) if draft else detail.data
    return render_task(detail, values, draft=draft)


@bp.route("/<task_id>", methods=["POST"])
@login_required
def submit(task_id: str) -> Page:
    """Complete the task, save a draft, or add/remove a row of a repeatable fieldset."""
    check_csrf()
    actor = current_actor()
    try:
        detail = current_engine().tasks.get(task_id, actor)
    except (NotFound, Forbidden) as exc:
        return error_page(exc)
    data, parse_errors = parse_form(detail.schema, detail.ui_schema, request.form)
    action = request.form.get("action", "")
    if action == "complete":
        return complete(detail, data, parse_errors, actor)
    if action == "save_draft":
        return save_draft(detail, data, actor)
    if action == "discard_draft":
        drafts().discard(task_id, actor)
        flash("Draft discarded.", "info")
        return redirect(url_for("task_pages.show", task_id=task_id))
    if is_row_action(action):
        data = apply_row_action(detail.schema, data, action)
    return render_task(detail, _with_read_only(detail, data), errors=parse_errors)


@bp.route("/<task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: str) -> BaseResponse | tuple[str, int]:
    """Take the task."""
    check_csrf()
    return _assign(task_id, "claim", "You hold this task now.")


@bp.route("/<task_id>/unclaim", methods=["POST"])
@login_required
def unclaim(task_id: str) -> BaseResponse | tuple[str, int]:
    """Give the task back to the team."""
    check_csrf()
    return _assign(task_id, "unclaim", "The task is open to the team again.")


def complete(
    detail: TaskDetail, data: dict[str, Any], parse_errors: dict[str, str], actor: Actor
) -> Page:
    """Complete the task; on errors show the form again with the input kept."""
    task_id = detail.task.id
    try:
        view = current_engine().tasks.complete(task_id, data, actor)
    except FormInvalid as exc:
        errors = {**exc.errors, **parse_errors}
        return render_task(detail, _with_read_only(detail, data), errors=errors)
    except Conflict as exc:
        return render_task(detail, _with_read_only(detail, data), problem=exc.message), 409
    except Forbidden as exc:
        return error_page(exc)
    flash(_done_message(detail.task.name, view, actor), "success")
    return redirect(url_for("inbox.index"))


def save_draft(detail: TaskDetail, data: dict[str, Any], actor: Actor) -> Page:
    """Keep the input as my draft and show the form again."""
    try:
        draft = drafts().save(detail.task.id, actor, data)
    except (Conflict, Forbidden) as exc:
        return render_task(detail, _with_read_only(detail, data), problem=exc.message), 409
    return render_task(detail, _with_read_only(detail, data), draft=draft, saved=True)


def render_task(
    detail: TaskDetail,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    draft: Draft | None = None,
    saved: bool = False,
    problem: str | None = None,
) -> str:
    """The task page."""
    errors = errors or {}
    fields, targets = build_fields(detail.schema, detail.ui_schema, values, errors)
    actor = current_actor()
    task = detail.task
    return render_template(
        "tasks/show.html",
        task=task,
        context=detail.context,
        fields=fields,
        errors=[(message, targets.get(path), path) for path, message in errors.items()],
        draft=draft,
        saved=saved,
        problem=problem,
        scores=_scores(detail.context),
        may_work=task.status == "ready" and actor.may_work(task.candidate_roles),
        may_complete=task.status == "ready"
        and actor.may_work(task.candidate_roles)
        and task.assignee in (None, actor.username),
        may_unclaim=task.assignee is not None
        and (task.assignee == actor.username or actor.has("supervisor")),
    )


def error_page(exc: EngineError) -> tuple[str, int]:
    """A 404 or 403 page for a task that does not exist or is not mine to see."""
    status = 404 if isinstance(exc, NotFound) else 403
    return render_template("tasks/error.html", status=status, message=exc.message), status


def _assign(task_id: str, how: str, done: str) -> BaseResponse | tuple[str, int]:
    tasks = current_engine().tasks
    try:
        (tasks.claim if how == "claim" else tasks.unclaim)(task_id, current_actor())
    except (NotFound, Forbidden) as exc:
        return error_page(exc)
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash(done, "success")
    return redirect(url_for("task_pages.show", task_id=task_id))


def _with_read_only(detail: TaskDetail, values: dict[str, Any]) -> dict[str, Any]:
    """values plus the read-only fields, always shown from the task's own data."""
    props = detail.schema.get("properties") or {}
    merged = dict(values)
    for name, spec in props.items():
        read_only = isinstance(spec, dict) and is_read_only(spec, sub_ui(detail.ui_schema, name))
        if read_only and name in detail.data:
            merged[name] = detail.data[name]
    return merged


def _done_message(name: str, view: InstanceView, actor: Actor) -> str:
    mine = [
        t
        for t in view.ready_tasks
        if t.assignee == actor.username
        or (t.assignee is None and actor.may_work(t.candidate_roles))
    ]
    if not mine:
        return f"“{name}” is done."
    return f"“{name}” is done. Next for you: “{mine[0].name}”."


def _scores(context: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    scores = context.get("scores")
    if not isinstance(scores, dict):
        return []
    panel = []
    for instrument, values in scores.items():
        if isinstance(values, dict) and values:
            items = [(str(k).replace("_", " "), _score_text(v)) for k, v in values.items()]
            panel.append((str(instrument).upper(), items))
    return panel


def _score_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value) or "none"
    return "—" if value is None else str(value).replace("_", " ")
