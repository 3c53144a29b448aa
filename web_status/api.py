"""JSON mirroring the pages, for scripts (session cookie or HTTP Basic with a page account)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort

from mailflow import queries
from web_status import queries as web_queries
from web_status.auth import current_user, mailflow_app

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/status")
def status() -> Any:
    with mailflow_app().sessions() as session:
        return queries.status_summary(session)


@bp.get("/dashboard")
def dashboard() -> Any:
    app = mailflow_app()
    with app.sessions() as session:
        return web_queries.to_json(web_queries.dashboard(session, app.config, app.clock.now()))


@bp.get("/campaigns/<int:year>")
def campaign(year: int) -> Any:
    app = mailflow_app()
    with app.sessions() as session:
        data = web_queries.campaign_detail(session, app.config, year, app.clock.now())
    if data is None:
        abort(404)
    return web_queries.to_json(data)


@bp.get("/messages")
def messages() -> Any:
    with mailflow_app().sessions() as session:
        return web_queries.to_json(web_queries.message_list(session))


@bp.get("/messages/<int:message_id>")
def message(message_id: int) -> Any:
    app = mailflow_app()
    with app.sessions() as session:
        data = web_queries.message_detail(session, app.archive, message_id)
    if data is None:
        abort(404)
    return web_queries.to_json(data)


@bp.get("/outbox/<int:outbox_id>")
def outgoing(outbox_id: int) -> Any:
    with mailflow_app().sessions() as session:
        data = web_queries.outbox_detail(session, outbox_id)
    if data is None:
        abort(404)
    return web_queries.to_json(data)


@bp.get("/quarantine")
def quarantine() -> Any:
    with mailflow_app().sessions() as session:
        return web_queries.to_json(web_queries.quarantine(session))


@bp.get("/me")
def me() -> Any:
    user = current_user()
    assert user is not None
    return {"name": user.name, "role": user.role, "can_act": user.can_act}
