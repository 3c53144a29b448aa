"""What every step uses: the evidence (``record``), deadlines, and telling people things."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow import letters
from mailflow.app import App
from mailflow.clock import warsaw_today
from mailflow.db import models
from mailflow.db.events import add_event
from mailflow.db.statuses import CampaignStatus
from mailflow.errors import PermanentError, UserError
from mailflow.outbox import OutgoingAttachment
from mailflow.procedure.step import Incoming
from mailflow.procedure_mail import send


class NeedsReview(PermanentError):
    """A message mailflow will not act on by itself; it is quarantined for a person."""


def today(app: App) -> date:
    return warsaw_today(app.clock)


def record(
    session: Session,
    app: App,
    campaign: models.Campaign | None,
    action: str,
    actor: str,
    via: str = "system",
    message: models.Message | None = None,
    **details: Any,
) -> models.Event:
    return add_event(
        session,
        app.clock.now(),
        action,
        actor,
        via=via,
        campaign_id=campaign.id if campaign else None,
        step=campaign.step if campaign else None,
        message_id=message.id if message else None,
        message_id_header=message.message_id_header if message else None,
        details=details,
    )


def add_deadline(
    session: Session,
    campaign: models.Campaign,
    kind: str,
    step: int,
    due_at: datetime,
    *,
    remind_at: datetime | None = None,
    escalate_at: datetime | None = None,
    party: str | None = None,
    subject_key: str | None = None,
) -> models.Deadline:
    deadline = models.Deadline(
        campaign_id=campaign.id,
        kind=kind,
        step=step,
        due_at=due_at,
        remind_at=remind_at,
        escalate_at=escalate_at,
        party=party.lower() if party else None,
        subject_key=subject_key,
        details={},
    )
    session.add(deadline)
    return deadline


def close_deadlines(
    session: Session,
    app: App,
    campaign: models.Campaign,
    kind: str,
    subject_key: str | None = None,
    party: str | None = None,
) -> None:
    query = select(models.Deadline).where(
        models.Deadline.campaign_id == campaign.id,
        models.Deadline.kind == kind,
        models.Deadline.done_at.is_(None),
    )
    if subject_key is not None:
        query = query.where(models.Deadline.subject_key == subject_key)
    if party is not None:
        query = query.where(models.Deadline.party == party)
    for deadline in session.scalars(query):
        deadline.done_at = app.clock.now()


def open_deadlines(session: Session, campaign: models.Campaign, kind: str) -> list[models.Deadline]:
    """Deadlines of ``kind`` neither met nor missed yet."""
    return list(
        session.scalars(
            select(models.Deadline).where(
                models.Deadline.campaign_id == campaign.id,
                models.Deadline.kind == kind,
                models.Deadline.done_at.is_(None),
                models.Deadline.missed_at.is_(None),
            )
        )
    )


def tell(
    app: App,
    session: Session,
    campaign: models.Campaign,
    roles: tuple[str, ...],
    letter: letters.Letter,
    code: str = "REA",
    purpose: str = "notice",
) -> None:
    """Send an information-only e-mail to the people holding ``roles``."""
    for role in roles:
        for person in app.config.people_for(role):
            send(
                app,
                session,
                campaign,
                step=campaign.step,
                code=code,
                purpose=purpose,
                to=person.email,
                letter=letter,
                subject_key=role,
            )


def tell_contractor(
    app: App,
    session: Session,
    campaign: models.Campaign,
    step: int,
    letter: letters.Letter,
    attachments: list[OutgoingAttachment] | None = None,
) -> None:
    """Write to the contractor in their thread (REA), where they answer with drafts and files."""
    contractor = app.config.vendors[campaign.contractor_key or ""]
    send(
        app,
        session,
        campaign,
        step=step,
        code="REA",
        purpose="contractor",
        to=contractor.email,
        letter=letter,
        subject_key=campaign.contractor_key,
        attachments=attachments or [],
    )


def tell_coordinator(
    app: App, session: Session, campaign: models.Campaign, title: str, text: str
) -> None:
    tell(app, session, campaign, ("coordinator",), letters.coordinator_notice(title, text))


def confirm_in_thread(
    app: App, session: Session, campaign: models.Campaign, m: Incoming, letter: letters.Letter
) -> None:
    """Answer a person's reply in its own thread, so they see it was understood."""
    send(
        app,
        session,
        campaign,
        step=campaign.step,
        code=m.token.code,
        purpose="confirmation",
        to=m.sender,
        letter=letter,
        in_reply_to=m.message.message_id_header,
    )


def active_campaign(session: Session) -> models.Campaign | None:
    return session.scalars(
        select(models.Campaign)
        .where(models.Campaign.status == CampaignStatus.ACTIVE)
        .order_by(models.Campaign.year.desc())
    ).first()


def campaign_for_year(session: Session, year: int) -> models.Campaign:
    campaign = session.scalar(select(models.Campaign).where(models.Campaign.year == year))
    if campaign is None:
        raise UserError.of("there is no campaign for %(year)s", year=year)
    return campaign


def require_step(campaign: models.Campaign, *steps: int) -> None:
    if campaign.step in steps:
        return
    *earlier, last = (str(s) for s in steps)
    if not earlier:
        raise UserError.of(
            "campaign %(year)s is at step %(step)s; this is possible at step %(allowed)s",
            year=campaign.year,
            step=campaign.step,
            allowed=last,
        )
    # The conjunction is in the template, so the page can say it in its own language.
    raise UserError.of(
        "campaign %(year)s is at step %(step)s; this is possible at step %(allowed)s or %(last)s",
        year=campaign.year,
        step=campaign.step,
        allowed=", ".join(earlier),
        last=last,
    )
