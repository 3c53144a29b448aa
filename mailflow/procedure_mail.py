"""Sending procedure e-mails: one fresh token per e-mail, recorded with the step and party.

The token row says which campaign, step and person an e-mail was for, so a reply carrying it
is matched back, and a reply from anybody else is not trusted on the token alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from icalendar import Alarm, Calendar, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar import Event as CalendarEvent
from sqlalchemy.orm import Session

from mailflow import letters
from mailflow.app import App
from mailflow.db import models
from mailflow.documents.formatting import local_time
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


def calendar_invite(
    summary: str, when: date | datetime, uid: str, description: str = ""
) -> OutgoingAttachment:
    """A ``.ics`` entry so the deadline lands in the reader's calendar, with a reminder.

    A moment (``datetime``; naive means UTC, as stored) becomes a timed entry on the
    office's clock, ``TZID=Europe/Warsaw`` with its ``VTIMEZONE``, so it shows 12:00 wherever
    the reader's calendar is set; a ``date`` stays an all-day entry. Either way a ``VALARM``
    reminds the reader a day before.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//mailflow//IN-13//PL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", uid)
    entry.add("summary", summary)
    entry.add("description", description)
    timed = isinstance(when, datetime)
    if isinstance(when, datetime):
        moment = local_time(when)
        if moment.fold:
            # The second 02:30 of the night the clocks go back: a wall-clock time with TZID
            # means the first one (RFC 5545), so this one is written in UTC instead.
            moment = moment.astimezone(UTC)
        entry.add("dtstart", moment)
        entry.add("dtend", moment)  # a deadline is a moment, not a stretch of time
    else:
        entry.add("dtstart", when)
        entry.add("dtend", when + timedelta(days=1))
    entry.add("dtstamp", datetime(2000, 1, 1, tzinfo=UTC))
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(days=-1))
    entry.add_component(alarm)
    if timed:
        calendar.add_component(_warsaw_timezone())
    calendar.add_component(entry)
    return OutgoingAttachment(
        filename="termin.ics", content_type="text/calendar; method=PUBLISH", data=calendar.to_ical()
    )


def _warsaw_timezone() -> Timezone:
    """Europe/Warsaw as calendar programs write it: the EU rule (last Sunday of March and
    October), valid for every year, rather than a list of past transitions."""
    zone = Timezone()
    zone.add("tzid", "Europe/Warsaw")
    for part, name, start, before, after, month in (
        (TimezoneDaylight(), "CEST", datetime(1970, 3, 29, 2, 0), 1, 2, 3),
        (TimezoneStandard(), "CET", datetime(1970, 10, 25, 3, 0), 2, 1, 10),
    ):
        part.add("tzname", name)
        part.add("dtstart", start)
        part.add("tzoffsetfrom", timedelta(hours=before))
        part.add("tzoffsetto", timedelta(hours=after))
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        zone.add_component(part)
    return zone
