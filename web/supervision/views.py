"""Supervision pages: /supervision/approvals and /supervision/caseloads."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from engine import EngineError, FormInvalid
from engine.services.approval_views import ApprovalDecision
from engine.services.caseloads import BulkReassignment
from web.auth import check_csrf
from web.console import supervisor_page
from web.context import current_actor, current_engine
from web.supervision.bars import risk_bar

bp = Blueprint("supervision", __name__, url_prefix="/supervision")

KIND_TITLES = {"plan": "Service plan", "closure": "Case closure"}


@bp.route("/approvals")
@supervisor_page
def approvals() -> BaseResponse:
    """Plans and closures waiting for this supervisor."""
    return _approvals_page()


@bp.route("/approvals/<task_id>", methods=["POST"])
@supervisor_page
def decide(task_id: str) -> BaseResponse:
    """Approve, or return with comments; back to the queue with the outcome."""
    check_csrf()
    decision = request.form.get("decision", "")
    comments = request.form.get("comments", "")
    try:
        done = current_engine().approvals.decide(task_id, current_actor(), decision, comments)
    except FormInvalid as exc:
        return _approvals_page(task_id, exc.errors, comments, status=422)
    except EngineError as exc:
        flash(exc.message, "error")
        return redirect(url_for("supervision.approvals"), code=303)
    flash(_decided(done), "success")
    return redirect(url_for("supervision.approvals"), code=303)


@bp.route("/caseloads")
@supervisor_page
def caseloads() -> BaseResponse:
    """Open cases and tasks per case manager, with forms to move cases."""
    service = current_engine().caseloads
    overview = service.overview(current_actor())
    shown = request.args.get("manager", "").strip()
    cases = []
    if shown:
        try:
            cases = service.cases_of(shown, current_actor())
        except EngineError as exc:
            flash(exc.message, "error")
            shown = ""
    html = render_template(
        "supervision/caseloads.html",
        overview=overview,
        bars={m.username: risk_bar(m.risk) for m in [*overview.managers, overview.totals]},
        targets=[m for m in overview.managers if m.active],
        shown=shown,
        cases=cases,
        preset_case=request.args.get("case", ""),
    )
    return _private(make_response(html))


@bp.route("/caseloads/reassign", methods=["POST"])
@supervisor_page
def reassign() -> BaseResponse:
    """Move one case to another case manager."""
    check_csrf()
    case_id = request.form.get("case_id", "").strip()
    if not case_id.isdigit():
        flash("Enter the number of the case to move.", "error")
        return _to_caseloads()
    try:
        moved = current_engine().caseloads.reassign(
            int(case_id),
            request.form.get("manager", ""),
            request.form.get("reason", ""),
            current_actor(),
        )
    except EngineError as exc:
        flash(_problem(exc), "error")
        return _to_caseloads()
    tasks = len(moved.moved_task_ids)
    flash(
        f"Case {moved.case_id} ({moved.client_name}) moved from {moved.from_manager or 'nobody'}"
        f" to {moved.to_manager}, with {tasks} open task{'' if tasks == 1 else 's'}.",
        "success",
    )
    return _to_caseloads()


@bp.route("/caseloads/reassign-all", methods=["POST"])
@supervisor_page
def reassign_all() -> BaseResponse:
    """Spread a departing manager's cases over one or several others."""
    check_csrf()
    try:
        result = current_engine().caseloads.reassign_all(
            request.form.get("from_manager", ""),
            request.form.getlist("to_managers"),
            request.form.get("reason", ""),
            current_actor(),
            deactivate=request.form.get("deactivate") == "1",
        )
    except EngineError as exc:
        flash(_problem(exc), "error")
        return _to_caseloads()
    wanted = request.form.get("deactivate") == "1"
    for message, category in _bulk_messages(result, wanted):
        flash(message, category)
    return _to_caseloads()


def _approvals_page(
    failed_task: str | None = None,
    errors: dict[str, str] | None = None,
    comments: str = "",
    status: int = 200,
) -> BaseResponse:
    html = render_template(
        "supervision/approvals.html",
        items=current_engine().approvals.queue(current_actor()),
        kinds=KIND_TITLES,
        failed_task=failed_task,
        errors=errors or {},
        comments=comments,
    )
    return _private(make_response(html, status))


def _decided(done: ApprovalDecision) -> str:
    what = KIND_TITLES.get(done.kind, done.kind).lower()
    if done.decision == "approve":
        return f"The {what} of case {done.case_id} is approved."
    return f"The {what} of case {done.case_id} went back to its case manager with your comments."


def _bulk_messages(result: BulkReassignment, deactivate: bool) -> list[tuple[str, str]]:
    moved = ", ".join(f"case {m.case_id} → {m.to_manager}" for m in result.moved)
    messages = [
        (
            f"{len(result.moved)} case{'' if len(result.moved) == 1 else 's'} of "
            f"{result.from_manager} moved" + (f": {moved}." if moved else "."),
            "success",
        )
    ]
    for failure in result.failed:
        messages.append((f"Case {failure.case_id} was not moved: {failure.message}", "error"))
    if result.deactivated:
        messages.append((f"{result.from_manager} can no longer sign in.", "info"))
    elif deactivate:
        messages.append((f"{result.from_manager} stays active until every case has moved.", "info"))
    return messages


def _problem(exc: EngineError) -> str:
    details = " ".join(exc.errors.values())
    return f"{exc.message}. {details}" if details and details not in exc.message else exc.message


def _to_caseloads() -> BaseResponse:
    return redirect(url_for("supervision.caseloads"), code=303)


def _private(response: BaseResponse) -> BaseResponse:
    """Supervision pages hold client information: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response
