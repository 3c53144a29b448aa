"""Step 1: the price inquiry to at least 3 survey firms, their quotes, and the comparison.

Arrives: quotes, declines and questions in each firm's ZO thread; bounces. Checked: who
answered, whether in time, whether the offer reads unambiguously. Sent: inquiries with the
offer form, a reminder, confirmations, notices to the coordinator, and the comparison to
the OS manager once every firm answered or the deadline passed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow import letters, paperwork
from mailflow.app import App
from mailflow.clock import WARSAW, end_of_day, utc
from mailflow.config import Vendor
from mailflow.db import models
from mailflow.db.campaign_data import CampaignData
from mailflow.db.statuses import InquiryStatus, OutboxStatus
from mailflow.errors import UserError
from mailflow.mail.parse import ParsedMessage
from mailflow.procedure.approvals import ask_for_decision, settle, status_of
from mailflow.procedure.common import (
    NeedsReview,
    add_deadline,
    close_deadlines,
    open_deadlines,
    record,
    require_step,
    tell_coordinator,
    today,
)
from mailflow.procedure.step import Incoming, Reminder, Reply, Ruling, Step
from mailflow.procedure_mail import calendar_invite, docx, send
from mailflow.steps import StepNumber
from mailflow.tokens import new_token
from mailflow.workdays import add_working_days

# Asked, and out of the count: a firm that refused or whose address does not exist.
NOT_VALID = (InquiryStatus.BOUNCED, InquiryStatus.DECLINED)
SETTLED = (InquiryStatus.ANSWERED, InquiryStatus.LATE, *NOT_VALID)


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
    deadline = _offers_deadline(app, campaign)
    for key in keys:
        _send_inquiry(app, session, campaign, key, deadline)


def _send_inquiry(
    app: App, session: Session, campaign: models.Campaign, key: str, deadline: datetime
) -> None:
    vendor = app.config.vendors[key]
    token = _mail_inquiry(app, session, campaign, key, vendor, deadline)
    session.add(
        models.Inquiry(
            campaign_id=campaign.id,
            vendor_key=key,
            vendor_email=vendor.email.lower(),
            token=token.token,
            status=InquiryStatus.SENT,
            sent_at=app.clock.now(),
        )
    )
    remind_on = add_working_days(
        deadline.astimezone(WARSAW).date(), -app.config.procedure.reminder_before_days
    )
    add_deadline(
        session,
        campaign,
        "offers",
        StepNumber.INQUIRY,
        deadline,
        remind_at=end_of_day(remind_on) - timedelta(hours=12),
        party=vendor.email,
        subject_key=key,
    )
    record(session, app, campaign, "inquiry_sent", "system", vendor=key, token=token.token)


def _mail_inquiry(
    app: App,
    session: Session,
    campaign: models.Campaign,
    key: str,
    vendor: Vendor,
    deadline: datetime,
) -> models.Token:
    token_text = new_token()  # reserved now: the letter itself quotes the reply address
    tag = f"[IN13-{campaign.year}-ZO-{token_text}]"
    reply_to = app.config.smtp.from_address.replace("@", f"+{token_text}@", 1)
    letter_docx, form_docx = paperwork.price_inquiry(
        app, session, campaign, vendor, deadline, reply_to, tag
    )
    return _to_firm(
        app,
        session,
        campaign,
        vendor.email,
        key,
        letters.price_inquiry(campaign.year, deadline.astimezone(WARSAW), vendor.name),
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


def _to_firm(
    app: App,
    session: Session,
    campaign: models.Campaign,
    to: str,
    vendor_key: str | None,
    letter: letters.Letter,
    **extra: Any,
) -> models.Token:
    """An e-mail in the firm's price-inquiry thread (ZO), where it answers with its offer."""
    return send(
        app,
        session,
        campaign,
        step=StepNumber.INQUIRY,
        code="ZO",
        purpose="inquiry",
        to=to,
        letter=letter,
        subject_key=vendor_key,
        **extra,
    )


def _offers_deadline(app: App, campaign: models.Campaign) -> datetime:
    """The offer deadline already set for the campaign, or a new one N working days ahead."""
    existing = CampaignData.load(campaign).offers_deadline
    if existing:
        return utc(datetime.fromisoformat(existing))
    day = add_working_days(today(app), app.config.procedure.offers_by_days)
    hour, minute = (int(x) for x in app.config.procedure.offer_deadline_hour.split(":"))
    deadline = datetime.combine(day, time(hour, minute), WARSAW).astimezone(UTC)
    CampaignData.save(campaign, offers_deadline=deadline.isoformat())
    return deadline


def _inquiry_to(
    session: Session, campaign: models.Campaign, key: str | None
) -> models.Inquiry | None:
    return session.scalar(
        select(models.Inquiry).where(
            models.Inquiry.campaign_id == campaign.id, models.Inquiry.vendor_key == key
        )
    )


def add_vendor(
    app: App, session: Session, campaign: models.Campaign, vendor_key: str, actor: str, via: str
) -> str:
    """Ask one more configured firm, e.g. after a bounce or a decline."""
    require_step(campaign, StepNumber.INQUIRY)
    if vendor_key not in app.config.vendors:
        raise UserError.of("%(vendor)r is not a vendor in the configuration", vendor=vendor_key)
    if _inquiry_to(session, campaign, vendor_key):
        raise UserError.of("%(vendor)s has already been asked", vendor=vendor_key)
    CampaignData.save(campaign, offers_deadline=None)
    send_inquiries(app, session, campaign, [vendor_key])
    record(session, app, campaign, "vendor_added", actor, via, vendor=vendor_key)
    return f"Zapytanie o cenę wysłane do {app.config.vendors[vendor_key].name}."


# ------------------------------------------------------------------ the firms' replies


def on_inquiry_reply(app: App, session: Session, campaign: models.Campaign, m: Incoming) -> None:
    inquiry = _inquiry_to(session, campaign, m.token.subject_key)
    if inquiry is None:
        raise NeedsReview(f"no inquiry to {m.token.subject_key} in campaign {campaign.year}")
    if m.parsed.kind == "quote" and m.parsed.quote is not None:
        _record_quote(app, session, campaign, inquiry, m)
    elif m.parsed.kind == "decline":
        _record_decline(app, session, campaign, inquiry, m)
    elif m.parsed.kind == "question":
        _pass_on_question(app, session, campaign, inquiry, m)
    else:
        raise NeedsReview(
            f"a reply to the price inquiry read as {m.parsed.kind!r}: "
            + "; ".join(m.parsed.reasons[:3])
        )
    _compare_if_complete(app, session, campaign)


def _record_decline(
    app: App, session: Session, campaign: models.Campaign, inquiry: models.Inquiry, m: Incoming
) -> None:
    inquiry.status, inquiry.answered_at = InquiryStatus.DECLINED, app.clock.now()
    close_deadlines(session, app, campaign, "offers", inquiry.vendor_key)
    _record_from_firm(app, session, campaign, inquiry, m, "inquiry_declined")
    _answer_in_thread(app, session, campaign, inquiry, m, letters.decline_received())
    _ask_for_more_vendors(app, session, campaign, f"{inquiry.vendor_key} odmówił złożenia oferty")


def _pass_on_question(
    app: App, session: Session, campaign: models.Campaign, inquiry: models.Inquiry, m: Incoming
) -> None:
    inquiry.status = InquiryStatus.QUESTION
    _record_from_firm(app, session, campaign, inquiry, m, "vendor_question")
    tell_coordinator(
        app,
        session,
        campaign,
        f"Pytanie od wykonawcy: {inquiry.vendor_key}",
        f"{m.sender} pyta w sprawie zapytania o cenę:\n\n{m.text}\n\n"
        "Proszę odpowiedzieć wykonawcy bezpośrednio.",
    )


def _record_from_firm(
    app: App,
    session: Session,
    campaign: models.Campaign,
    inquiry: models.Inquiry,
    m: Incoming,
    action: str,
    **details: Any,
) -> None:
    record(
        session,
        app,
        campaign,
        action,
        m.sender,
        "email",
        m.message,
        vendor=inquiry.vendor_key,
        **details,
    )


def _answer_in_thread(
    app: App,
    session: Session,
    campaign: models.Campaign,
    inquiry: models.Inquiry,
    m: Incoming,
    letter: letters.Letter,
) -> None:
    in_reply_to = m.message.message_id_header
    _to_firm(app, session, campaign, m.sender, inquiry.vendor_key, letter, in_reply_to=in_reply_to)


def _record_quote(
    app: App, session: Session, campaign: models.Campaign, inquiry: models.Inquiry, m: Incoming
) -> None:
    q = m.parsed.quote
    assert q is not None
    late = app.clock.now() > _offers_deadline(app, campaign)
    earlier = _store_quote(app, session, campaign, inquiry, m, late)
    inquiry.status = InquiryStatus.LATE if late else InquiryStatus.ANSWERED
    inquiry.answered_at = app.clock.now()
    close_deadlines(session, app, campaign, "offers", inquiry.vendor_key)
    _record_from_firm(
        app,
        session,
        campaign,
        inquiry,
        m,
        "quote_corrected" if earlier else "quote_received",
        net=str(q.net),
        gross=str(q.gross),
        late=late,
        needs_review=m.parsed.needs_review,
        source=q.source,
    )
    letter = letters.quote_received(letters.money(q.net), letters.money(q.gross), late)
    _answer_in_thread(app, session, campaign, inquiry, m, letter)
    _flag_quote(app, session, campaign, inquiry, m.parsed, late)


def _store_quote(
    app: App,
    session: Session,
    campaign: models.Campaign,
    inquiry: models.Inquiry,
    m: Incoming,
    late: bool,
) -> models.QuoteRecord | None:
    """The quote's row; a correction supersedes the firm's earlier one, which stays."""
    q = m.parsed.quote
    assert q is not None
    earlier = paperwork.current_quotes(session, campaign).get(inquiry.vendor_key)
    row = models.QuoteRecord(
        campaign_id=campaign.id,
        vendor_key=inquiry.vendor_key,
        message_id=m.message.id,
        received_at=app.clock.now(),
        net=q.net,
        gross=q.gross,
        vat_rate=q.vat_rate,
        currency=q.currency,
        vendor_nip=q.vendor_nip,
        valid_until=date.fromisoformat(q.valid_until) if q.valid_until else None,
        source=q.source,
        needs_review=m.parsed.needs_review,
        late=late,
    )
    session.add(row)
    session.flush()
    if earlier is not None:
        earlier.superseded_by_id = row.id
    return earlier


def _flag_quote(
    app: App,
    session: Session,
    campaign: models.Campaign,
    inquiry: models.Inquiry,
    parsed: ParsedMessage,
    late: bool,
) -> None:
    """Late or unclear: a person decides whether the offer counts as read."""
    assert parsed.quote is not None
    if late:
        tell_coordinator(
            app,
            session,
            campaign,
            f"Oferta po terminie: {inquiry.vendor_key}",
            f"Oferta {inquiry.vendor_email} wpłynęła po terminie składania ofert "
            f"(cena netto {letters.money(parsed.quote.net)}). "
            "Została zarejestrowana jako spóźniona.",
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


# ------------------------------------------------------- firms out of the count


def inquiry_bounced(
    app: App, session: Session, campaign: models.Campaign, token: models.Token, why: str
) -> bool:
    """A permanent bounce of an inquiry: the firm is out, maybe another is needed."""
    inquiry = _inquiry_to(session, campaign, token.subject_key)
    if inquiry is None:
        return False
    inquiry.status = InquiryStatus.BOUNCED
    close_deadlines(session, app, campaign, "offers", inquiry.vendor_key)
    _ask_for_more_vendors(app, session, campaign, why)
    _compare_if_complete(app, session, campaign)
    return True


def undelivered_inquiries(app: App, session: Session) -> int:
    """An inquiry our SMTP server refused for good (5xx) counts as bounced, like a DSN."""
    rows = session.execute(
        select(models.Inquiry, models.OutboxMessage)
        .join(models.OutboxMessage, models.OutboxMessage.token == models.Inquiry.token)
        .where(
            models.OutboxMessage.status == OutboxStatus.FAILED,
            models.Inquiry.status.in_([InquiryStatus.SENT, InquiryStatus.REMINDED]),
        )
    ).all()
    for inquiry, row in rows:
        campaign = session.get(models.Campaign, inquiry.campaign_id)
        if campaign is None:
            continue
        inquiry.status = InquiryStatus.BOUNCED
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
        why = f"zapytanie do {inquiry.vendor_email} nie zostało przyjęte"
        _ask_for_more_vendors(app, session, campaign, why)
        _compare_if_complete(app, session, campaign)
    return len(rows)


def _inquiries(session: Session, campaign: models.Campaign) -> list[models.Inquiry]:
    return list(
        session.scalars(select(models.Inquiry).where(models.Inquiry.campaign_id == campaign.id))
    )


def _valid_inquiries(session: Session, campaign: models.Campaign) -> list[models.Inquiry]:
    return [i for i in _inquiries(session, campaign) if i.status not in NOT_VALID]


def _ask_for_more_vendors(app: App, session: Session, campaign: models.Campaign, why: str) -> None:
    valid = len(_valid_inquiries(session, campaign))
    needed = app.config.procedure.min_vendors
    if valid >= needed:
        return
    asked = {i.vendor_key for i in _inquiries(session, campaign)}
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


# ------------------------------------------------------------------- the comparison


def _compare_if_complete(app: App, session: Session, campaign: models.Campaign) -> None:
    """When every asked firm has answered, the comparison need not wait for the deadline."""
    if CampaignData.load(campaign).comparison_sent:
        return
    inquiries = _inquiries(session, campaign)
    if (
        inquiries
        and all(i.status in SETTLED for i in inquiries)
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
    ask_for_decision(
        app,
        session,
        campaign,
        "comparison",
        "os_manager",
        letters.comparison_for_manager(campaign.year, offers, letters.money(value)),
        step=StepNumber.INQUIRY,
        code="POR",
        attachments=[docx(f"Zestawienie_ofert_{campaign.year}.docx", data)],
    )
    CampaignData.save(
        campaign, comparison_sent=app.clock.now().isoformat(), estimated_value_net=str(value)
    )
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


def send_comparison_now(app: App, session: Session, campaign: models.Campaign) -> str:
    """A person sends the comparison without waiting for the deadline."""
    require_step(campaign, StepNumber.INQUIRY)
    send_comparison(app, session, campaign)
    return "Zestawienie ofert wysłane Kierownikowi OS."


def _decide_comparison(app: App, session: Session, campaign: models.Campaign, r: Ruling) -> str:
    status = settle(app, session, campaign, r, f"comparison_{status_of(r)}")
    tell_coordinator(
        app,
        session,
        campaign,
        "Decyzja Kierownika OS w sprawie zestawienia ofert",
        (
            "Kierownik OS zatwierdził zestawienie ofert. Po uruchomieniu procedury zamówienia "
            "proszę to odnotować (strona statusu lub `mailflow campaign procurement-started`)."
        )
        if r.approves
        else f"Kierownik OS zwrócił zestawienie z uwagami:\n{r.comment}",
    )
    return f"Zestawienie ofert: {status}."


def mark_procurement_started(
    app: App,
    session: Session,
    campaign: models.Campaign,
    actor: str,
    via: str,
    message: models.Message | None = None,
) -> str:
    require_step(campaign, StepNumber.INQUIRY)
    if not CampaignData.load(campaign).comparison_sent:
        raise UserError.of("the quote comparison has not gone to the OS manager yet")
    CampaignData.save(campaign, procurement_started=today(app).isoformat())
    record(session, app, campaign, "procurement_started", actor, via, message)
    return f"Zarejestrowano uruchomienie procedury zamówienia ({today(app).isoformat()})."


# ------------------------------------------------------------------- the deadline


def _remind(app: App, session: Session, campaign: models.Campaign, d: models.Deadline) -> bool:
    """Firms that have not answered at all are reminded once, before the deadline."""
    inquiry = _inquiry_to(session, campaign, d.subject_key) if d.subject_key else None
    if not d.party or inquiry is None or inquiry.status != InquiryStatus.SENT:
        return False
    letter = letters.inquiry_reminder(campaign.year, utc(d.due_at).astimezone(WARSAW))
    _to_firm(app, session, campaign, d.party, d.subject_key, letter)
    inquiry.status, inquiry.reminded_at = InquiryStatus.REMINDED, app.clock.now()
    record(session, app, campaign, "inquiry_reminded", "system", vendor=d.subject_key)
    return True


def _due(
    app: App, session: Session, campaign: models.Campaign, d: models.Deadline, now: datetime
) -> int:
    """The last firm's deadline passed: compare what arrived, or say nothing did."""
    d.missed_at = now
    if (
        campaign.step == StepNumber.INQUIRY
        and not CampaignData.load(campaign).comparison_sent
        and not open_deadlines(session, campaign, "offers")
    ):
        if _current_quotes(session, campaign):
            send_comparison(app, session, campaign)
        else:
            _no_offers_at_deadline(app, session, campaign)
    return 1


STEP = Step(
    number=StepNumber.INQUIRY,
    replies={"inquiry": Reply(on_inquiry_reply, forwardable=True)},
    decisions={"comparison": _decide_comparison},
    reminders={"offers": Reminder(_remind, only_before_due=True)},
    due={"offers": _due},
)
