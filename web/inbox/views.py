"""The start page: my tasks and the tasks open to my roles."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.auth import login_required
from web.context import current_actor, current_engine

bp = Blueprint("inbox", __name__)


@bp.route("/")
@login_required
def index() -> str:
    """The logged-in person's ready tasks: assigned to them, and open to their roles."""
    actor = current_actor()
    tasks = current_engine().tasks
    return render_template(
        "inbox/index.html",
        mine=tasks.list(actor, "mine"),
        team=tasks.list(actor, "team"),
    )
