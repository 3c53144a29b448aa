"""Sending procedure e-mails: one fresh token per e-mail, recorded with the step and party.

The token row says which campaign, step and person an e-mail was for, so a reply carrying it
is matched back, and a reply from anybody else is not trusted on the token alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy.orm import Session

from mailflow import letters
from mailflow.app import App
from mailflow.db import models
from mailflow.outbox import OutgoingAttachment, enqueue
from mailflow.tokens import new_token

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def send(
    app: App,
    session: Session,
    campaign: models.Campaign,
    *,
    step: int,
    code: str,
    purpose: str,
    to: str,
    letter: letters.Letter,
    attachments: Sequence[OutgoingAttachment] = (),
    subject_key: str | None = None,
    cc: Sequence[str] = (),
    in_reply_to: str | None = None,
    token_text: str | None = None,
) -> models.Token:
    """Queue one e-mail (in the caller's transaction) and return its token row.

    ``token_text`` is a token reserved earlier, when a document must quote it.
    """
    now = app.clock.now()
    token = models.Token(
        token=token_text or new_token(),
        campaign_id=campaign.id,
        step=step,
        code=code,
        purpose=purpose,
        party=to.lower(),
        subject_key=subject_key,
        created_at=now,
    )
    session.add(token)
    subject, body = letter
    body = letters.envelope(body, app.config, to, campaign.case_ref)
    enqueue(
        app,
        session,
        to=[to],
        cc=cc,
        subject=subject,
        body=body,
        purpose=purpose,
        code=code,
        token=token.token,
        year=campaign.year,
        campaign_id=campaign.id,
        step=step,
        attachments=attachments,
        in_reply_to=in_reply_to,
        references=[in_reply_to] if in_reply_to else (),
    )
    return token


def docx(filename: str, data: bytes) -> OutgoingAttachment:
    return OutgoingAttachment(filename=filename, content_type=DOCX, data=data)


def calendar_invite(summary: str, day: date, uid: str, description: str = "") -> OutgoingAttachment:
    """An all-day ``.ics`` entry so the deadline lands in the reader's calendar."""
    calendar = Calendar()
    calendar.add("prodid", "-//mailflow//IN-13//PL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", uid)
    entry.add("summary", summary)
    entry.add("description", description)
    entry.add("dtstart", day)
    entry.add("dtend", day + timedelta(days=1))
    entry.add("dtstamp", datetime(2000, 1, 1))
    calendar.add_component(entry)
    return OutgoingAttachment(
        filename="termin.ics", content_type="text/calendar; method=PUBLISH", data=calendar.to_ical()
    )
