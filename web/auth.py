"""Who is asking: bearer tokens for the API, a session login for pages, CSRF for forms."""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from engine import Unauthorized
from web.context import current_engine, is_api_request

P = ParamSpec("P")
R = TypeVar("R")

bp = Blueprint("auth", __name__)

CSRF_KEY = "csrf_token"
SEEN_KEY = "seen_at"
IDLE_MINUTES = 15


# --- API: bearer tokens -----------------------------------------------------------------------


def require_bearer() -> None:
    """Resolve `Authorization: Bearer TOKEN` to an actor on flask.g (Unauthorized otherwise)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("send Authorization: Bearer TOKEN (see `carecycle users token`)")
    g.actor = current_engine().users.actor_for_token(token)


# --- pages: session login ---------------------------------------------------------------------


def load_session_user() -> None:
    """Put the logged-in actor (or None) on flask.g for pages; end idle sessions."""
    g.actor = None
    username = session.get("username")
    if not username:
        return
    idle = float(current_app.config.get("SESSION_IDLE_MINUTES", IDLE_MINUTES)) * 60
    now = time.time()
    if now - float(session.get(SEEN_KEY, now)) > idle:
        session.clear()
        g.signed_out_idle = True
        return
    session[SEEN_KEY] = now
    try:
        g.actor = current_engine().users.actor(username)
    except Unauthorized:
        session.clear()


def login_required(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
    """Send anonymous visitors to the login page."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | BaseResponse:
        if g.get("actor") is None:
            if g.get("signed_out_idle"):
                flash("You were signed out after a while without activity.", "info")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def csrf_token() -> str:
    """This session's CSRF token (created on first use)."""
    token = session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_KEY] = token
    return token


def check_csrf() -> None:
    """Abort with 400 unless the form carries this session's CSRF token."""
    expected = session.get(CSRF_KEY)
    sent = request.form.get(CSRF_KEY, "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected, sent):
        abort(400, description="The form expired or was not sent from this site; try again.")


def safe_next(target: str | None) -> str:
    """A local path to go to after login (never another site)."""
    if not target:
        return url_for("inbox.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("inbox.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | BaseResponse:
    """Show the login form; check the username and password."""
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    check_csrf()
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    try:
        actor = current_engine().users.authenticate(username, password)
    except Unauthorized:
        return render_template(
            "auth/login.html",
            next=request.form.get("next", ""),
            username=username,
            error="Wrong username or password.",
        )
    target = safe_next(request.form.get("next"))
    session.clear()
    session["username"] = actor.username
    session[SEEN_KEY] = time.time()
    csrf_token()
    return redirect(target)


@bp.route("/logout", methods=["POST"])
def logout() -> BaseResponse:
    """End the session."""
    check_csrf()
    session.clear()
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Register the login pages, the session loader and the CSRF template helper."""
    app.register_blueprint(bp)
    app.before_request(_load_for_pages)
    app.jinja_env.globals["csrf_token"] = csrf_token


def _load_for_pages() -> None:
    if not is_api_request() and request.endpoint != "static":
        load_session_user()
