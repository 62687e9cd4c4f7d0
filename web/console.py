"""Shared by the supervisor's console pages: the access check and its 403 page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import render_template
from werkzeug.wrappers import Response as BaseResponse

from web.auth import login_required
from web.context import current_actor

P = ParamSpec("P")
R = TypeVar("R")


def supervisor_page(view: Callable[P, R]) -> Callable[P, R | BaseResponse | tuple[str, int]]:
    """Sign-in required, then 403 unless the user is a supervisor or an admin."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | BaseResponse | tuple[str, int]:
        if not current_actor().has("supervisor"):
            return render_template("console/forbidden.html"), 403
        return view(*args, **kwargs)

    return login_required(wrapped)
