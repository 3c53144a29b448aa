"""The pages people read: dashboard, campaign, messages, quarantine, downloads, accounts."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _
from sqlalchemy import select

from mailflow.db import models
from mailflow.steps import STEP_NAMES
from web_status import queries as web_queries
from web_status.actions import available_actions
from web_status.auth import admin_only, mailflow_app
from web_status.charts import STACKED, WIDE, bar_chart
from web_status.formatting import number, share
from web_status.i18n import label
from web_status.rawcopy import CannotMask, masked_copy

bp = Blueprint("pages", __name__)


@bp.get("/")
def dashboard() -> str:
    app = mailflow_app()
    with app.sessions() as session:
        data = web_queries.dashboard(session, app.config, app.clock.now())
    dmarc_off = not app.config.procedure.require_dmarc
    return render_template("dashboard.html", data=data, dmarc_off=dmarc_off)


def indicator_charts(indicators: dict[str, Any] | None, threshold: float) -> list[Any]:
    """Each chart twice: wide for desks, stacked for phones (the stylesheet shows one)."""
    if not indicators or not indicators["questions"]:
        return []
    questions = indicators["questions"]
    charts = []
    for layout in (WIDE, STACKED):
        charts.append(
            (
                bar_chart(
                    _("Share of good answers (4 and 5), with 95% interval"),
                    questions,
                    "top2_share",
                    "top2_ci95",
                    0.0,
                    1.0,
                    share,
                    threshold=threshold,
                    threshold_text=_("threshold %(value)s", value=share(threshold)),
                    tick_text=lambda t: share(t),
                    ticks=[0.0, 0.25, 0.5, 0.75, 1.0],
                    layout=layout,
                ),
                bar_chart(
                    _("Mean score on the 1–5 scale, with 95% interval"),
                    questions,
                    "mean",
                    "ci95",
                    1.0,
                    5.0,
                    number,
                    tick_text=lambda t: number(t, 0),
                    ticks=[1.0, 2.0, 3.0, 4.0, 5.0],
                    layout=layout,
                ),
            )
        )
    return charts


@bp.get("/campaigns/<int:year>")
def campaign(year: int) -> str:
    app = mailflow_app()
    with app.sessions() as session:
        data = web_queries.campaign_detail(session, app.config, year, app.clock.now())
    if data is None:
        abort(404)
    charts = indicator_charts(data["indicators"], data["min_top2_share"])
    vendors = [{"key": v.key, "name": v.name} for v in app.config.vendors.values()]
    return render_template(
        "campaign.html",
        c=data,
        charts=charts,
        vendor_choices=vendors,
        actions=available_actions(data["step"], data["status"]),
    )


@bp.get("/messages")
def messages() -> str:
    app = mailflow_app()
    with app.sessions() as session:
        data = web_queries.message_list(session)
    return render_template("messages.html", data=data)


@bp.get("/messages/<int:message_id>")
def message(message_id: int) -> str:
    app = mailflow_app()
    with app.sessions() as session:
        data = web_queries.message_detail(session, app.archive, message_id)
        campaigns = web_queries.campaign_choices(session)
    if data is None:
        abort(404)
    return render_template("message.html", m=data, campaigns=campaigns, steps=STEP_NAMES)


@bp.get("/outbox/<int:outbox_id>")
def outgoing(outbox_id: int) -> str:
    app = mailflow_app()
    with app.sessions() as session:
        data = web_queries.outbox_detail(session, outbox_id)
    if data is None:
        abort(404)
    return render_template("outgoing.html", m=data)


@bp.get("/quarantine")
def quarantine() -> str:
    app = mailflow_app()
    with app.sessions() as session:
        data = web_queries.quarantine(session)
        campaigns = web_queries.campaign_choices(session)
    return render_template("quarantine.html", data=data, campaigns=campaigns, steps=STEP_NAMES)


def safe_filename(name: str, fallback: str) -> str:
    """A download name that cannot disguise itself or climb out of a folder."""
    cleaned = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    cleaned = re.sub(r"[\\/:*?\"<>|]+", "_", cleaned).strip(" .")
    return cleaned[:200] or fallback


def _download(found: web_queries.StoredDownload | None, fallback: str) -> Any:
    if found is None:
        abort(404)
    app = mailflow_app()
    try:
        data = app.archive.get(found.sha256)
    except OSError:
        abort(404)
    # Always a download, never shown inline: an HTML or SVG attachment must not run here.
    return send_file(
        io.BytesIO(data),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=safe_filename(found.filename, fallback),
        max_age=0,
    )


@bp.get("/attachments/<int:attachment_id>")
def attachment(attachment_id: int) -> Any:
    with mailflow_app().sessions() as session:
        found = web_queries.attachment_file(session, attachment_id)
    return _download(found, f"attachment-{attachment_id}")


@bp.get("/documents/<int:document_id>")
def document(document_id: int) -> Any:
    with mailflow_app().sessions() as session:
        found = web_queries.document_file(session, document_id)
    return _download(found, f"document-{document_id}")


@bp.get("/messages/<int:message_id>/raw")
def raw_message(message_id: int) -> Any:
    """A copy with our tokens masked; the archive keeps the original as evidence."""
    app = mailflow_app()
    with app.sessions() as session:
        found = web_queries.raw_message_file(session, message_id)
    if found is None:
        abort(404)
    try:
        data = masked_copy(app.archive.get(found.sha256), app.config.smtp.from_address)
    except (OSError, CannotMask):
        abort(404)
    return send_file(
        io.BytesIO(data),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=f"message-{message_id}.eml",
        max_age=0,
    )


@bp.get("/users")
@admin_only
def users() -> str:
    app = mailflow_app()
    now = app.clock.now()
    with app.sessions() as session:
        rows = [
            {
                "name": u.name,
                "role": u.role,
                "created_at": web_queries.utc(u.created_at),
                "locked": (locked := web_queries.utc(u.locked_until)) is not None and locked > now,
                "failed_logins": u.failed_logins,
            }
            for u in session.scalars(select(models.User).order_by(models.User.name))
        ]
    return render_template(
        "users.html", users=rows, role_label=lambda r: label("role", r), next_url=request.path
    )
