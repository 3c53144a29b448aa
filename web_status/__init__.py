"""The status page: what coordinators see and do, in Polish, secure and accessible.

Does: read through its own queries (``web_status.queries``) and act only through the
procedure's and the quarantine's public functions. Must not: reach into intake or the
outbox's internals, or write rows itself. ``create_server`` is the one function the core
calls to serve it (waitress, never Flask's development server); ``create_app`` builds the app.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, render_template, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from mailflow.app import App
from mailflow.errors import UserError
from mailflow.tokens import mask_tokens
from web_status import actions, api, auth, formatting, ops, pages
from web_status.i18n import DEFAULT_LANGUAGE, select_locale

# No inline script or style anywhere: every script and stylesheet is a file under /static.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
SESSION_LIFETIME = timedelta(hours=8)
# Once a browser has seen the page over HTTPS it never tries plain HTTP for a year.
HSTS = "max-age=31536000; includeSubDomains"


def create_app(app: App, testing: bool = False) -> Flask:
    secret = app.config.web.secret_key
    if not secret:
        raise UserError(
            "web.secret_key_env: the environment variable with the page's key is not set"
        )
    flask_app = Flask(__name__)
    flask_app.config.update(
        SECRET_KEY=secret,
        TESTING=testing,
        SESSION_COOKIE_NAME="mailflow_session",
        SESSION_COOKIE_SECURE=app.config.web.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        WTF_CSRF_TIME_LIMIT=int(SESSION_LIFETIME.total_seconds()),
        # The CSRF token is bound to the session; a Referer check adds nothing on top of it
        # and breaks browsers that send no Referer (our own policy trims it).
        WTF_CSRF_SSL_STRICT=False,
        MAX_CONTENT_LENGTH=64 * 1024,
        BABEL_DEFAULT_LOCALE=DEFAULT_LANGUAGE,
        BABEL_DEFAULT_TIMEZONE="Europe/Warsaw",
    )
    flask_app.extensions["mailflow"] = app
    CSRFProtect(flask_app)
    Babel(flask_app, locale_selector=select_locale)
    formatting.init_app(flask_app)
    auth.init_app(flask_app)
    for blueprint in (auth.bp, pages.bp, actions.bp, api.bp, ops.bp):
        flask_app.register_blueprint(blueprint)
    flask_app.after_request(_mask_tokens)
    flask_app.after_request(_security_headers)
    flask_app.register_error_handler(CSRFError, _csrf_error)
    flask_app.register_error_handler(HTTPException, _http_error)
    return flask_app


def _mask_tokens(response: Response) -> Response:
    """No page or API answer shows a token: a token and a forged From are a forged decision.

    Done here, on every HTML and JSON answer, rather than field by field: a subject, a body, a
    Message-ID or a recipient list can carry one anywhere.
    """
    if response.direct_passthrough or response.mimetype not in ("text/html", "application/json"):
        return response
    own = current_app.extensions["mailflow"].config.smtp.from_address
    text = response.get_data(as_text=True)
    masked = mask_tokens(text, own)
    if masked != text:
        response.set_data(masked)
    return response


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config["SESSION_COOKIE_SECURE"]:
        # Only with secure cookies: a plain-HTTP install on loopback must stay reachable.
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static":
        # Pages show personal data and mail: no shared or browser cache may keep them.
        response.headers["Cache-Control"] = "no-store"
    return response


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_template("error.html", code=400, reason="csrf"), 400


def _http_error(error: HTTPException) -> Any:
    if request.path.startswith("/api/"):
        return {"error": error.name, "status": error.code}, error.code or 500
    return render_template("error.html", code=error.code, reason=None), error.code or 500


def create_server(
    app: App,
    host: str | None = None,
    port: int | None = None,
    *,
    threads: int = 8,
    ident: str = "mailflow",
) -> Any:
    """A waitress server for the page, not yet running: call ``.run()`` and later ``.close()``."""
    import waitress

    return waitress.create_server(
        create_app(app),
        host=host or app.config.web.bind,
        port=port if port is not None else app.config.web.port,
        threads=threads,
        ident=ident,
    )
