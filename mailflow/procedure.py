"""IN-13, "Badanie jakości usług": the yearly customer-satisfaction survey, step by step.

Read this module top to bottom to follow the instruction:

  0. Topics        - ask the BOK manager, complaints officer and unit heads for topics;
                     the coordinator confirms the catalogue.
  1. Price inquiry - ask at least 3 survey firms; read quotes, chase, compare; the OS
                     manager gets the comparison; the coordinator starts procurement.
  2. Contract      - record the contractor; the catalogue goes to them; mid-June term.
  3. Questionnaire - the contractor's draft is accepted or returned; survey date fixed.
  4. Monitoring    - progress reports, warnings, a weekly digest.
  5. Results       - indicators from the data file; the memo goes coordinator -> OS manager
                     -> Plenipotentiary -> Mayor, each approving or returning it.
  6. Audit         - irregularities lead to an audit order and tracked actions.
  7. Publication   - published the way the Plenipotentiary decides.

Each step is driven by e-mail replies (``handle_message``, called by intake for every message
of ours), by the clock (``run_due``, called by the scheduler) or by a person on the status page
or CLI (the public functions below, which record exactly what a reply would). Every action is
an ``Event`` row: who, when, from which message or page. Nothing is deleted.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow import letters, paperwork
from mailflow.app import App
from mailflow.db import models, transaction
from mailflow.errors import PermanentError, UserError
from mailflow.outbox import OutgoingAttachment
from mailflow.procedure_mail import calendar_invite, docx, send
from mailflow.reading.kinds import DATA_FILE, read_decision
from mailflow.tokens import new_token
from mailflow.workdays import add_working_days

WARSAW = ZoneInfo("Europe/Warsaw")
STEP_TOPICS, STEP_INQUIRY, STEP_CONTRACT, STEP_QUESTIONNAIRE = 0, 1, 2, 3
STEP_MONITORING, STEP_RESULTS, STEP_AUDIT, STEP_PUBLICATION = 4, 5, 6, 7
CONTRIBUTOR_SOURCES = {
    "bok_manager": "bok",
    "complaints_officer": "complaints",
    "unit_heads": "unit",
}
MEMO_CHAIN = ("coordinator", "os_manager", "plenipotentiary", "mayor")
ROLE_NAMES = {
    "coordinator": "koordynator (OS)",
    "os_manager": "Kierownik OS",
    "plenipotentiary": "Pełnomocnik ds. ZSZ",
    "mayor": "Prezydent Miasta",
}
# Deadlines whose reminder is pointless once the deadline itself has passed.
REMIND_ONLY_BEFORE_DUE = ("topics", "offers")
PUBLICATION_PLACES = {
    "bip": "BIP",
    "strona": "strona internetowa Urzędu",
    "intranet": "intranet",
    "brak": "bez publikacji",
}
# Stems, because Polish inflects: "na stronie", "w intranecie", "bez publikacji".
PUBLICATION_WORDS = {
    "bip": r"\bbip\b",
    "strona": r"\bstron(a|ie|ę|y)\b|\bwww\b",
    "intranet": r"\bintrane(t|cie)\w*",
    "brak": r"\bbrak\b|\bbez publikacji\b|\bnie publikowa",
}


class NeedsReview(PermanentError):
    """A message mailflow will not act on by itself; it is quarantined for a person."""


# ----------------------------------------------------------------------- shared helpers


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def today(app: App) -> date:
    return app.clock.now().astimezone(WARSAW).date()


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59), WARSAW).astimezone(UTC)


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
    event = models.Event(
        campaign_id=campaign.id if campaign else None,
        at=app.clock.now(),
        step=campaign.step if campaign else None,
        action=action,
        actor=actor,
        via=via,
        message_id=message.id if message else None,
        message_id_header=message.message_id_header if message else None,
        details=details,
    )
    session.add(event)
    return event


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


def active_campaign(session: Session) -> models.Campaign | None:
    return session.scalars(
        select(models.Campaign)
        .where(models.Campaign.status == "active")
        .order_by(models.Campaign.year.desc())
    ).first()


def campaign_for_year(session: Session, year: int) -> models.Campaign:
    campaign = session.scalar(select(models.Campaign).where(models.Campaign.year == year))
    if campaign is None:
        raise UserError.of("there is no campaign for %(year)s", year=year)
    return campaign


def require_step(campaign: models.Campaign, *steps: int) -> None:
    if campaign.step not in steps:
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
            "campaign %(year)s is at step %(step)s; this is possible at step %(allowed)s "
            "or %(last)s",
            year=campaign.year,
            step=campaign.step,
            allowed=", ".join(earlier),
            last=last,
        )


# ----------------------------------------------------------- 0. topics and the catalogue


def start_campaign(
    app: App, session: Session, year: int, actor: str = "system", via: str = "system"
) -> models.Campaign:
    """Open the year's campaign and ask the contributors for topics (IN-13 "Wejście")."""
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
    campaign = models.Campaign(
        year=year,
        case_ref=f"{app.config.office.case_prefix}.{year}",
        step=STEP_TOPICS,
        status="active",
        started_at=app.clock.now(),
        data={},
    )
    session.add(campaign)
    session.flush()
    record(session, app, campaign, "campaign_started", actor, via)
    _propose_weak_indicators(app, session, campaign)
    reply_by = add_working_days(today(app), app.config.procedure.topics_by_days)
    remind_on = add_working_days(reply_by, -app.config.procedure.reminder_before_days)
    own = app.config.smtp.from_address
    form = paperwork.call_for_topics(app, session, campaign, reply_by, own)
    for role in CONTRIBUTOR_SOURCES:
        for person in app.config.people_for(role):
            send(
                app,
                session,
                campaign,
                step=STEP_TOPICS,
                code="ZAG",
                purpose="topics",
                to=person.email,
                letter=letters.call_for_topics(year, reply_by),
                subject_key=role,
                attachments=[
                    docx(f"Formularz_zagadnien_{year}.docx", form),
                    calendar_invite(
                        "Termin zgłoszenia zagadnień (IN-13)",
                        reply_by,
                        f"zag-{year}-{person.key}@mailflow",
                    ),
                ],
            )
            add_deadline(
                session,
                campaign,
                "topics",
                STEP_TOPICS,
                end_of_day(reply_by),
                remind_at=end_of_day(remind_on) - timedelta(hours=12),
                party=person.email,
                subject_key=role,
            )
    record(session, app, campaign, "topics_requested", actor, via, reply_by=reply_by.isoformat())
    return campaign


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
    import io

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


def on_topics_reply(
    app: App,
    session: Session,
    campaign: models.Campaign,
    token: models.Token,
    message: models.Message,
    parsed: Any,
    sender: str,
) -> None:
    text = parsed.reply.new_text if parsed.reply else ""
    topics = [(line, "") for line in _topic_lines(text)]
    for attachment in parsed.attachments:
        if attachment.filename.lower().endswith(".docx") and attachment.data:
            topics += _topic_rows_from_form(attachment.data)
    says_none = re.search(r"\bbrak\b", text, re.IGNORECASE) is not None
    if not topics and not says_none:
        raise NeedsReview("a reply to the call for topics with no topic lines and no BRAK")
    source = CONTRIBUTOR_SOURCES.get(token.subject_key or "", "unit")
    for title, why in topics:
        session.add(
            models.Topic(
                campaign_id=campaign.id,
                title=title,
                source=source,
                discussion=why,
                contributor=sender,
                message_id=message.id,
            )
        )
    titles = [title for title, _ in topics]
    close_deadlines(session, app, campaign, "topics", party=sender)
    record(session, app, campaign, "topics_received", sender, "email", message, count=len(titles))
    send(
        app,
        session,
        campaign,
        step=STEP_TOPICS,
        code="ZAG",
        purpose="confirmation",
        to=sender,
        letter=letters.topics_received(len(titles)),
        in_reply_to=message.message_id_header,
    )
    if not _open_deadlines(session, campaign, "topics"):
        send_catalogue(app, session, campaign)


def send_catalogue(app: App, session: Session, campaign: models.Campaign) -> None:
    """The compiled catalogue goes to the coordinator to confirm (by reply or on the page)."""
    data = paperwork.catalogue(app, session, campaign)
    coordinator = app.config.person_for("coordinator")
    titles = [t.title for t in paperwork.topics_of(session, campaign)]
    token = send(
        app,
        session,
        campaign,
        step=STEP_TOPICS,
        code="ZAG",
        purpose="catalogue",
        to=coordinator.email,
        letter=letters.catalogue_for_confirmation(campaign.year, titles),
        attachments=[docx(f"Katalog_zagadnien_{campaign.year}.docx", data)],
    )
    _open_approval(
        app, session, campaign, "catalogue", 0, "coordinator", coordinator.email, token.token
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
    require_step(campaign, STEP_TOPICS)
    if not paperwork.topics_of(session, campaign):
        raise UserError.of("the catalogue has no topics yet")
    _decide_open_approval(app, session, campaign, "catalogue", "approved", actor, message)
    close_deadlines(session, app, campaign, "topics")
    record(session, app, campaign, "catalogue_confirmed", actor, via, message)
    campaign.step = STEP_INQUIRY
    send_inquiries(app, session, campaign)
    return f"Katalog zagadnień {campaign.year} zatwierdzony; zapytania o cenę wysłane."


# ------------------------------------------------------------------ 1. price inquiries


def send_inquiries(
    app: App, session: Session, campaign: models.Campaign, vendor_keys: list[str] | None = None
) -> None:
    """One price inquiry (letter + offer form + deadline) per survey firm."""
    keys = vendor_keys if vendor_keys is not None else list(app.config.vendors)
    if vendor_keys is None and len(keys) < app.config.procedure.min_vendors:
        raise UserError.of(
            "IN-13 asks at least %(needed)s survey firms; %(configured)s are configured",
            needed=app.config.procedure.min_vendors,
            configured=len(keys),
        )
    deadline = _offers_deadline(app, session, campaign)
    remind_on = add_working_days(
        deadline.astimezone(WARSAW).date(), -app.config.procedure.reminder_before_days
    )
    for key in keys:
        vendor = app.config.vendors[key]
        token_text = new_token()  # reserved now: the letter itself quotes the reply address
        tag = f"[IN13-{campaign.year}-ZO-{token_text}]"
        reply_to = app.config.smtp.from_address.replace("@", f"+{token_text}@", 1)
        letter_docx, form_docx = paperwork.price_inquiry(
            app, session, campaign, vendor, deadline, reply_to, tag
        )
        token = send(
            app,
            session,
            campaign,
            step=STEP_INQUIRY,
            code="ZO",
            purpose="inquiry",
            to=vendor.email,
            letter=letters.price_inquiry(campaign.year, deadline.astimezone(WARSAW), vendor.name),
            subject_key=key,
            attachments=[
                docx(f"Zapytanie_o_cene_{campaign.year}.docx", letter_docx),
                docx(f"Formularz_ofertowy_{campaign.case_ref}.docx", form_docx),
                calendar_invite(
                    "Termin składania ofert (IN-13)",
                    deadline.astimezone(WARSAW).date(),
                    f"zo-{campaign.year}-{key}@mailflow",
                ),
            ],
            token_text=token_text,
        )
        session.add(
            models.Inquiry(
                campaign_id=campaign.id,
                vendor_key=key,
                vendor_email=vendor.email.lower(),
                token=token.token,
                status="sent",
                sent_at=app.clock.now(),
            )
        )
        add_deadline(
            session,
            campaign,
            "offers",
            STEP_INQUIRY,
            deadline,
            remind_at=end_of_day(remind_on) - timedelta(hours=12),
            party=vendor.email,
            subject_key=key,
        )
        record(session, app, campaign, "inquiry_sent", "system", vendor=key, token=token.token)


def _offers_deadline(app: App, session: Session, campaign: models.Campaign) -> datetime:
    """The offer deadline already set for the campaign, or a new one N working days ahead."""
    existing = campaign.data.get("offers_deadline")
    if existing:
        return utc(datetime.fromisoformat(existing))
    day = add_working_days(today(app), app.config.procedure.offers_by_days)
    hour, minute = (int(x) for x in app.config.procedure.offer_deadline_hour.split(":"))
    deadline = datetime.combine(day, time(hour, minute), WARSAW).astimezone(UTC)
    campaign.data = {**campaign.data, "offers_deadline": deadline.isoformat()}
    return deadline


def add_vendor(
    app: App, session: Session, campaign: models.Campaign, vendor_key: str, actor: str, via: str
) -> str:
    """Ask one more configured firm, e.g. after a bounce or a decline."""
    require_step(campaign, STEP_INQUIRY)
    if vendor_key not in app.config.vendors:
        raise UserError.of("%(vendor)r is not a vendor in the configuration", vendor=vendor_key)
    if session.scalar(
        select(models.Inquiry).where(
            models.Inquiry.campaign_id == campaign.id, models.Inquiry.vendor_key == vendor_key
        )
    ):
        raise UserError.of("%(vendor)s has already been asked", vendor=vendor_key)
    campaign.data = {**campaign.data, "offers_deadline": None}
    send_inquiries(app, session, campaign, [vendor_key])
    record(session, app, campaign, "vendor_added", actor, via, vendor=vendor_key)
    return f"Zapytanie o cenę wysłane do {app.config.vendors[vendor_key].name}."


def on_inquiry_reply(
    app: App,
    session: Session,
    campaign: models.Campaign,
    token: models.Token,
    message: models.Message,
    parsed: Any,
    sender: str,
) -> None:
    inquiry = session.scalar(
        select(models.Inquiry).where(
            models.Inquiry.campaign_id == campaign.id,
            models.Inquiry.vendor_key == token.subject_key,
        )
    )
    if inquiry is None:
        raise NeedsReview(f"no inquiry to {token.subject_key} in campaign {campaign.year}")
    if parsed.kind == "quote" and parsed.quote is not None:
        _record_quote(app, session, campaign, inquiry, message, parsed, sender)
    elif parsed.kind == "decline":
        inquiry.status, inquiry.answered_at = "declined", app.clock.now()
        close_deadlines(session, app, campaign, "offers", inquiry.vendor_key)
        record(
            session,
            app,
            campaign,
            "inquiry_declined",
            sender,
            "email",
            message,
            vendor=inquiry.vendor_key,
        )
        send(
            app,
            session,
            campaign,
            step=STEP_INQUIRY,
            code="ZO",
            purpose="inquiry",
            to=sender,
            subject_key=inquiry.vendor_key,
            letter=letters.decline_received(),
            in_reply_to=message.message_id_header,
        )
        _ask_for_more_vendors(
            app, session, campaign, f"{inquiry.vendor_key} odmówił złożenia oferty"
        )
    elif parsed.kind == "question":
        inquiry.status = "question"
        text = parsed.reply.new_text if parsed.reply else ""
        record(
            session,
            app,
            campaign,
            "vendor_question",
            sender,
            "email",
            message,
            vendor=inquiry.vendor_key,
        )
        tell_coordinator(
            app,
            session,
            campaign,
            f"Pytanie od wykonawcy: {inquiry.vendor_key}",
            f"{sender} pyta w sprawie zapytania o cenę:\n\n{text}\n\n"
            "Proszę odpowiedzieć wykonawcy bezpośrednio.",
        )
    else:
        raise NeedsReview(
            f"a reply to the price inquiry read as {parsed.kind!r}: "
            + "; ".join(parsed.reasons[:3])
        )
    _compare_if_complete(app, session, campaign)


def _record_quote(
    app: App,
    session: Session,
    campaign: models.Campaign,
    inquiry: models.Inquiry,
    message: models.Message,
    parsed: Any,
    sender: str,
) -> None:
    q = parsed.quote
    deadline = _offers_deadline(app, session, campaign)
    late = app.clock.now() > deadline
    earlier = paperwork.current_quotes(session, campaign).get(inquiry.vendor_key)
    row = models.QuoteRecord(
        campaign_id=campaign.id,
        vendor_key=inquiry.vendor_key,
        message_id=message.id,
        received_at=app.clock.now(),
        net=q.net,
        gross=q.gross,
        vat_rate=q.vat_rate,
        currency=q.currency,
        vendor_nip=q.vendor_nip,
        valid_until=date.fromisoformat(q.valid_until) if q.valid_until else None,
        source=q.source,
        needs_review=parsed.needs_review,
        late=late,
    )
    session.add(row)
    session.flush()
    if earlier is not None:
        earlier.superseded_by_id = row.id  # a correction supersedes, the old row stays
    inquiry.status, inquiry.answered_at = ("late" if late else "answered"), app.clock.now()
    close_deadlines(session, app, campaign, "offers", inquiry.vendor_key)
    record(
        session,
        app,
        campaign,
        "quote_corrected" if earlier else "quote_received",
        sender,
        "email",
        message,
        vendor=inquiry.vendor_key,
        net=str(q.net),
        gross=str(q.gross),
        late=late,
        needs_review=parsed.needs_review,
        source=q.source,
    )
    send(
        app,
        session,
        campaign,
        step=STEP_INQUIRY,
        code="ZO",
        purpose="inquiry",
        to=sender,
        subject_key=inquiry.vendor_key,
        letter=letters.quote_received(letters.money(q.net), letters.money(q.gross), late),
        in_reply_to=message.message_id_header,
    )
    if late:
        # Not in the comparison on its own: a person decides whether a late offer counts.
        tell_coordinator(
            app,
            session,
            campaign,
            f"Oferta po terminie: {inquiry.vendor_key}",
            f"Oferta {inquiry.vendor_email} wpłynęła po terminie składania ofert "
            f"(cena netto {letters.money(q.net)}). Została zarejestrowana jako spóźniona.",
        )
    if parsed.needs_review:
        tell_coordinator(
            app,
            session,
            campaign,
            f"Oferta do sprawdzenia: {inquiry.vendor_key}",
            "Oferty nie udało się odczytać jednoznacznie: "
            + "; ".join(parsed.reasons)
            + "\nProszę sprawdzić ją na stronie statusu.",
        )


def on_bounce(app: App, session: Session, message: models.Message, parsed: Any) -> None:
    token = session.get(models.Token, parsed.token) if parsed.token else None
    campaign = (
        session.get(models.Campaign, token.campaign_id)
        if token and token.campaign_id
        else active_campaign(session)
    )
    recipient = parsed.bounce.recipient if parsed.bounce else None
    permanent = bool(parsed.bounce and parsed.bounce.permanent)
    record(
        session,
        app,
        campaign,
        "bounce_received",
        "mailer-daemon",
        "email",
        message,
        recipient=recipient,
        permanent=permanent,
        token=token.token if token else None,
    )
    if campaign is None or not permanent:
        return  # a delay notice: the server is still trying
    if token is not None and token.purpose == "inquiry":
        inquiry = session.scalar(
            select(models.Inquiry).where(
                models.Inquiry.campaign_id == campaign.id,
                models.Inquiry.vendor_key == token.subject_key,
            )
        )
        if inquiry is not None:
            inquiry.status = "bounced"
            close_deadlines(session, app, campaign, "offers", inquiry.vendor_key)
            _ask_for_more_vendors(
                app, session, campaign, f"zapytanie do {recipient} nie zostało doręczone"
            )
            _compare_if_complete(app, session, campaign)
            return
    tell_coordinator(
        app,
        session,
        campaign,
        "Wiadomość niedoręczona",
        f"Wiadomość do {recipient} nie została doręczona "
        f"({parsed.bounce.status if parsed.bounce else '?'}).",
    )


def _valid_inquiries(session: Session, campaign: models.Campaign) -> list[models.Inquiry]:
    return [
        i
        for i in session.scalars(
            select(models.Inquiry).where(models.Inquiry.campaign_id == campaign.id)
        )
        if i.status not in ("bounced", "declined")
    ]


def _ask_for_more_vendors(app: App, session: Session, campaign: models.Campaign, why: str) -> None:
    valid = len(_valid_inquiries(session, campaign))
    needed = app.config.procedure.min_vendors
    if valid >= needed:
        return
    asked = {
        i.vendor_key
        for i in session.scalars(
            select(models.Inquiry).where(models.Inquiry.campaign_id == campaign.id)
        )
    }
    spare = [k for k in app.config.vendors if k not in asked]
    hint = (
        f"Skonfigurowani, jeszcze niepytani: {', '.join(spare)} – wyślij: "
        f"`mailflow campaign add-vendor {campaign.year} KLUCZ`."
        if spare
        else "Dodaj firmę w konfiguracji ([vendors]) i wyślij jej zapytanie."
    )
    tell_coordinator(
        app,
        session,
        campaign,
        "Potrzebna kolejna firma badawcza",
        f"{why}. Ważne zapytania: {valid}, IN-13 wymaga co najmniej {needed}.\n{hint}",
    )


def _compare_if_complete(app: App, session: Session, campaign: models.Campaign) -> None:
    """When every asked firm has answered, the comparison need not wait for the deadline."""
    if campaign.data.get("comparison_sent"):
        return
    inquiries = list(
        session.scalars(select(models.Inquiry).where(models.Inquiry.campaign_id == campaign.id))
    )
    if (
        inquiries
        and all(i.status in ("answered", "late", "declined", "bounced") for i in inquiries)
        and len(_valid_inquiries(session, campaign)) >= app.config.procedure.min_vendors
    ):
        send_comparison(app, session, campaign)


def _current_quotes(session: Session, campaign: models.Campaign) -> list[models.QuoteRecord]:
    return list(
        session.scalars(
            select(models.QuoteRecord).where(
                models.QuoteRecord.campaign_id == campaign.id,
                models.QuoteRecord.superseded_by_id.is_(None),
            )
        )
    )


def _no_offers_at_deadline(app: App, session: Session, campaign: models.Campaign) -> None:
    """A comparison of nothing helps nobody: the coordinator decides what to do instead."""
    tell_coordinator(
        app,
        session,
        campaign,
        "Brak ofert w terminie",
        f"Do terminu składania ofert nie wpłynęła żadna oferta w badaniu {campaign.year}. "
        "Proszę dodać firmy badawcze (mailflow campaign add-vendor KLUCZ albo strona statusu); "
        "zestawienie ofert zostanie wysłane po nowym terminie.",
    )
    record(session, app, campaign, "offers_missing", "system")


def send_comparison(app: App, session: Session, campaign: models.Campaign) -> None:
    """Zestawienie ofert to the OS manager (IN-13: "przekazuje powyższe Kierownikowi OS")."""
    data, value, offers = paperwork.comparison(app, session, campaign)
    manager = app.config.person_for("os_manager")
    token = send(
        app,
        session,
        campaign,
        step=STEP_INQUIRY,
        code="POR",
        purpose="comparison",
        to=manager.email,
        letter=letters.comparison_for_manager(campaign.year, offers, letters.money(value)),
        attachments=[docx(f"Zestawienie_ofert_{campaign.year}.docx", data)],
    )
    _open_approval(
        app, session, campaign, "comparison", 0, "os_manager", manager.email, token.token
    )
    campaign.data = {
        **campaign.data,
        "comparison_sent": app.clock.now().isoformat(),
        "estimated_value_net": str(value),
    }
    close_deadlines(session, app, campaign, "offers")
    record(
        session,
        app,
        campaign,
        "comparison_sent",
        "system",
        offers=offers,
        estimated_value_net=str(value),
    )


def mark_procurement_started(
    app: App,
    session: Session,
    campaign: models.Campaign,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    require_step(campaign, STEP_INQUIRY)
    if not campaign.data.get("comparison_sent"):
        raise UserError.of("the quote comparison has not gone to the OS manager yet")
    campaign.data = {**campaign.data, "procurement_started": today(app).isoformat()}
    record(session, app, campaign, "procurement_started", actor, via, message)
    return f"Zarejestrowano uruchomienie procedury zamówienia ({today(app).isoformat()})."


# ------------------------------------------------------------------------- 2. contract


def record_contract(
    app: App,
    session: Session,
    campaign: models.Campaign,
    contractor_key: str,
    contract_number: str,
    survey_term: date,
    justification: str | None,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    """The signed contract: the catalogue goes to the contractor, the term is tracked."""
    require_step(campaign, STEP_INQUIRY, STEP_CONTRACT)
    if contractor_key not in app.config.vendors:
        raise UserError.of("%(vendor)r is not a vendor in the configuration", vendor=contractor_key)
    if not contract_number.strip():
        raise UserError.of("the contract number is empty")
    limit = paperwork.contract_by(app, campaign)
    if survey_term > limit and not (justification or "").strip():
        raise UserError.of(
            "the survey term %(term)s is after %(limit)s (IN-13: mid-June); "
            "record the justification for the change",
            term=survey_term.isoformat(),
            limit=limit.isoformat(),
        )
    campaign.contractor_key, campaign.contract_number, campaign.survey_term = (
        contractor_key,
        contract_number,
        survey_term,
    )
    campaign.data = {**campaign.data, "term_justification": justification or ""}
    campaign.step = STEP_CONTRACT
    record(
        session,
        app,
        campaign,
        "contract_recorded",
        actor,
        via,
        message,
        contractor=contractor_key,
        contract_number=contract_number,
        survey_term=survey_term.isoformat(),
        justification=justification,
    )
    contractor = app.config.vendors[contractor_key]
    letter_docx = paperwork.letter_to_contractor(app, session, campaign)
    catalogue_docx = paperwork.catalogue(app, session, campaign)
    tell_contractor(
        app,
        session,
        campaign,
        STEP_CONTRACT,
        letters.catalogue_to_contractor(campaign.year, survey_term, contract_number),
        [
            docx(f"Pismo_do_wykonawcy_{campaign.year}.docx", letter_docx),
            docx(f"Katalog_zagadnien_{campaign.year}.docx", catalogue_docx),
            calendar_invite("Termin badania (IN-13)", survey_term, f"rea-{campaign.year}@mailflow"),
        ],
    )
    add_deadline(session, campaign, "survey_term", STEP_QUESTIONNAIRE, end_of_day(survey_term))
    campaign.step = STEP_QUESTIONNAIRE
    return f"Umowa {contract_number} z {contractor.name} zarejestrowana; katalog wysłany wykonawcy."


# -------------------------------------------------------------------- 3. questionnaire


def on_contractor_message(
    app: App,
    session: Session,
    campaign: models.Campaign,
    token: models.Token,
    message: models.Message,
    parsed: Any,
    sender: str,
) -> None:
    """Whatever the contractor sends: a draft questionnaire, progress, results or a question."""
    if parsed.kind == "results" or any(DATA_FILE.search(a.filename) for a in parsed.attachments):
        on_results(app, session, campaign, message, parsed, sender)
    elif parsed.kind == "progress" and parsed.progress is not None:
        on_progress(app, session, campaign, message, parsed, sender)
    elif campaign.step == STEP_QUESTIONNAIRE and parsed.attachments:
        route_questionnaire(app, session, campaign, message, parsed, sender)
    elif parsed.kind == "question":
        text = parsed.reply.new_text if parsed.reply else ""
        record(session, app, campaign, "contractor_question", sender, "email", message)
        tell_coordinator(
            app, session, campaign, "Pytanie od wykonawcy badania", f"{sender} pisze:\n\n{text}"
        )
    else:
        raise NeedsReview(
            f"a message from the contractor read as {parsed.kind!r} at step {campaign.step}"
        )


def route_questionnaire(
    app: App,
    session: Session,
    campaign: models.Campaign,
    message: models.Message,
    parsed: Any,
    sender: str,
) -> None:
    round_no = 1 + int(campaign.data.get("questionnaire_rounds", 0))
    campaign.data = {
        **campaign.data,
        "questionnaire_rounds": round_no,
        "questionnaire_message": message.id,
    }
    coordinator = app.config.person_for("coordinator")
    attachments = [docx(a.filename, a.data) for a in parsed.attachments if a.data]
    token = send(
        app,
        session,
        campaign,
        step=STEP_QUESTIONNAIRE,
        code="KW",
        purpose="questionnaire",
        to=coordinator.email,
        letter=letters.questionnaire_for_acceptance(campaign.year, round_no),
        attachments=attachments,
    )
    _open_approval(
        app,
        session,
        campaign,
        "questionnaire",
        0,
        "coordinator",
        coordinator.email,
        token.token,
        round_no=round_no,
    )
    record(
        session, app, campaign, "questionnaire_received", sender, "email", message, round=round_no
    )


def accept_questionnaire(
    app: App,
    session: Session,
    campaign: models.Campaign,
    actor: str,
    via: str,
    message: models.Message | None = None,
    survey_date: date | None = None,
) -> str:
    require_step(campaign, STEP_QUESTIONNAIRE)
    if not campaign.data.get("questionnaire_message"):
        raise UserError.of("the contractor has not sent a questionnaire yet")
    exact = survey_date or campaign.survey_term or paperwork.survey_by(app, campaign)
    if exact > paperwork.survey_by(app, campaign) and not campaign.data.get("term_justification"):
        raise UserError.of(
            "the survey date %(date)s is after the end of June; "
            "record a justification with the contract first",
            date=exact.isoformat(),
        )
    _decide_open_approval(app, session, campaign, "questionnaire", "approved", actor, message)
    campaign.survey_date = exact
    draft = session.get(models.Message, campaign.data["questionnaire_message"])
    attachments = _attachments_of(app, session, draft) if draft else []
    tell_contractor(
        app,
        session,
        campaign,
        STEP_QUESTIONNAIRE,
        letters.questionnaire_accepted(exact),
        [
            *attachments,
            calendar_invite("Termin badania (IN-13)", exact, f"kw-{campaign.year}@mailflow"),
        ],
    )
    record(
        session,
        app,
        campaign,
        "questionnaire_accepted",
        actor,
        via,
        message,
        survey_date=exact.isoformat(),
    )
    campaign.step = STEP_MONITORING
    # The weekly digest covers the fieldwork, not the months before it: it starts four weeks
    # before the survey date (and not sooner than a week from now).
    first_digest = max(app.clock.now() + timedelta(days=7), end_of_day(exact - timedelta(days=28)))
    add_deadline(session, campaign, "digest", STEP_MONITORING, first_digest)
    return f"Kwestionariusz zaakceptowany; termin badania {exact.isoformat()} przekazany wykonawcy."


def return_questionnaire(
    app: App,
    session: Session,
    campaign: models.Campaign,
    comment: str,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    require_step(campaign, STEP_QUESTIONNAIRE)
    _decide_open_approval(
        app, session, campaign, "questionnaire", "returned", actor, message, comment
    )
    tell_contractor(
        app, session, campaign, STEP_QUESTIONNAIRE, letters.questionnaire_returned(comment)
    )
    record(session, app, campaign, "questionnaire_returned", actor, via, message, comment=comment)
    return "Uwagi do kwestionariusza przekazane wykonawcy."


def _attachments_of(
    app: App, session: Session, message: models.Message
) -> list[OutgoingAttachment]:
    rows = session.scalars(
        select(models.Attachment).where(models.Attachment.message_id == message.id)
    )
    return [OutgoingAttachment(r.filename, r.content_type, app.archive.get(r.sha256)) for r in rows]


# ----------------------------------------------------------------------- 4. monitoring


def on_progress(
    app: App,
    session: Session,
    campaign: models.Campaign,
    message: models.Message,
    parsed: Any,
    sender: str,
) -> None:
    done, target = parsed.progress.done, parsed.progress.target or app.config.procedure.sample_size
    session.add(
        models.ProgressReport(
            campaign_id=campaign.id,
            reported_at=app.clock.now(),
            done=done,
            target=target,
            message_id=message.id,
        )
    )
    record(
        session,
        app,
        campaign,
        "progress_reported",
        sender,
        "email",
        message,
        done=done,
        target=target,
    )
    expected = _expected_progress(app, campaign, target)
    if done < expected:
        tell(
            app,
            session,
            campaign,
            ("coordinator", "os_manager", "bok_manager"),
            letters.behind_schedule(
                done, target, expected, campaign.survey_date or paperwork.survey_by(app, campaign)
            ),
        )
        record(
            session,
            app,
            campaign,
            "behind_schedule_warning",
            "system",
            done=done,
            expected=expected,
        )


def _expected_progress(app: App, campaign: models.Campaign, target: int) -> int:
    """Interviews due by now at an even pace from acceptance to the survey date (80% slack)."""
    accepted = next(
        (utc(e.at) for e in reversed(campaign.events) if e.action == "questionnaire_accepted"), None
    )
    end = campaign.survey_date
    if accepted is None or end is None:
        return 0
    total = (end_of_day(end) - accepted).total_seconds()
    elapsed = (app.clock.now() - accepted).total_seconds()
    if total <= 0:
        return target
    return int(target * min(1.0, max(0.0, elapsed / total)) * 0.8)


def send_digest(app: App, session: Session, campaign: models.Campaign) -> None:
    last = session.scalars(
        select(models.ProgressReport)
        .where(models.ProgressReport.campaign_id == campaign.id)
        .order_by(models.ProgressReport.id.desc())
    ).first()
    lines = [
        f"etap: {campaign.step}",
        f"wywiady: {last.done} z {last.target}"
        if last
        else "wykonawca nie zgłosił jeszcze postępu",
        f"termin badania: {campaign.survey_date.isoformat() if campaign.survey_date else '-'}",
    ]
    tell(
        app,
        session,
        campaign,
        ("coordinator", "os_manager", "bok_manager"),
        letters.weekly_digest(campaign.year, lines),
    )
    record(session, app, campaign, "digest_sent", "system")


# -------------------------------------------------------------------------- 5. results


def on_results(
    app: App,
    session: Session,
    campaign: models.Campaign,
    message: models.Message,
    parsed: Any,
    sender: str,
) -> None:
    from mailflow.results import IrregularityRules, analyse_file, find_irregularities

    require_step(campaign, STEP_MONITORING, STEP_RESULTS)
    data_files = [a for a in parsed.attachments if DATA_FILE.search(a.filename) and a.data]
    if not data_files:
        raise NeedsReview("results announced but no data file (XLSX, ODS, CSV or SAV) attached")
    attachment = data_files[0]
    previous = [
        r.report
        for r in session.scalars(
            select(models.SurveyResult)
            .where(models.SurveyResult.year < campaign.year)
            .order_by(models.SurveyResult.year)
        )
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(attachment.filename).name
        path.write_bytes(attachment.data)
        try:
            report = analyse_file(path, previous=previous or None, year=campaign.year).to_json()
        except UserError as error:
            raise NeedsReview(
                f"the results file {attachment.filename} cannot be analysed: {error}"
            ) from error
    rules_config = app.config.procedure.rules
    rules = IrregularityRules(
        min_top2_share=rules_config.min_top2_share,
        alpha=rules_config.significant_drop_alpha,
        segment_gap=rules_config.segment_gap,
        min_n=rules_config.min_n,
    )
    findings = find_irregularities(report, rules)
    session.add(
        models.SurveyResult(
            campaign_id=campaign.id,
            year=campaign.year,
            created_at=app.clock.now(),
            source_sha256=attachment.sha256 if _archived(session, attachment.sha256) else None,
            report=report,
        )
    )
    for f in findings:
        session.add(
            models.Finding(
                campaign_id=campaign.id,
                rule=f.rule,
                description=f.description,
                evidence={
                    **f.evidence,
                    "question_id": f.question_id,
                    "question_label": f.question_label,
                    "figure": f.figure,
                    "threshold": f.threshold,
                    "segment": f.segment,
                },
            )
        )
    session.flush()
    campaign.step = STEP_RESULTS
    close_deadlines(session, app, campaign, "digest")
    close_deadlines(session, app, campaign, "survey_term")
    record(
        session,
        app,
        campaign,
        "results_received",
        sender,
        "email",
        message,
        respondents=report.get("respondents"),
        findings=len(findings),
    )
    route_memo(app, session, campaign, position=0, round_no=1)


def _archived(session: Session, digest: str) -> bool:
    return session.get(models.StoredFile, digest) is not None


def route_memo(
    app: App,
    session: Session,
    campaign: models.Campaign,
    position: int,
    round_no: int,
    comment: str | None = None,
) -> None:
    """Send the results memo to the next person of the chain coordinator -> ... -> Mayor."""
    role = MEMO_CHAIN[position]
    person = app.config.person_for(role)
    memo = paperwork.results_memo(app, session, campaign, round_no)
    token = send(
        app,
        session,
        campaign,
        step=STEP_RESULTS,
        code="WYN",
        purpose="memo",
        to=person.email,
        letter=letters.memo_for_approval(campaign.year, ROLE_NAMES[role], round_no, comment),
        subject_key=role,
        attachments=[docx(f"Informacja_o_wynikach_{campaign.year}.docx", memo)],
    )
    _open_approval(
        app, session, campaign, "memo", position, role, person.email, token.token, round_no=round_no
    )
    record(session, app, campaign, "memo_sent", "system", role=role, round=round_no)


def decide_memo(
    app: App,
    session: Session,
    campaign: models.Campaign,
    approval: models.Approval,
    verdict: str,
    comment: str,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    approval.status = "approved" if verdict == "approve" else "returned"
    approval.decided_at, approval.comment = app.clock.now(), comment or None
    approval.message_id = message.id if message else None
    close_deadlines(session, app, campaign, "approval", approval.token)
    record(
        session,
        app,
        campaign,
        f"memo_{approval.status}",
        actor,
        via,
        message,
        role=approval.role,
        comment=comment,
    )
    if verdict == "return":
        if approval.position == 0:
            tell_contractor(
                app,
                session,
                campaign,
                STEP_RESULTS,
                letters.coordinator_notice("Wyniki badania – prośba o poprawę", comment),
            )
            campaign.step = STEP_MONITORING
        else:
            route_memo(app, session, campaign, approval.position - 1, approval.round + 1, comment)
        return "Informacja o wynikach zwrócona o jeden etap z uwagami."
    if approval.position + 1 < len(MEMO_CHAIN):
        route_memo(app, session, campaign, approval.position + 1, approval.round)
        return (
            f"Zatwierdzono; informacja przekazana: {ROLE_NAMES[MEMO_CHAIN[approval.position + 1]]}."
        )
    findings = session.scalars(
        select(models.Finding).where(models.Finding.campaign_id == campaign.id)
    ).all()
    if findings:
        draft_audit_order(app, session, campaign)
    else:
        ask_publication(app, session, campaign)
    return "Wyniki zatwierdzone przez Prezydenta Miasta."


# ---------------------------------------------------------------------------- 6. audit


def draft_audit_order(
    app: App,
    session: Session,
    campaign: models.Campaign,
    actor: str = "system",
    via: str = "system",
) -> None:
    """The audit order with guidelines goes to the Plenipotentiary for decision."""
    campaign.step = STEP_AUDIT
    audit_by = add_working_days(today(app), 20)
    report_by = add_working_days(today(app), 30)
    campaign.data = {
        **campaign.data,
        "audit_by": audit_by.isoformat(),
        "report_by": report_by.isoformat(),
    }
    order = paperwork.audit_order(app, session, campaign, audit_by, report_by)
    plenipotentiary = app.config.person_for("plenipotentiary")
    findings = len(
        session.scalars(
            select(models.Finding).where(models.Finding.campaign_id == campaign.id)
        ).all()
    )
    token = send(
        app,
        session,
        campaign,
        step=STEP_AUDIT,
        code="AUD",
        purpose="audit",
        to=plenipotentiary.email,
        letter=letters.audit_order_for_confirmation(campaign.year, findings),
        attachments=[docx(f"Polecenie_auditu_{campaign.year}.docx", order)],
    )
    _open_approval(
        app, session, campaign, "audit", 0, "plenipotentiary", plenipotentiary.email, token.token
    )
    record(session, app, campaign, "audit_order_drafted", actor, via, findings=findings)


def order_audit(app: App, session: Session, campaign: models.Campaign, actor: str, via: str) -> str:
    """The Plenipotentiary may order an audit even when no rule fired (risk of irregularities)."""
    require_step(campaign, STEP_RESULTS, STEP_PUBLICATION)
    draft_audit_order(app, session, campaign, actor, via)
    return "Projekt polecenia auditu wysłany Pełnomocnikowi."


def confirm_audit(
    app: App,
    session: Session,
    campaign: models.Campaign,
    approval: models.Approval,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    approval.status, approval.decided_at = "approved", app.clock.now()
    close_deadlines(session, app, campaign, "approval", approval.token)
    order = session.scalars(
        select(models.Document)
        .where(
            models.Document.campaign_id == campaign.id, models.Document.kind == "polecenie_auditu"
        )
        .order_by(models.Document.id.desc())
    ).first()
    attachments = [docx(order.filename, app.archive.get(order.sha256))] if order else []
    for member in app.config.people_for("audit_team"):
        send(
            app,
            session,
            campaign,
            step=STEP_AUDIT,
            code="AUD",
            purpose="audit_team",
            to=member.email,
            letter=letters.audit_order_to_team(campaign.year),
            attachments=attachments,
            subject_key="audit_team",
        )
    record(session, app, campaign, "audit_ordered", actor, via, message)
    ask_publication(app, session, campaign)
    return "Polecenie auditu przekazane Zespołowi ds. ZSZ."


def add_corrective_action(
    app: App,
    session: Session,
    campaign: models.Campaign,
    kind: str,
    description: str,
    owner: str,
    due_on: date,
    actor: str,
    via: str,
) -> str:
    if kind not in ("correction", "corrective", "preventive"):
        raise UserError.of("kind must be correction, corrective or preventive")
    action = models.CorrectiveAction(
        campaign_id=campaign.id, kind=kind, description=description, owner=owner, due_on=due_on
    )
    session.add(action)
    session.flush()
    add_deadline(
        session,
        campaign,
        "action",
        STEP_AUDIT,
        end_of_day(due_on),
        remind_at=end_of_day(add_working_days(due_on, -app.config.procedure.reminder_before_days)),
        party=owner,
        subject_key=str(action.id),
    )
    record(
        session,
        app,
        campaign,
        "action_recorded",
        actor,
        via,
        action_id=action.id,
        kind=kind,
        description=description,
        owner=owner,
        due_on=due_on.isoformat(),
    )
    # The team reports each action done by its number, so it has to be told the number.
    for member in app.config.people_for("audit_team"):
        send(
            app,
            session,
            campaign,
            step=STEP_AUDIT,
            code="AUD",
            purpose="audit_team",
            to=member.email,
            letter=letters.action_recorded(action.id, kind, description, owner, due_on),
            subject_key="audit_team",
        )
    return f"Działanie nr {action.id} zarejestrowane (termin {due_on.isoformat()})."


def complete_action(
    app: App,
    session: Session,
    campaign: models.Campaign,
    action_id: int,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    action = session.get(models.CorrectiveAction, action_id)
    if action is None or action.campaign_id != campaign.id:
        raise UserError.of(
            "there is no action %(action)s in campaign %(year)s",
            action=action_id,
            year=campaign.year,
        )
    if action.done_at is None:
        action.done_at = app.clock.now()
        close_deadlines(session, app, campaign, "action", str(action.id))
        record(session, app, campaign, "action_done", actor, via, message, action_id=action.id)
    return f"Działanie nr {action.id} oznaczone jako wykonane."


def on_audit_team_reply(
    app: App,
    session: Session,
    campaign: models.Campaign,
    token: models.Token,
    message: models.Message,
    parsed: Any,
    sender: str,
) -> None:
    text = parsed.reply.new_text if parsed.reply else ""
    numbers = [
        int(n)
        for n in re.findall(r"wykonan[oea]\w*\s*:?\s*(?:nr\.?\s*)?(\d+)", text, re.IGNORECASE)
    ]
    if not numbers:
        raise NeedsReview("a reply from the audit team without 'wykonano: <nr działania>'")
    for number in numbers:
        complete_action(app, session, campaign, number, sender, "email", message)
    send(
        app,
        session,
        campaign,
        step=campaign.step,
        code=token.code,
        purpose="confirmation",
        to=sender,
        letter=letters.actions_done(numbers),
        in_reply_to=message.message_id_header,
    )


# ---------------------------------------------------------------------- 7. publication


def ask_publication(app: App, session: Session, campaign: models.Campaign) -> None:
    if campaign.data.get("publication_asked"):
        return
    campaign.data = {**campaign.data, "publication_asked": app.clock.now().isoformat()}
    plenipotentiary = app.config.person_for("plenipotentiary")
    token = send(
        app,
        session,
        campaign,
        step=STEP_PUBLICATION,
        code="WYN",
        purpose="publication",
        to=plenipotentiary.email,
        letter=letters.publication_question(campaign.year),
    )
    _open_approval(
        app,
        session,
        campaign,
        "publication",
        0,
        "plenipotentiary",
        plenipotentiary.email,
        token.token,
    )
    if campaign.step < STEP_PUBLICATION and campaign.step != STEP_AUDIT:
        campaign.step = STEP_PUBLICATION


def publication_choice(text: str) -> str | None:
    """BIP, STRONA, INTRANET or BRAK in a reply, in any inflection; None when unclear."""
    found = {key for key, pattern in PUBLICATION_WORDS.items() if re.search(pattern, text, re.I)}
    return found.pop() if len(found) == 1 else None


def publish(
    app: App,
    session: Session,
    campaign: models.Campaign,
    place_key: str,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    if place_key not in PUBLICATION_PLACES:
        raise UserError.of(
            "publication place must be one of %(places)s", places=", ".join(PUBLICATION_PLACES)
        )
    _decide_open_approval(app, session, campaign, "publication", "approved", actor, message)
    place = PUBLICATION_PLACES[place_key]
    attachments: list[OutgoingAttachment] = []
    if place_key != "brak":
        data, html = paperwork.publication(app, session, campaign)
        attachments = [
            docx(f"Publikacja_wynikow_{campaign.year}.docx", data),
            OutgoingAttachment(
                f"Publikacja_wynikow_{campaign.year}.html", "text/html", html.encode("utf-8")
            ),
        ]
    campaign.data = {**campaign.data, "published": {"place": place, "date": today(app).isoformat()}}
    record(
        session,
        app,
        campaign,
        "results_published",
        actor,
        via,
        message,
        place=place,
        date=today(app).isoformat(),
    )
    for role in ("plenipotentiary", "coordinator"):
        send(
            app,
            session,
            campaign,
            step=STEP_PUBLICATION,
            code="WYN",
            purpose="notice",
            to=app.config.person_for(role).email,
            letter=letters.publication_done(place),
            attachments=attachments,
            subject_key=role,
        )
    campaign.step, campaign.status, campaign.finished_at = (
        STEP_PUBLICATION,
        "finished",
        app.clock.now(),
    )
    return f"Publikacja wyników zarejestrowana: {place}."


# ------------------------------------------------------------ approvals and decisions


def _open_approval(
    app: App,
    session: Session,
    campaign: models.Campaign,
    item: str,
    position: int,
    role: str,
    party: str,
    token: str,
    round_no: int = 1,
) -> models.Approval:
    first = session.get(models.Token, token)
    approval = models.Approval(
        campaign_id=campaign.id,
        item=item,
        position=position,
        role=role,
        party=party.lower(),
        token=token,
        round=round_no,
        status="waiting",
        # The moment of its first e-mail's token: any token older than that asked about an
        # earlier version (see approval_for_token).
        sent_at=first.created_at if first is not None else app.clock.now(),
    )
    session.add(approval)
    due = add_working_days(today(app), app.config.procedure.approval_days)
    escalate = add_working_days(due, app.config.procedure.escalate_after_days)
    add_deadline(
        session,
        campaign,
        "approval",
        campaign.step,
        end_of_day(due),
        remind_at=end_of_day(due),
        escalate_at=end_of_day(escalate),
        party=party,
        subject_key=token,
    )
    return approval


def waiting_approval(
    session: Session, campaign: models.Campaign, item: str
) -> models.Approval | None:
    return session.scalars(
        select(models.Approval)
        .where(
            models.Approval.campaign_id == campaign.id,
            models.Approval.item == item,
            models.Approval.status == "waiting",
        )
        .order_by(models.Approval.id.desc())
    ).first()


def _decide_open_approval(
    app: App,
    session: Session,
    campaign: models.Campaign,
    item: str,
    status: str,
    actor: str,
    message: models.Message | None,
    comment: str | None = None,
) -> None:
    approval = waiting_approval(session, campaign, item)
    if approval is not None:
        _close_approval(app, session, campaign, approval, status, comment or "", message)


def approval_for_token(
    app: App, session: Session, campaign: models.Campaign, token: models.Token
) -> models.Approval | None:
    """The waiting approval a decision e-mail answers.

    A reminder or an escalation sends a new e-mail with a new token, but the first e-mail's
    token stays good while the approval waits: people answer whichever message they find.
    The token must belong to the approver, the deputy it was escalated to, or the role holder.
    """
    approval = session.scalar(select(models.Approval).where(models.Approval.token == token.token))
    if approval is not None and approval.status == "waiting":
        return approval
    # A decision e-mail's purpose is the name of the item it asks about.
    waiting = waiting_approval(session, campaign, token.purpose)
    if waiting is None or token.used_at is not None:
        return None
    # (A second of slack: approvals opened before sent_at was the token's own moment.)
    opened = utc(waiting.sent_at) if waiting.sent_at is not None else None
    if opened is not None and utc(token.created_at) < opened - timedelta(seconds=1):
        # An e-mail about an earlier version (a reminder of a round since returned): a yes
        # to it is not a yes to the version now waiting, which its sender may not have seen.
        raise NeedsReview(
            f"token {token.token} belongs to an earlier version of the "
            f"{letters.ITEM_NAMES.get(waiting.item, waiting.item)} (round {waiting.round} "
            "waits now); the decision must answer the newest e-mail"
        )
    allowed = {waiting.party, (waiting.escalated_to or "").lower()}
    allowed |= {p.email.lower() for p in app.config.people_for(waiting.role)}
    return waiting if token.party in allowed else None


def on_decision(
    app: App,
    session: Session,
    campaign: models.Campaign,
    token: models.Token,
    message: models.Message,
    parsed: Any,
    sender: str,
) -> None:
    """A reply of an official to a routing e-mail: approve or return, never a guess."""
    approval = approval_for_token(app, session, campaign, token)
    if approval is None:
        raise NeedsReview(f"token {token.token} was already used or its step is closed")
    text = parsed.reply.new_text if parsed.reply else ""
    if token.purpose == "publication":
        choice = publication_choice(text)
        if choice is None:
            raise NeedsReview(
                "the publication reply does not name exactly one of BIP, STRONA, INTRANET, BRAK"
            )
        token.used_at = app.clock.now()
        publish(app, session, campaign, choice, sender, "email", message)
        return
    decision = parsed.decision
    if parsed.kind != "decision" and not parsed.needs_review:
        # The token says a decision is expected here; the reader does not count every thread
        # as a routing one (the catalogue's approval travels in the ZAG thread of step 0).
        decision, _reasons = read_decision(text)
    if decision is None or decision.verdict not in ("approve", "return") or parsed.needs_review:
        raise NeedsReview(
            "the reply is not a clear decision (ZATWIERDZAM or ZWRACAM with comments)"
        )
    token.used_at = app.clock.now()
    decide(
        app,
        session,
        campaign,
        approval,
        decision.verdict,
        decision.comment or "",
        sender,
        "email",
        message,
    )
    send(
        app,
        session,
        campaign,
        step=campaign.step,
        code=token.code,
        purpose="confirmation",
        to=sender,
        letter=letters.decision_confirmed(approval.item, decision.verdict),
        in_reply_to=message.message_id_header,
    )


def decide(
    app: App,
    session: Session,
    campaign: models.Campaign,
    approval: models.Approval,
    verdict: str,
    comment: str,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    """Approve or return one waiting item: the same effect by e-mail, on the page or the CLI."""
    if verdict == "return" and not comment.strip():
        raise UserError.of("a return needs a comment saying what to correct")
    item = approval.item
    if item == "catalogue":
        if verdict == "approve":
            return confirm_catalogue(app, session, campaign, actor, via, message)
        _close_approval(app, session, campaign, approval, "returned", comment, message)
        record(session, app, campaign, "catalogue_returned", actor, via, message, comment=comment)
        return "Katalog zagadnień zwrócony z uwagami."
    if item == "comparison":
        status = "approved" if verdict == "approve" else "returned"
        _close_approval(app, session, campaign, approval, status, comment, message)
        record(session, app, campaign, f"comparison_{status}", actor, via, message, comment=comment)
        tell_coordinator(
            app,
            session,
            campaign,
            "Decyzja Kierownika OS w sprawie zestawienia ofert",
            (
                "Kierownik OS zatwierdził zestawienie ofert. Po uruchomieniu procedury zamówienia "
                "proszę to odnotować (strona statusu lub `mailflow campaign procurement-started`)."
            )
            if verdict == "approve"
            else f"Kierownik OS zwrócił zestawienie z uwagami:\n{comment}",
        )
        return f"Zestawienie ofert: {status}."
    if item == "questionnaire":
        if verdict == "approve":
            return accept_questionnaire(app, session, campaign, actor, via, message)
        return return_questionnaire(app, session, campaign, comment, actor, via, message)
    if item == "memo":
        return decide_memo(app, session, campaign, approval, verdict, comment, actor, via, message)
    if item == "audit":
        if verdict == "approve":
            return confirm_audit(app, session, campaign, approval, actor, via, message)
        _close_approval(app, session, campaign, approval, "returned", comment, message)
        record(session, app, campaign, "audit_order_returned", actor, via, message, comment=comment)
        tell_coordinator(app, session, campaign, "Projekt polecenia auditu zwrócony", comment)
        return "Projekt polecenia auditu zwrócony."
    raise UserError.of("%(item)s is not decided by approve or return", item=item)


def _close_approval(
    app: App,
    session: Session,
    campaign: models.Campaign,
    approval: models.Approval,
    status: str,
    comment: str,
    message: models.Message | None,
) -> None:
    approval.status, approval.decided_at, approval.comment = status, app.clock.now(), comment
    approval.message_id = message.id if message else None
    if approval.token:
        close_deadlines(session, app, campaign, "approval", approval.token)


# ------------------------------------------------------------------ incoming messages


Handler = Callable[[App, Session, models.Campaign, models.Token, models.Message, Any, str], None]
HANDLERS: dict[str, Handler] = {
    "topics": on_topics_reply,
    "inquiry": on_inquiry_reply,
    "contractor": on_contractor_message,
    "audit_team": on_audit_team_reply,
    "catalogue": on_decision,
    "comparison": on_decision,
    "questionnaire": on_decision,
    "memo": on_decision,
    "audit": on_decision,
    "publication": on_decision,
}
VENDOR_PURPOSES = {"inquiry", "contractor"}
DECISION_PURPOSES = {"catalogue", "comparison", "questionnaire", "memo", "audit", "publication"}


def handle_message(app: App, session: Session, message: models.Message, parsed: Any) -> None:
    """Intake hands every message of ours here, inside its transaction; errors quarantine it."""
    if parsed.kind == "bounce":
        on_bounce(app, session, message, parsed)
        return
    if parsed.kind == "auto_reply":
        record(
            session,
            app,
            active_campaign(session),
            "auto_reply_received",
            parsed.sender,
            "email",
            message,
        )
        return  # never answered: an auto-reply to an auto-reply is how mail loops start
    sender = _effective_sender(app, parsed)
    token = session.get(models.Token, parsed.token) if parsed.token else None
    if token is None:
        token = _token_by_sender(session, sender)
    if token is None:
        raise NeedsReview(f"no correlation token, and {sender} has no open step in a campaign")
    if parsed.forwarded and token.purpose not in VENDOR_PURPOSES:
        # Anybody can type "From: the Mayor" into a forward: decisions are taken only from
        # what their author sent us directly.
        raise NeedsReview(f"a forwarded message ({parsed.sender}) cannot carry a decision")
    if token.party != sender:
        raise NeedsReview(
            f"sender {sender} is not {token.party}, to whom this step's e-mail was sent"
        )
    if token.purpose in DECISION_PURPOSES and not _authenticated(app, message, sender):
        raise NeedsReview(f"Authentication-Results do not show DMARC or DKIM passing for {sender}")
    campaign = session.get(models.Campaign, token.campaign_id)
    handler = HANDLERS.get(token.purpose)
    if campaign is None or handler is None:
        raise NeedsReview(f"a reply to an e-mail ({token.purpose}) that expects no answer")
    message.campaign_id, message.step = campaign.id, campaign.step
    handler(app, session, campaign, token, message, parsed, sender)


def _effective_sender(app: App, parsed: Any) -> str:
    """A firm's mail forwarded by the coordinator counts as the firm's own message.

    Only the coordinator's forwards are unwrapped, and only vendor correspondence is accepted
    from them (see handle_message); anyone else's forward is their own message.
    """
    sender = (parsed.sender or "").lower()
    coordinator = app.config.person_for("coordinator").email.lower()
    if parsed.forwarded and parsed.author and sender == coordinator:
        return str(parsed.author).lower()
    return sender


def _token_by_sender(session: Session, sender: str) -> models.Token | None:
    """No token anywhere: the newest open conversation with this sender, if exactly one kind."""
    campaign = active_campaign(session)
    if campaign is None:
        return None
    candidates = session.scalars(
        select(models.Token)
        .where(
            models.Token.campaign_id == campaign.id,
            models.Token.party == sender,
            models.Token.purpose.in_(["inquiry", "contractor", "topics", "audit_team"]),
        )
        .order_by(models.Token.created_at.desc())
    ).all()
    return candidates[0] if candidates else None


def _authenticated(app: App, message: models.Message, sender: str) -> bool:
    if not app.config.procedure.require_dmarc:
        return True
    headers = message_from_bytes(app.archive.get(message.sha256), policy=default_policy)
    # Only the topmost header is our receiving server's verdict; any lower one may have been
    # written by the sender (RFC 8601 section 5), so it is never read.
    results = headers.get_all("Authentication-Results") or []
    if not results:
        return False
    text = str(results[0]).lower()
    domain = re.escape(sender.rpartition("@")[2])
    end = r"(?=[\s;)]|$)"  # the exact domain, not um.example.pl.attacker.example
    return bool(
        re.search(rf"\bdmarc=pass\b[^;]*header\.from={domain}{end}", text)
        or re.search(rf"\bdkim=pass\b[^;]*header\.(?:d|i)=@?{domain}{end}", text)
    )


def on_quarantine(app: App, session: Session, message: models.Message, reason: str) -> None:
    """Tell the coordinator that a message waits for a person, once per message."""
    campaign = active_campaign(session)
    if campaign is None or message.id in _quarantine_reported(session, campaign):
        return
    tell_coordinator(
        app,
        session,
        campaign,
        "Wiadomość wymaga decyzji (kwarantanna)",
        f"Wiadomość od {message.from_addr} „{message.subject}” nie została przetworzona: "
        f"{reason}.\nProszę ją przejrzeć na stronie statusu (Wiadomości → Kwarantanna).",
    )
    record(session, app, campaign, "quarantine_reported", "system", message=message, reason=reason)


def _quarantine_reported(session: Session, campaign: models.Campaign) -> set[int]:
    return {
        message_id
        for message_id in session.scalars(
            select(models.Event.message_id).where(
                models.Event.campaign_id == campaign.id,
                models.Event.action == "quarantine_reported",
            )
        )
        if message_id is not None
    }


def _report_quarantine(app: App, session: Session) -> int:
    """Quarantined messages nobody has told the coordinator about yet.

    Intake parks a failing message in its own transaction after the procedure's one rolled
    back, so the notice is sent from here, on the clock, whatever parked the message.
    """
    campaign = active_campaign(session)
    if campaign is None:
        return 0
    told = _quarantine_reported(session, campaign)
    entries = session.execute(
        select(models.QuarantineEntry, models.Message)
        .join(models.Message, models.Message.id == models.QuarantineEntry.message_id)
        .where(models.QuarantineEntry.resolved_at.is_(None))
        .order_by(models.QuarantineEntry.id)
    ).all()
    reported = 0
    for entry, message in entries:
        if message.id not in told:
            on_quarantine(app, session, message, entry.reason)
            told.add(message.id)
            reported += 1
    return reported


# ------------------------------------------------------------------------ the clock


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
            deadline = session.get(models.Deadline, deadline_id)
            if deadline is None or deadline.done_at is not None:
                continue
            campaign = session.get(models.Campaign, deadline.campaign_id)
            if campaign is None:
                continue
            handled += _deadline_tick(app, session, campaign, deadline, now)
    with transaction(app.sessions) as session:
        handled += _undelivered_inquiries(app, session)
    with transaction(app.sessions) as session:
        handled += _report_quarantine(app, session)
    return handled


def _undelivered_inquiries(app: App, session: Session) -> int:
    """An inquiry our SMTP server refused for good (5xx) counts as bounced, like a DSN."""
    rows = session.execute(
        select(models.Inquiry, models.OutboxMessage)
        .join(models.OutboxMessage, models.OutboxMessage.token == models.Inquiry.token)
        .where(
            models.OutboxMessage.status == "failed",
            models.Inquiry.status.in_(["sent", "reminded"]),
        )
    ).all()
    for inquiry, row in rows:
        campaign = session.get(models.Campaign, inquiry.campaign_id)
        if campaign is None:
            continue
        inquiry.status = "bounced"
        close_deadlines(session, app, campaign, "offers", inquiry.vendor_key)
        record(
            session,
            app,
            campaign,
            "inquiry_undeliverable",
            "system",
            vendor=inquiry.vendor_key,
            error=row.last_error,
        )
        _ask_for_more_vendors(
            app, session, campaign, f"zapytanie do {inquiry.vendor_email} nie zostało przyjęte"
        )
        _compare_if_complete(app, session, campaign)
    return len(rows)


def _deadline_tick(
    app: App, session: Session, campaign: models.Campaign, d: models.Deadline, now: datetime
) -> int:
    acted = 0
    if d.remind_at and d.reminded_at is None and utc(d.remind_at) <= now:
        # "Please answer by <date>" after that date is noise: a daemon that was down across
        # both moments goes straight to the deadline. Approvals and audit actions are chased
        # after their date on purpose.
        too_late = d.kind in REMIND_ONLY_BEFORE_DUE and utc(d.due_at) <= now
        if not too_late and _remind(app, session, campaign, d):
            acted += 1
        d.reminded_at = now
    if (
        d.kind == "approval"
        and d.escalate_at
        and d.escalated_at is None
        and utc(d.escalate_at) <= now
    ):
        _escalate(app, session, campaign, d)
        d.escalated_at = now
        acted += 1
    elif d.kind == "approval" and d.escalated_at is not None and d.done_at is None:
        acted += _tell_if_stalled(app, session, campaign, d, now)
    if utc(d.due_at) <= now and d.missed_at is None:
        acted += _on_due(app, session, campaign, d, now)
    return acted


def _tell_if_stalled(
    app: App, session: Session, campaign: models.Campaign, d: models.Deadline, now: datetime
) -> int:
    """Once: the deputy was asked, and as many working days later nobody has decided."""
    assert d.escalated_at is not None
    escalated_on = utc(d.escalated_at).astimezone(WARSAW).date()
    stalled_at = end_of_day(
        add_working_days(escalated_on, app.config.procedure.escalate_after_days)
    )
    if now < stalled_at:
        return 0
    approval = session.scalar(select(models.Approval).where(models.Approval.token == d.subject_key))
    if approval is None or approval.status != "waiting":
        return 0
    told = session.scalars(
        select(models.Event).where(
            models.Event.campaign_id == campaign.id, models.Event.action == "approval_stalled"
        )
    )
    if any(event.details.get("deadline") == d.id for event in told):
        return 0
    role_name = ROLE_NAMES.get(approval.role, approval.role)
    tell(
        app,
        session,
        campaign,
        ("coordinator", "os_manager"),
        letters.coordinator_notice(*letters.stalled(approval.item, role_name)),
    )
    record(
        session,
        app,
        campaign,
        "approval_stalled",
        "system",
        role=approval.role,
        item=approval.item,
        deadline=d.id,
    )
    return 1


def _remind(app: App, session: Session, campaign: models.Campaign, d: models.Deadline) -> bool:
    if d.kind == "topics" and d.party:
        send(
            app,
            session,
            campaign,
            step=STEP_TOPICS,
            code="ZAG",
            purpose="topics",
            to=d.party,
            letter=letters.topics_reminder(campaign.year, utc(d.due_at).astimezone(WARSAW).date()),
            subject_key=_role_of(app, d.party),
        )
    elif d.kind == "offers" and d.party and d.subject_key:
        inquiry = session.scalar(
            select(models.Inquiry).where(
                models.Inquiry.campaign_id == campaign.id,
                models.Inquiry.vendor_key == d.subject_key,
            )
        )
        if inquiry is None or inquiry.status not in ("sent",):
            return False
        send(
            app,
            session,
            campaign,
            step=STEP_INQUIRY,
            code="ZO",
            purpose="inquiry",
            to=d.party,
            letter=letters.inquiry_reminder(campaign.year, utc(d.due_at).astimezone(WARSAW)),
            subject_key=d.subject_key,
        )
        inquiry.status, inquiry.reminded_at = "reminded", app.clock.now()
        record(session, app, campaign, "inquiry_reminded", "system", vendor=d.subject_key)
    elif d.kind == "approval" and d.party:
        approval = session.scalar(
            select(models.Approval).where(models.Approval.token == d.subject_key)
        )
        if approval is None or approval.status != "waiting":
            return False
        _resend_for_decision(
            app,
            session,
            campaign,
            approval,
            d.party,
            letters.approval_reminder(approval.item, utc(d.due_at).astimezone(WARSAW).date()),
        )
        record(
            session,
            app,
            campaign,
            "approval_reminded",
            "system",
            role=approval.role,
            item=approval.item,
        )
    elif d.kind == "action" and d.party:
        action = session.get(models.CorrectiveAction, int(d.subject_key or 0))
        if action is None or action.done_at:
            return False
        for member in app.config.people_for("audit_team"):
            send(
                app,
                session,
                campaign,
                step=STEP_AUDIT,
                code="AUD",
                purpose="audit_team",
                to=member.email,
                letter=letters.action_reminder(action.id, action.description, action.due_on),
                subject_key="audit_team",
            )
        action.reminded_at = app.clock.now()
        record(session, app, campaign, "action_reminded", "system", action_id=action.id)
    else:
        return False
    return True


def _attachments_sent_with(session: Session, token: str) -> list[OutgoingAttachment]:
    """The files of the first e-mail we sent under ``token`` (our own, complete message)."""
    first = session.scalars(
        select(models.OutboxMessage)
        .where(models.OutboxMessage.token == token)
        .order_by(models.OutboxMessage.id)
    ).first()
    if first is None:
        return []
    message = message_from_bytes(first.raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    found = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)  # the bytes as attached, text files included
        if isinstance(data, bytes):
            name = part.get_filename() or "zalacznik"
            found.append(OutgoingAttachment(name, part.get_content_type(), data))
    return found


def _resend_for_decision(
    app: App,
    session: Session,
    campaign: models.Campaign,
    approval: models.Approval,
    to: str,
    letter: letters.Letter,
) -> None:
    """A reminder or escalation is a new e-mail with a new token for the same approval.

    It carries the files of the e-mail that first asked (the document to decide on), not
    whatever document the campaign made last.
    """
    old = session.get(models.Token, approval.token) if approval.token else None
    attachments = _attachments_sent_with(session, old.token) if old else []
    token = send(
        app,
        session,
        campaign,
        step=campaign.step,
        code=old.code if old else "WYN",
        purpose=old.purpose if old else "memo",
        to=to,
        letter=letter,
        subject_key=approval.role,
        attachments=attachments,
    )
    approval.token, approval.party = token.token, to.lower()
    for deadline in session.scalars(
        select(models.Deadline).where(models.Deadline.subject_key == (old.token if old else ""))
    ):
        deadline.subject_key = token.token


def _escalate(app: App, session: Session, campaign: models.Campaign, d: models.Deadline) -> None:
    approval = session.scalar(select(models.Approval).where(models.Approval.token == d.subject_key))
    if approval is None or approval.status != "waiting":
        return
    deputy_key = app.config.deputies.get(approval.role)
    role_name = ROLE_NAMES.get(approval.role, approval.role)
    if deputy_key is None:
        # Somebody must chase the decision by hand: the coordinator, and when she is the one
        # who is silent, the OS manager above her.
        title, text = letters.no_deputy(approval.item, role_name)
        roles = (
            ("coordinator", "os_manager") if approval.role == "coordinator" else ("coordinator",)
        )
        tell(app, session, campaign, roles, letters.coordinator_notice(title, text))
        record(
            session,
            app,
            campaign,
            "approval_not_escalated",
            "system",
            role=approval.role,
            item=approval.item,
        )
        return
    deputy = app.config.people[deputy_key]
    absent = app.config.person_for(approval.role).name
    approval.escalated_to = deputy.email
    _resend_for_decision(
        app,
        session,
        campaign,
        approval,
        deputy.email,
        letters.escalation(approval.item, absent, role_name),
    )
    record(
        session,
        app,
        campaign,
        "approval_escalated",
        "system",
        role=approval.role,
        deputy=deputy.email,
    )


def _on_due(
    app: App, session: Session, campaign: models.Campaign, d: models.Deadline, now: datetime
) -> int:
    if d.kind == "topics":
        d.missed_at = now
        if (
            campaign.step == STEP_TOPICS
            and not _open_deadlines(session, campaign, "topics")
            and waiting_approval(session, campaign, "catalogue") is None
        ):
            send_catalogue(app, session, campaign)
        return 1
    if d.kind == "offers":
        d.missed_at = now
        if (
            campaign.step == STEP_INQUIRY
            and not campaign.data.get("comparison_sent")
            and not _open_deadlines(session, campaign, "offers")
        ):
            if _current_quotes(session, campaign):
                send_comparison(app, session, campaign)
            else:
                _no_offers_at_deadline(app, session, campaign)
        return 1
    if d.kind == "digest":
        if campaign.step == STEP_MONITORING:
            send_digest(app, session, campaign)
            d.due_at = now + timedelta(days=7)
            return 1
        d.done_at = now
        return 0
    if d.kind == "survey_term":
        d.missed_at = now
        tell(
            app,
            session,
            campaign,
            ("coordinator", "os_manager"),
            letters.coordinator_notice(
                "Termin badania minął",
                f"Minął uzgodniony termin badania ({utc(d.due_at).date().isoformat()}); "
                "wyniki nie wpłynęły.",
            ),
        )
        return 1
    if d.kind == "action":
        d.missed_at = now
        tell_coordinator(
            app,
            session,
            campaign,
            "Działanie po terminie",
            f"Działanie nr {d.subject_key} nie zostało zgłoszone jako wykonane w terminie.",
        )
        return 1
    if d.kind == "approval":
        d.missed_at = now
        return 0
    return 0


def _open_deadlines(
    session: Session, campaign: models.Campaign, kind: str
) -> list[models.Deadline]:
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


def _role_of(app: App, email: str) -> str | None:
    roles = app.config.role_of(email)
    return roles[0] if roles else None


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
