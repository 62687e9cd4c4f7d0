"""Monitor pages: /monitor/instances, /monitor/instances/<id>, /monitor/incidents, heatmaps."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from engine import PHASES, EngineError, NotFound
from engine.services.monitor_views import INSTANCE_STATUSES, Diagram
from web.auth import check_csrf
from web.console import supervisor_page
from web.context import current_actor, current_engine
from web.monitor import vendor
from web.monitor.filters import PER_PAGE, RISK_TIERS, read_query

bp = Blueprint("monitor", __name__, url_prefix="/monitor")
bp.add_url_rule("/vendor/bpmn-js/<path:path>", "vendor", vendor.send)
ACTIONS = ("suspend", "resume", "terminate", "retry")
DONE = {
    "suspend": "was suspended",
    "resume": "was resumed",
    "terminate": "was terminated",
    "retry": "was retried",
}


@bp.route("/instances")
@supervisor_page
def instances() -> str:
    """Process instances with filters, counts per status and paging."""
    query = read_query(request.args)
    offset = (query.page - 1) * PER_PAGE
    page = current_engine().monitor.page(current_actor(), query.filter(), PER_PAGE, offset)
    return render_template(
        "monitor/instances.html",
        page=page,
        query=query,
        statuses=INSTANCE_STATUSES,
        phases=PHASES,
        risk_tiers=RISK_TIERS,
        processes=current_engine().processes.latest(),
    )


@bp.route("/instances/<int:instance_id>")
@supervisor_page
def instance(instance_id: int) -> str | tuple[str, int]:
    """One instance: diagram with element states, data, timers, audit trail and actions."""
    try:
        detail = current_engine().monitor.detail(instance_id, current_actor())
    except NotFound:
        return render_template("monitor/not_found.html", instance_id=instance_id), 404
    shown = _chosen(detail.diagrams, detail.current_diagram)
    return render_template(
        "monitor/instance.html",
        detail=detail,
        view=detail.instance,
        shown=shown,
        viewer=vendor.installed(),
    )


@bp.route("/instances/<int:instance_id>/diagram.json")
@supervisor_page
def instance_diagram(instance_id: int) -> BaseResponse:
    """The shown diagram's XML and the element states on it, for monitor.js."""
    detail = current_engine().monitor.detail(instance_id, current_actor())
    shown = _chosen(detail.diagrams, detail.current_diagram)
    if shown is None:
        abort(404)
    return jsonify(xml=shown.xml, states=detail.element_states.get(shown.file, {}), counts={})


@bp.route("/instances/<int:instance_id>/<action>", methods=["POST"])
@supervisor_page
def act(instance_id: int, action: str) -> BaseResponse:
    """Suspend, resume, terminate or retry an instance with the reason given in the form."""
    check_csrf()
    if action not in ACTIONS:
        abort(404)
    monitor = current_engine().monitor
    reason = request.form.get("reason", "")
    try:
        view = getattr(monitor, action)(instance_id, current_actor(), reason)
    except EngineError as exc:
        flash(f"Could not {action} instance {instance_id}: {exc}", "error")
    else:
        flash(f"Instance {instance_id} {DONE[action]} (status now {view.status}).", "done")
    return redirect(url_for("monitor.instance", instance_id=instance_id), code=303)


@bp.route("/tasks/<task_id>/reassign", methods=["POST"])
@supervisor_page
def reassign(task_id: str) -> BaseResponse:
    """Hand a ready task to another person, with a reason; back to its instance."""
    check_csrf()
    username = request.form.get("username", "").strip()
    try:
        task = current_engine().monitor.reassign(
            task_id, username, current_actor(), request.form.get("reason", "")
        )
    except EngineError as exc:
        flash(f"Could not reassign the task: {exc}", "error")
    else:
        flash(f"{task.name} is now with {task.assignee}.", "done")
    instance_id = request.form.get("instance_id", "")
    if instance_id.isdigit():
        return redirect(url_for("monitor.instance", instance_id=int(instance_id)), code=303)
    return redirect(url_for("monitor.instances"), code=303)


@bp.route("/incidents")
@supervisor_page
def incidents() -> str:
    """Instances in error, with retry."""
    found = current_engine().monitor.incidents(current_actor())
    return render_template("monitor/incidents.html", incidents=found)


@bp.route("/incidents/retry", methods=["POST"])
@supervisor_page
def retry_incidents() -> BaseResponse:
    """Retry the chosen failed instances (each on its own) and say how each went."""
    check_csrf()
    only = request.form.get("only", "")
    chosen = [only] if only else request.form.getlist("instance_id")
    ids = [int(i) for i in chosen if i.isdigit()]
    if not ids:
        flash("Choose at least one instance to retry.", "error")
        return redirect(url_for("monitor.incidents"), code=303)
    try:
        outcomes = current_engine().monitor.retry_many(
            ids, current_actor(), request.form.get("reason", "")
        )
    except EngineError as exc:
        flash(f"Could not retry: {exc}", "error")
        return redirect(url_for("monitor.incidents"), code=303)
    for o in outcomes:
        if o.ok:
            flash(f"Instance {o.instance_id} retried; it is now {o.status}.", "done")
        else:
            flash(f"Instance {o.instance_id} still failing: {o.error}", "error")
    return redirect(url_for("monitor.incidents"), code=303)


@bp.route("/processes/<process_id>/<int:version>/heatmap")
@supervisor_page
def heatmap(process_id: str, version: int) -> str | tuple[str, int]:
    """Where the instances of a process version sit now and how long they stayed."""
    try:
        heat = current_engine().monitor.heatmap(process_id, version, current_actor())
    except NotFound:
        return render_template("monitor/not_found.html", process_id=process_id), 404
    shown = _chosen(heat.diagrams, heat.current_diagram)
    return render_template(
        "monitor/heatmap.html", heat=heat, shown=shown, viewer=vendor.installed()
    )


@bp.route("/processes/<process_id>/<int:version>/heatmap.json")
@supervisor_page
def heatmap_diagram(process_id: str, version: int) -> BaseResponse:
    """The shown diagram's XML with per-element counts and dwell, for monitor.js."""
    heat = current_engine().monitor.heatmap(process_id, version, current_actor())
    shown = _chosen(heat.diagrams, heat.current_diagram)
    if shown is None:
        abort(404)
    counts: dict[str, Any] = {
        c.element_id: {"now": c.waiting_now, "dwell": _duration(c.avg_dwell_seconds)}
        for c in heat.cells
    }
    return jsonify(xml=shown.xml, states={}, counts=counts)


def _chosen(diagrams: list[Diagram], current: str | None) -> Diagram | None:
    """The diagram asked for with ?file=, else the current one."""
    wanted = request.args.get("file") or current
    return next((d for d in diagrams if d.file == wanted), diagrams[0] if diagrams else None)


def _duration(seconds: float | None) -> str:
    """A short human duration: 45 s, 12 min, 3.5 h, 4.2 d."""
    if seconds is None:
        return ""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


bp.add_app_template_filter(_duration, "duration")
