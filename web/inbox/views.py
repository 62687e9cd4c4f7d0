"""The start page (the inbox: my tasks, my team's open tasks, everyone's) and client search."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from engine import BadRequest, Conflict, EngineError, Forbidden, NotFound, TaskView
from engine.services.case_projection import EPISODE_STATUSES, PHASES
from engine.services.inbox import RISK_TIERS, InboxQuery, InboxService
from web.auth import check_csrf, login_required, safe_next
from web.context import current_actor, current_engine

bp = Blueprint("inbox", __name__)

SECTIONS = {
    "mine": ("my-tasks", "My tasks", "Nothing is assigned to you."),
    "team": ("team-tasks", "My team's unclaimed tasks", "No unclaimed tasks for your roles."),
    "all": ("all-tasks", "Everyone's tasks", "No open tasks."),
}


def inbox_service() -> InboxService:
    """The inbox read service of the running engine."""
    return current_engine().inbox


def query_url(query: InboxQuery, **changes: object) -> str:
    """The inbox URL of query's filters with changes (page numbers kept only when given)."""
    values: dict[str, object] = dict(query.filters())
    values.update({k: v for k, v in changes.items() if v not in (None, "")})
    for key in [k for k, v in changes.items() if v in (None, "")]:
        values.pop(key, None)
    if values.get("scope") == "mine":
        values.pop("scope")
    if values.get("page") == 1:
        values.pop("page")
    text = urlencode(values)
    return url_for("inbox.index") + (f"?{text}" if text else "")


@bp.route("/")
@login_required
def index() -> str:
    """The inbox: one section at a time with a count badge for every section."""
    actor = current_actor()
    service = inbox_service()
    try:
        query = InboxQuery.parse(request.args.to_dict())
    except BadRequest as exc:
        abort(400, description=str(exc))
    page = service.page(actor, query)
    return render_template(
        "inbox/index.html",
        page=page,
        query=query,
        scopes=service.scopes(actor),
        sections=SECTIONS,
        section=SECTIONS[query.scope],
        phases=[p for p in PHASES if p != "closed"],
        risk_tiers=RISK_TIERS,
        task_types=service.task_types(),
        saved=service.saved(actor),
        query_url=query_url,
        here=request.full_path.rstrip("?"),
    )


@bp.route("/inbox/tasks/<task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: str) -> BaseResponse:
    """Take a task in one click, then go back to the same inbox view."""
    check_csrf()
    _change(lambda: current_engine().tasks.claim(task_id, current_actor()), "claimed")
    return redirect(safe_next(request.form.get("next")))


@bp.route("/inbox/tasks/<task_id>/unclaim", methods=["POST"])
@login_required
def unclaim(task_id: str) -> BaseResponse:
    """Give a task back to the team, then go back to the same inbox view."""
    check_csrf()
    _change(lambda: current_engine().tasks.unclaim(task_id, current_actor()), "returned")
    return redirect(safe_next(request.form.get("next")))


def _change(command: Callable[[], TaskView], done: str) -> None:
    try:
        view = command()
    except (Conflict, NotFound, Forbidden) as exc:
        flash(f"Nothing changed: {exc}", "error")
        return
    flash(f"Task “{view.name}” {done}.", "done")


@bp.route("/inbox/filters", methods=["POST"])
@login_required
def save_filter() -> BaseResponse:
    """Save the current filters under a name for the signed-in person."""
    check_csrf()
    fields = {key: request.form.get(key, "") for key in ("scope", "phase", "task", "risk", "sort")}
    fields["overdue"] = request.form.get("overdue", "")
    try:
        query = InboxQuery.parse(fields)
        saved = inbox_service().save(current_actor(), request.form.get("name", ""), query)
    except (BadRequest, Forbidden) as exc:
        flash(f"The filter was not saved: {exc}", "error")
        return redirect(safe_next(request.form.get("next")))
    flash(f"Filter “{saved.name}” saved.", "done")
    return redirect(query_url(query))


@bp.route("/inbox/filters/delete", methods=["POST"])
@login_required
def delete_filter() -> BaseResponse:
    """Forget one of the signed-in person's saved filters."""
    check_csrf()
    name = request.form.get("name", "")
    try:
        inbox_service().delete(current_actor(), name)
    except NotFound as exc:
        flash(f"Nothing deleted: {exc}", "error")
    else:
        flash(f"Filter “{name}” deleted.", "done")
    return redirect(safe_next(request.form.get("next")))


@bp.route("/search")
@login_required
def search() -> str:
    """Find a client by name, birth date, case status or case manager (visible cases only)."""
    keys = ("name", "birth_date", "status", "manager")
    criteria = {key: request.args.get(key, "").strip() for key in keys}
    results = None
    error = None
    if any(criteria.values()):
        try:
            results = inbox_service().search(
                current_actor(),
                name=criteria["name"],
                birth_date=criteria["birth_date"],
                status=criteria["status"],
                manager=criteria["manager"],
            )
        except EngineError as exc:
            error = str(exc)
    return render_template(
        "inbox/search.html",
        criteria=criteria,
        results=results,
        error=error,
        statuses=EPISODE_STATUSES,
    )
