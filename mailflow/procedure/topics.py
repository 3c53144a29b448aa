"""Step 0: the contributors send topics; the coordinator confirms the catalogue of topics.

Arrives: replies to the call for topics (lines in the text or the DOCX form filled in).
Checked: a reply names topics or says BRAK. Sent: the call with its form and a reminder;
the catalogue to the coordinator once everybody answered or the date passed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow import letters, paperwork
from mailflow.app import App
from mailflow.clock import end_of_day, warsaw_date
from mailflow.db import models
from mailflow.db.statuses import ApprovalStatus, CampaignStatus
from mailflow.errors import UserError
from mailflow.outbox import OutgoingAttachment
from mailflow.procedure import inquiry
from mailflow.procedure.approvals import (
    ask_for_decision,
    settle,
    settle_waiting,
    waiting_approval,
)
from mailflow.procedure.common import (
    NeedsReview,
    active_campaign,
    add_deadline,
    close_deadlines,
    open_deadlines,
    record,
    require_step,
    today,
)
from mailflow.procedure.step import Incoming, Reminder, Reply, Ruling, Step
from mailflow.procedure_mail import calendar_invite, docx, send
from mailflow.steps import StepNumber
from mailflow.workdays import add_working_days

CONTRIBUTOR_SOURCES = {
    "bok_manager": "bok",
    "complaints_officer": "complaints",
    "unit_heads": "unit",
}


def start_campaign(
    app: App, session: Session, year: int, actor: str = "system", via: str = "system"
) -> models.Campaign:
    """Open the year's campaign and ask the contributors for topics (IN-13 "Wejście")."""
    _check_can_start(app, session, year)
    campaign = models.Campaign(
        year=year,
        case_ref=f"{app.config.office.case_prefix}.{year}",
        step=StepNumber.TOPICS,
        status=CampaignStatus.ACTIVE,
        started_at=app.clock.now(),
        data={},
    )
    session.add(campaign)
    session.flush()
    record(session, app, campaign, "campaign_started", actor, via)
    _propose_weak_indicators(app, session, campaign)
    reply_by = add_working_days(today(app), app.config.procedure.topics_by_days)
    _call_for_topics(app, session, campaign, reply_by)
    record(session, app, campaign, "topics_requested", actor, via, reply_by=reply_by.isoformat())
    return campaign


def _check_can_start(app: App, session: Session, year: int) -> None:
    this_year = today(app).year
    if not this_year - 1 <= year <= this_year + 1:
        raise UserError.of(
            "a campaign is for this year or the next or last one, not %(year)s", year=year
        )
    if session.scalar(select(models.Campaign).where(models.Campaign.year == year)):
        raise UserError.of("the campaign for %(year)s already exists", year=year)
    running = active_campaign(session)
    if running is not None:
        raise UserError.of(
            "the campaign for %(year)s is still running; finish it first", year=running.year
        )


def _call_for_topics(app: App, session: Session, campaign: models.Campaign, reply_by: date) -> None:
    """Each contributor gets the call with its form and a calendar entry, and a deadline."""
    remind_on = add_working_days(reply_by, -app.config.procedure.reminder_before_days)
    form = paperwork.call_for_topics(app, session, campaign, reply_by, app.config.smtp.from_address)
    for role in CONTRIBUTOR_SOURCES:
        for person in app.config.people_for(role):
            _to_contributor(
                app,
                session,
                campaign,
                person.email,
                role,
                letters.call_for_topics(campaign.year, reply_by),
                attachments=[
                    docx(f"Formularz_zagadnien_{campaign.year}.docx", form),
                    calendar_invite(
                        "Termin zgłoszenia zagadnień (IN-13)",
                        reply_by,
                        f"zag-{campaign.year}-{person.key}@mailflow",
                    ),
                ],
            )
            add_deadline(
                session,
                campaign,
                "topics",
                StepNumber.TOPICS,
                end_of_day(reply_by),
                remind_at=end_of_day(remind_on) - timedelta(hours=12),
                party=person.email,
                subject_key=role,
            )


def _to_contributor(
    app: App,
    session: Session,
    campaign: models.Campaign,
    to: str,
    role: str | None,
    letter: letters.Letter,
    attachments: Sequence[OutgoingAttachment] = (),
) -> None:
    """An e-mail in the contributor's call-for-topics thread (ZAG), where topics come back."""
    send(
        app,
        session,
        campaign,
        step=StepNumber.TOPICS,
        code="ZAG",
        purpose="topics",
        to=to,
        letter=letter,
        subject_key=role,
        attachments=attachments,
    )


def _propose_weak_indicators(app: App, session: Session, campaign: models.Campaign) -> None:
    """Last year's two weakest questions become proposed topics (source: earlier results)."""
    previous = session.scalars(
        select(models.SurveyResult)
        .where(models.SurveyResult.year == campaign.year - 1)
        .order_by(models.SurveyResult.id.desc())
    ).first()
    if previous is None:
        return
    questions = [q for q in previous.report.get("questions", []) if q.get("mean") is not None]
    for q in sorted(questions, key=lambda q: q["mean"])[:2]:
        session.add(
            models.Topic(
                campaign_id=campaign.id,
                title=q["label"],
                source="previous_results",
                discussion=f"W {campaign.year - 1} r. średnia ocena {q['mean']:.2f}".replace(
                    ".", ","
                )
                + f", odsetek ocen 4-5: {q['top2_share'] * 100:.0f}%.",
                contributor=f"badanie {campaign.year - 1}",
            )
        )


def add_topic(
    app: App,
    session: Session,
    campaign: models.Campaign,
    title: str,
    discussion: str,
    actor: str,
    via: str,
) -> str:
    """A topic from the coordinator's own observation, added to the catalogue by hand."""
    session.add(
        models.Topic(
            campaign_id=campaign.id,
            title=title,
            source="own_observation",
            discussion=discussion,
            contributor=None,
        )
    )
    record(session, app, campaign, "topic_added", actor, via, title=title)
    return "Zagadnienie dodane do katalogu."


def _topic_lines(text: str) -> list[str]:
    """Topics written one per line ("- czas oczekiwania", "1. kolejki"); BRAK means none."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        match = re.match(r"^(?:[-*•–]|\d{1,2}[.)])\s+(.{4,300})$", line)
        if match:
            lines.append(match.group(1).strip())
    return lines


def _topic_rows_from_form(data: bytes) -> list[tuple[str, str]]:
    """(topic, justification) rows of the topic form a contributor filled in and sent back.

    The form's table has the columns Lp. | Zagadnienie | Uzasadnienie | Komórka | Pytanie;
    rows whose topic cell is still empty are the blank ones the form was sent with.
    """
    from docx import Document as open_docx

    from mailflow.reading.safety import ReadingLimits, check_zip

    problem = check_zip(data, "formularz.docx", ReadingLimits())
    if problem:
        raise NeedsReview(f"topic form refused: {problem}")
    rows = []
    for table in open_docx(io.BytesIO(data)).tables:
        header = [c.text.strip().lower() for c in table.rows[0].cells]
        if not header or not header[0].startswith("lp") or len(header) < 3:
            continue
        for row in table.rows[1:]:
            cells = [c.text.strip() for c in row.cells]
            if len(cells) >= 3 and len(cells[1]) > 3:
                rows.append((cells[1], cells[2]))
    return rows


def _topics_in(m: Incoming) -> list[tuple[str, str]]:
    text = m.text
    topics = [(line, "") for line in _topic_lines(text)]
    for attachment in m.parsed.attachments:
        if attachment.filename.lower().endswith(".docx") and attachment.data:
            topics += _topic_rows_from_form(attachment.data)
    says_none = re.search(r"\bbrak\b", text, re.IGNORECASE) is not None
    if not topics and not says_none:
        raise NeedsReview("a reply to the call for topics with no topic lines and no BRAK")
    return topics


def on_topics_reply(app: App, session: Session, campaign: models.Campaign, m: Incoming) -> None:
    topics = _topics_in(m)
    source = CONTRIBUTOR_SOURCES.get(m.token.subject_key or "", "unit")
    for title, why in topics:
        session.add(
            models.Topic(
                campaign_id=campaign.id,
                title=title,
                source=source,
                discussion=why,
                contributor=m.sender,
                message_id=m.message.id,
            )
        )
    close_deadlines(session, app, campaign, "topics", party=m.sender)
    record(
        session, app, campaign, "topics_received", m.sender, "email", m.message, count=len(topics)
    )
    send(
        app,
        session,
        campaign,
        step=StepNumber.TOPICS,
        code="ZAG",
        purpose="confirmation",
        to=m.sender,
        letter=letters.topics_received(len(topics)),
        in_reply_to=m.message.message_id_header,
    )
    if not open_deadlines(session, campaign, "topics"):
        send_catalogue(app, session, campaign)


def send_catalogue(app: App, session: Session, campaign: models.Campaign) -> None:
    """The compiled catalogue goes to the coordinator to confirm (by reply or on the page)."""
    data = paperwork.catalogue(app, session, campaign)
    titles = [t.title for t in paperwork.topics_of(session, campaign)]
    ask_for_decision(
        app,
        session,
        campaign,
        "catalogue",
        "coordinator",
        letters.catalogue_for_confirmation(campaign.year, titles),
        step=StepNumber.TOPICS,
        code="ZAG",
        attachments=[docx(f"Katalog_zagadnien_{campaign.year}.docx", data)],
    )
    record(session, app, campaign, "catalogue_sent", "system", topics=len(titles))


def confirm_catalogue(
    app: App,
    session: Session,
    campaign: models.Campaign,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    require_step(campaign, StepNumber.TOPICS)
    if not paperwork.topics_of(session, campaign):
        raise UserError.of("the catalogue has no topics yet")
    settle_waiting(app, session, campaign, "catalogue", ApprovalStatus.APPROVED, message)
    close_deadlines(session, app, campaign, "topics")
    record(session, app, campaign, "catalogue_confirmed", actor, via, message)
    campaign.step = StepNumber.INQUIRY
    inquiry.send_inquiries(app, session, campaign)
    return f"Katalog zagadnień {campaign.year} zatwierdzony; zapytania o cenę wysłane."


def _decide_catalogue(app: App, session: Session, campaign: models.Campaign, r: Ruling) -> str:
    if r.approves:
        return confirm_catalogue(app, session, campaign, r.actor, r.via, r.message)
    settle(app, session, campaign, r, "catalogue_returned")
    return "Katalog zagadnień zwrócony z uwagami."


def _remind(app: App, session: Session, campaign: models.Campaign, d: models.Deadline) -> bool:
    if not d.party:
        return False
    roles = app.config.role_of(d.party)
    letter = letters.topics_reminder(campaign.year, warsaw_date(d.due_at))
    _to_contributor(app, session, campaign, d.party, roles[0] if roles else None, letter)
    return True


def _due(
    app: App, session: Session, campaign: models.Campaign, d: models.Deadline, now: datetime
) -> int:
    """The date passed: the catalogue goes out with whatever arrived."""
    d.missed_at = now
    if (
        campaign.step == StepNumber.TOPICS
        and not open_deadlines(session, campaign, "topics")
        and waiting_approval(session, campaign, "catalogue") is None
    ):
        send_catalogue(app, session, campaign)
    return 1


STEP = Step(
    number=StepNumber.TOPICS,
    replies={"topics": Reply(on_topics_reply)},
    decisions={"catalogue": _decide_catalogue},
    reminders={"topics": Reminder(_remind, only_before_due=True)},
    due={"topics": _due},
)
