"""The procedure's clock: reminders, escalations and deadlines that are due now.

The scheduler calls ``run_due`` (and ``start_yearly_if_due``); each deadline is looked up
in the steps' tables by its kind and handled in its own transaction.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow.app import App
from mailflow.clock import WARSAW, utc
from mailflow.db import models, transaction
from mailflow.procedure import inbox, inquiry
from mailflow.procedure.pipeline import DUE, ESCALATIONS, REMINDERS
from mailflow.procedure.topics import start_campaign


def run_due(app: App) -> int:
    """Reminders, deadlines and escalations that are due now; each in its own transaction."""
    now = app.clock.now()
    with app.sessions() as session:
        due_ids = session.scalars(
            select(models.Deadline.id).where(models.Deadline.done_at.is_(None))
        ).all()
    handled = 0
    for deadline_id in due_ids:
        with transaction(app.sessions) as session:
            handled += _tick_one(app, session, deadline_id, now)
    with transaction(app.sessions) as session:
        handled += inquiry.undelivered_inquiries(app, session)
    with transaction(app.sessions) as session:
        handled += inbox.report_quarantine(app, session)
    return handled


def _tick_one(app: App, session: Session, deadline_id: int, now: datetime) -> int:
    deadline = session.get(models.Deadline, deadline_id)
    if deadline is None or deadline.done_at is not None:
        return 0
    campaign = session.get(models.Campaign, deadline.campaign_id)
    if campaign is None:
        return 0
    return _deadline_tick(app, session, campaign, deadline, now)


def _deadline_tick(
    app: App, session: Session, campaign: models.Campaign, d: models.Deadline, now: datetime
) -> int:
    acted = _remind_if_due(app, session, campaign, d, now)
    escalation = ESCALATIONS.get(d.kind)
    if escalation is not None:
        acted += escalation(app, session, campaign, d, now)
    on_due = DUE.get(d.kind)
    if utc(d.due_at) <= now and d.missed_at is None and on_due is not None:
        acted += on_due(app, session, campaign, d, now)
    return acted


def _remind_if_due(
    app: App, session: Session, campaign: models.Campaign, d: models.Deadline, now: datetime
) -> int:
    if not d.remind_at or d.reminded_at is not None or utc(d.remind_at) > now:
        return 0
    reminder = REMINDERS.get(d.kind)
    # A daemon that was down across both moments goes straight to the deadline for kinds
    # whose reminder says "please answer by <date>"; approvals and audit actions are chased
    # after their date on purpose.
    too_late = reminder is not None and reminder.only_before_due and utc(d.due_at) <= now
    reminded = reminder is not None and not too_late and reminder.send(app, session, campaign, d)
    d.reminded_at = now
    return 1 if reminded else 0


def start_yearly_if_due(app: App) -> models.Campaign | None:
    """On the configured month-day, the year's campaign starts by itself (once)."""
    now_local = app.clock.now().astimezone(WARSAW)
    month, day = (int(x) for x in app.config.procedure.start_on.split("-"))
    if now_local.date() < date(now_local.year, month, day):
        return None
    with transaction(app.sessions) as session:
        if session.scalar(select(models.Campaign).where(models.Campaign.year == now_local.year)):
            return None
        return start_campaign(app, session, now_local.year)
