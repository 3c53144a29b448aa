"""Who may see and do what on the status page, and how the session and forms are protected."""

# The fixtures come from test_web_support by import; pytest passes them in by name.
# ruff: noqa: F811

from __future__ import annotations

import base64
import dataclasses
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from mailflow.clock import FakeClock
from mailflow.db import models, transaction
from tests.test_web_support import (  # noqa: F401
    NOW,
    PASSWORD,
    Web,
    csrf_token,
    password_hash,
    shared_web,
)
from web_status import create_app
from web_status.auth import _stamp


def read_routes(w: Web) -> list[str]:
    d = w.data
    return [
        "/",
        "/campaigns/2027",
        "/campaigns/2026",
        "/messages",
        f"/messages/{d.hostile_message_id}",
        f"/outbox/{d.outbox_id}",
        "/quarantine",
        f"/attachments/{d.hostile_attachment_id}",
        f"/documents/{d.document_id}",
        f"/messages/{d.plain_message_id}/raw",
        "/api/status",
        "/api/dashboard",
        "/api/campaigns/2027",
        "/api/messages",
        f"/api/messages/{d.hostile_message_id}",
        f"/api/outbox/{d.outbox_id}",
        "/api/quarantine",
        "/api/me",
        "/metrics",
    ]


def action_routes(w: Web) -> list[str]:
    q = w.data.quarantine_ids[0]
    return [
        "/campaigns/2027/actions/confirm_catalogue",
        "/campaigns/2027/actions/mark_procurement_started",
        "/campaigns/2027/actions/record_contract",
        "/campaigns/2027/actions/accept_questionnaire",
        f"/quarantine/{q}/retry",
        f"/quarantine/{q}/dismiss",
        f"/quarantine/{q}/assign",
        f"/outbox/{w.data.outbox_id}/resend",
        f"/outbox/{w.data.outbox_id}/mark-sent",
    ]


ADMIN_ROUTES = ["/users"]
PUBLIC_ROUTES = ["/login", "/healthz", "/static/app.css", "/static/app.js"]


def test_it_covers_every_route_of_the_app_in_these_tests(shared_web: Web) -> None:
    covered = {
        *read_routes(shared_web),
        *action_routes(shared_web),
        *ADMIN_ROUTES,
        *PUBLIC_ROUTES,
        "/logout",
        "/language",
    }
    adapter = shared_web.flask.url_map.bind("localhost")
    endpoints = set()
    for path in covered:
        for method in ("GET", "POST"):
            try:
                endpoints.add(adapter.match(path, method=method)[0])
            except Exception:
                continue
    assert endpoints == {rule.endpoint for rule in shared_web.flask.url_map.iter_rules()}


def test_it_sends_anonymous_visitors_to_the_login_page(shared_web: Web) -> None:
    client = shared_web.client()
    for path in read_routes(shared_web) + ADMIN_ROUTES:
        response = client.get(path)
        if path.startswith("/api/") or path == "/metrics":
            assert response.status_code == 401, path
            assert response.headers["WWW-Authenticate"].startswith("Basic")
        else:
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/login?next=")


def test_it_lets_anonymous_visitors_see_only_the_login_page_health_and_static_files(
    shared_web: Web,
) -> None:
    client = shared_web.client()
    for path in PUBLIC_ROUTES:
        with client.get(path) as response:
            assert response.status_code == 200, path


def test_it_refuses_actions_to_anonymous_visitors_even_with_a_valid_form_token(
    shared_web: Web,
) -> None:
    client = shared_web.client()
    token = csrf_token(client, "/login")
    for path in action_routes(shared_web):
        response = client.post(path, data={"csrf_token": token, "note": "x"})
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["viewer", "coordinator", "admin"])
def test_it_shows_every_page_to_every_logged_in_role(shared_web: Web, role: str) -> None:
    client = shared_web.client(role)
    for path in read_routes(shared_web):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("coordinator", 403), ("admin", 200)]
)
def test_it_shows_the_accounts_page_only_to_administrators(
    shared_web: Web, role: str, status: int
) -> None:
    assert shared_web.client(role).get("/users").status_code == status


def test_it_refuses_every_action_to_a_viewer(shared_web: Web) -> None:
    client = shared_web.client("viewer")
    token = csrf_token(client, "/quarantine")
    for path in action_routes(shared_web):
        response = client.post(path, data={"csrf_token": token, "note": "x"})
        assert response.status_code == 403, path
        assert "Brak uprawnień" in response.get_data(as_text=True)


def test_it_hides_the_action_forms_from_a_viewer(shared_web: Web) -> None:
    client = shared_web.client("viewer")
    campaign = client.get("/campaigns/2027").get_data(as_text=True)
    quarantine = client.get("/quarantine").get_data(as_text=True)
    assert 'id="actions"' not in campaign and "/actions/" not in campaign
    assert "/retry" not in quarantine and "/dismiss" not in quarantine


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_it_lets_coordinators_and_admins_reach_the_actions(shared_web: Web, role: str) -> None:
    client = shared_web.client(role)
    token = csrf_token(client, "/campaigns/2027")
    assert 'id="actions"' in client.get("/campaigns/2027").get_data(as_text=True)
    for path in action_routes(shared_web):
        # Whatever the procedure says, the request gets through to it and comes back.
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 302, path


def test_it_rejects_every_form_posted_without_its_csrf_token(shared_web: Web) -> None:
    client = shared_web.client("admin")
    for path in [*action_routes(shared_web), "/logout", "/language", "/login"]:
        response = client.post(path, data={"note": "x", "lang": "en"})
        assert response.status_code == 400, path
        assert "Formularz wygasł" in response.get_data(as_text=True)


def test_it_logs_in_with_the_right_password_and_sets_a_safe_cookie(shared_web: Web) -> None:
    client = shared_web.client()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={
            "csrf_token": token,
            "username": "viewer1",
            "password": PASSWORD,
            "next": "/messages",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/messages"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the tests' config turns it off, as for a plain-HTTP intranet
    assert client.get("/messages").status_code == 200


def test_it_marks_the_cookie_secure_unless_the_config_allows_plain_http(shared_web: Web) -> None:
    app = shared_web.app
    config = dataclasses.replace(
        app.config, web=dataclasses.replace(app.config.web, secure_cookies=True)
    )
    secure = create_app(dataclasses.replace(app, config=config), testing=True)
    with secure.test_client() as client:
        assert "; Secure" in client.get("/login").headers["Set-Cookie"]


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "/\\evil.example", "https://evil.example/", "/\t/evil.example"]
)
def test_it_does_not_follow_a_next_address_to_another_site(shared_web: Web, target: str) -> None:
    client = shared_web.client()
    token = csrf_token(client, "/login")
    response = client.post("/language", data={"csrf_token": token, "lang": "pl", "next": target})
    assert response.headers["Location"] == "/"


def add_user(w: Web, name: str) -> int:
    with transaction(w.app.sessions) as session:
        user = models.User(name=name, role="admin", password_hash=password_hash(), created_at=NOW)
        session.add(user)
        session.flush()
        return user.id


def test_it_refuses_a_wrong_password_and_locks_the_account_after_repeated_failures(
    shared_web: Web,
) -> None:
    add_user(shared_web, "locked1")
    client = shared_web.client()
    token = csrf_token(client, "/login")
    for _ in range(5):
        response = client.post(
            "/login", data={"csrf_token": token, "username": "locked1", "password": "wrong-one-x"}
        )
        assert response.status_code == 401
    assert "konto jest czasowo zablokowane" in response.get_data(as_text=True)
    locked = client.post(
        "/login", data={"csrf_token": token, "username": "locked1", "password": PASSWORD}
    )
    assert locked.status_code == 401
    clock = shared_web.app.clock
    assert isinstance(clock, FakeClock)
    clock.advance(timedelta(minutes=16))
    try:
        unlocked = client.post(
            "/login", data={"csrf_token": token, "username": "locked1", "password": PASSWORD}
        )
    finally:
        clock.set(NOW)
    assert unlocked.status_code == 302


def test_it_logs_out_and_forgets_the_user(shared_web: Web) -> None:
    client = shared_web.client("coordinator")
    token = csrf_token(client, "/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_it_ends_old_sessions_when_the_password_changes(shared_web: Web) -> None:
    user_id = add_user(shared_web, "changer1")
    client = shared_web.client()
    with shared_web.flask.test_request_context():
        stamp = _stamp(password_hash())
    with client.session_transaction() as session:
        session["user_id"], session["stamp"] = user_id, stamp
    assert client.get("/").status_code == 200
    with transaction(shared_web.app.sessions) as db:
        user = db.get(models.User, user_id)
        assert user is not None
        user.password_hash = user.password_hash[:-4] + "AAAA"
    assert client.get("/").status_code == 302


def test_it_accepts_http_basic_credentials_for_the_api_and_metrics_only(shared_web: Web) -> None:
    client = shared_web.client()
    good = {"Authorization": "Basic " + base64.b64encode(f"viewer1:{PASSWORD}".encode()).decode()}
    bad = {"Authorization": "Basic " + base64.b64encode(b"viewer1:nope-nope-nope").decode()}
    assert client.get("/api/me", headers=good).get_json()["role"] == "viewer"
    assert client.get("/metrics", headers=good).status_code == 200
    assert client.get("/api/me", headers=bad).status_code == 401
    assert client.get("/", headers=good).status_code == 302


def test_it_sends_security_headers_with_a_csp_without_inline_script_or_style(
    shared_web: Web,
) -> None:
    for client, path in [
        (shared_web.client(), "/login"),
        (shared_web.client("admin"), "/campaigns/2027"),
        (shared_web.client(), "/healthz"),
    ]:
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "style-src 'self';" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


class _ActiveContent(HTMLParser):
    """Collects what a browser would run or style: the parts a hostile message must not create."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                ("javascript:", "data:")
            ):
                self.found.append(f"{tag} {name}={value}")


def active_content(page: str) -> list[str]:
    parser = _ActiveContent()
    parser.feed(page)
    return parser.found


def test_its_pages_contain_no_inline_script_style_event_handler_or_script_link(
    shared_web: Web,
) -> None:
    client = shared_web.client("admin")
    paths = [p for p in read_routes(shared_web) if not p.startswith(("/api", "/metrics"))]
    for path in [*paths, "/users", "/login"]:
        response = client.get(path)
        if response.mimetype == "text/html":
            assert active_content(response.get_data(as_text=True)) == [], path


def test_logging_out_ends_every_copy_of_the_session_cookie(shared_web: Web) -> None:
    user_id = add_user(shared_web, "copier1")
    browser = shared_web.client()
    token = csrf_token(browser, "/login")
    assert (
        browser.post(
            "/login", data={"csrf_token": token, "username": "copier1", "password": PASSWORD}
        ).status_code
        == 302
    )
    with browser.session_transaction() as session:
        copied = dict(session)
    thief = shared_web.client()
    with thief.session_transaction() as session:
        session.update(copied)
    assert thief.get("/").status_code == 200
    browser.post("/logout", data={"csrf_token": csrf_token(browser, "/")})
    assert thief.get("/").status_code == 302  # the copy died with the logout
    with transaction(shared_web.app.sessions) as db:
        user = db.get(models.User, user_id)
        assert user is not None and user.session_generation == 1


def test_it_refuses_an_address_that_keeps_failing_before_hashing_even_for_unknown_names(
    shared_web: Web,
) -> None:
    flask_app = create_app(shared_web.app, testing=True)
    client = flask_app.test_client()
    token = csrf_token(client, "/login")
    form = {"csrf_token": token, "password": "wrong-wrong-wrong"}
    codes = [
        client.post("/login", data={**form, "username": f"nobody{i}"}).status_code
        for i in range(12)
    ]
    assert codes[:10] == [401] * 10
    assert codes[10:] == [429, 429]
    page = client.post("/login", data={**form, "username": "viewer1", "password": PASSWORD})
    assert page.status_code == 429  # even the right password waits out the window
    assert "Zbyt wiele" in page.get_data(as_text=True) or "Too many" in page.get_data(as_text=True)
    other = flask_app.test_client()
    other.environ_base["REMOTE_ADDR"] = "127.0.0.9"
    token = csrf_token(other, "/login")
    ok = other.post(
        "/login", data={"csrf_token": token, "username": "viewer1", "password": PASSWORD}
    )
    assert ok.status_code == 302  # another address is not held back


def test_it_sends_hsts_only_with_secure_cookies(shared_web: Web) -> None:
    assert "Strict-Transport-Security" not in shared_web.client().get("/login").headers
    secure = dataclasses.replace(
        shared_web.app.config,
        web=dataclasses.replace(shared_web.app.config.web, secure_cookies=True),
    )
    flask_app = create_app(dataclasses.replace(shared_web.app, config=secure), testing=True)
    headers = flask_app.test_client().get("/login").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_page_api_answer_or_download_shows_a_live_token_to_any_role(shared_web: Web) -> None:
    tokens = ("k3m9x2qa", "p4r7x2ka")
    for role in ("viewer", "coordinator", "admin"):
        client = shared_web.client(role)
        for path in read_routes(shared_web):
            body = client.get(path).get_data()
            for token in tokens:
                assert token.encode() not in body.lower(), (role, path, token)


def test_the_raw_download_masks_tokens_even_inside_base64_parts(shared_web: Web) -> None:
    import email
    import email.policy
    from email.message import EmailMessage

    from web_status.rawcopy import masked_copy

    original = EmailMessage()
    original["From"] = "oferty@kwadrant.example.pl"
    original["To"] = "ankieta+k3m9x2qa@um.example.pl"
    original["Subject"] = "Re: oferta [IN13-2027-ZO-k3m9x2qa]"
    original.set_content("Cytat: [IN13-2027-ZO-k3m9x2qa] ąę", cte="base64")
    raw = original.as_bytes()
    assert b"k3m9x2qa" in raw and b"Cytat" not in raw  # the body is base64
    copy = masked_copy(raw, "ankieta@um.example.pl")
    parsed = email.message_from_bytes(copy, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_body()
    assert body is not None
    assert "k3m9x2qa" not in str(parsed["To"]) + str(parsed["Subject"]) + body.get_content()
    assert "[IN13-2027-ZO-k3______] ąę" in body.get_content()
