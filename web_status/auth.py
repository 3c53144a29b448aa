"""Log in, log out, who is asking, and what they may do.

Every request needs a logged-in user except the login page, the language switch, static
files and /healthz; the check runs before every view, so a new route cannot forget it. The
JSON API and /metrics also accept HTTP Basic credentials of a page account, for scripts and
Prometheus; a failed Basic login counts towards the same lockout as the form.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast
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
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from mailflow import accounts
from mailflow.app import App
from mailflow.db import models
from web_status.i18n import LANGUAGES
from web_status.ratelimit import LoginLimiter

bp = Blueprint("auth", __name__)
PUBLIC_ENDPOINTS = {"auth.login", "auth.language", "ops.healthz", "static"}
ACTING_ROLES = ("coordinator", "admin")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class CurrentUser:
    id: int
    name: str
    role: str

    @property
    def can_act(self) -> bool:
        return self.role in ACTING_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def actor(self) -> str:
        """How events record a page action (see models.Event.actor)."""
        return f"web:{self.name}"


def mailflow_app() -> App:
    return cast(App, current_app.extensions["mailflow"])


def current_user() -> CurrentUser | None:
    return cast(CurrentUser | None, g.get("user"))


def _stamp(password_hash: str) -> str:
    """A keyed digest of the password hash: the cookie must not carry the hash itself."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()[:16]


def _user_from_session() -> CurrentUser | None:
    user_id = session.get("user_id")
    if not isinstance(user_id, int):
        return None
    with mailflow_app().sessions() as db:
        row = db.get(models.User, user_id)
        # A changed password ends the sessions opened with the old one, and a logout every
        # copy of the cookie (the generation moved on).
        if (
            row is None
            or session.get("stamp") != _stamp(row.password_hash)
            or session.get("gen", 0) != row.session_generation
        ):
            session.clear()
            return None
        return CurrentUser(row.id, row.name, row.role)


def _limiter() -> LoginLimiter:
    return cast(LoginLimiter, current_app.extensions["mailflow_login_limiter"])


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _check_password(name: str, password: str) -> models.User | None:
    """The user, or None; an address with too many failures is refused before any hash."""
    limiter, address = _limiter(), _client_address()
    if not limiter.allowed(address):
        abort(429)
    user = accounts.authenticate(mailflow_app(), name, password) if name and password else None
    if user is None:
        limiter.failed(address)
    else:
        limiter.succeeded(address)
    return user


def _user_from_basic_auth() -> CurrentUser | None:
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        return None
    user = _check_password(credentials.username or "", credentials.password or "")
    return CurrentUser(user.id, user.name, user.role) if user else None


def _require_login() -> Any:
    if request.endpoint == "static":
        return None  # stylesheet and script are public and need no database round trip
    g.user = _user_from_session()
    if g.user is not None or request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    machine = request.path.startswith("/api/") or request.path == "/metrics"
    if machine:
        g.user = _user_from_basic_auth()
        if g.user is None:
            return (
                {"error": "login required", "status": 401},
                401,
                {"WWW-Authenticate": 'Basic realm="mailflow"'},
            )
        return None
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    app.extensions["mailflow_login_limiter"] = LoginLimiter()
    app.before_request(_require_login)

    @app.context_processor
    def _user_in_templates() -> dict[str, Any]:
        return {"user": current_user()}


def acting(view: F) -> F:
    """Only coordinators and administrators may act; viewers only look."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None or not user.can_act:
            abort(403)
        return view(*args, **kwargs)

    return cast(F, wrapper)


def admin_only(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None or not user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return cast(F, wrapper)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute URL that would send the user elsewhere."""
    if not target:
        return url_for("pages.dashboard")
    parts = urlsplit(target)
    # Browsers read "/\\host" like "//host"; control characters can hide either.
    sneaky = "\\" in target or any(ord(ch) < 32 for ch in target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or sneaky
    ):
        return url_for("pages.dashboard")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        if current_user() is not None:
            return redirect(url_for("pages.dashboard"))
        return render_template("login.html", next=request.args.get("next", ""))
    name = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    user = _check_password(name, password)
    if user is None:
        # One message for a wrong name, a wrong password and a locked account alike.
        flash(_("Wrong user name or password, or the account is locked for a while."), "error")
        return render_template("login.html", next=request.form.get("next", ""), username=name), 401
    lang = session.get("lang")
    session.clear()  # a fresh session on login: nothing from before survives (fixation)
    session.permanent = True
    session["user_id"] = user.id
    session["stamp"] = _stamp(user.password_hash)
    session["gen"] = user.session_generation
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Response:
    lang = session.get("lang")
    user = current_user()
    if user is not None:
        accounts.end_sessions(mailflow_app(), user.id)
    session.clear()
    if lang in LANGUAGES:
        session["lang"] = lang
    flash(_("You have logged out."), "ok")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language() -> Response:
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(_safe_next(request.form.get("next")))
