"""Read-only queries behind the status page and its JSON API.

Each function returns plain dicts and lists (dates, datetimes and Decimals left as such, so a
template can format them for the reader's language and the API can turn them into strings).
Nothing here writes: actions go through :mod:`mailflow.procedure` and :mod:`mailflow.quarantine`.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from mailflow.archive import Archive
from mailflow.clock import utc
from mailflow.config import Config
from mailflow.db import models
from mailflow.queries import campaign_summary, status_summary
from mailflow.steps import LAST_STEP, STEP_NAMES
from mailflow.tokens import mask
from mailflow.workdays import working_days_between

# Routed items in the order the procedure reaches them.
ROUTED_ITEMS = ("catalogue", "comparison", "questionnaire", "memo", "audit")
# Inquiry states that mean the vendor has given its answer (whatever it was).
ANSWERED = ("answered", "declined")
# A message body longer than this is cut for display: the whole message stays downloadable.
MAX_TEXT_CHARS = 100_000
# Bidirectional-text controls: a filename "faktura\u202efdp.exe" would *display* as
# "fakturaexe.pdf". Shown as visible markers instead, so nothing can disguise itself.
BIDI_CONTROLS = {
    **{chr(c): f"[U+{c:04X}]" for c in range(0x202A, 0x202F)},
    **{chr(c): f"[U+{c:04X}]" for c in range(0x2066, 0x206A)},
    "\u200e": "[U+200E]",
    "\u200f": "[U+200F]",
    "\u061c": "[U+061C]",
}
_BIDI_TABLE = str.maketrans(BIDI_CONTROLS)


def masked(token: str | None) -> str | None:
    """A token as the page may show it: never whole (it is a capability)."""
    return mask(token) if token else None


def defuse_bidi(value: str) -> str:
    """Replace invisible direction overrides with a visible ``[U+202E]`` marker."""
    return value.translate(_BIDI_TABLE)


def who(config: Config, party: str | None) -> str:
    """A person's or firm's name for an address, a role or a config key (else the text itself)."""
    if not party:
        return ""
    if party in config.roles:
        return config.person_for(party).name
    if party in config.people:
        return config.people[party].name
    if party in config.vendors:
        return config.vendors[party].name
    lowered = party.lower()
    for person in config.people.values():
        if person.email.lower() == lowered:
            return person.name
    for vendor in config.vendors.values():
        if vendor.email.lower() == lowered:
            return vendor.name
    return party


# --- dashboard --------------------------------------------------------------------------------


def timeline(campaign: models.Campaign) -> list[dict[str, Any]]:
    finished = campaign.status == "finished"
    return [
        {
            "step": step,
            "name": STEP_NAMES[step],
            "state": "done"
            if finished or step < campaign.step
            else ("current" if step == campaign.step else "todo"),
        }
        for step in range(LAST_STEP + 1)
    ]


def open_deadlines(
    session: Session, config: Config, campaign: models.Campaign, today: date, limit: int = 5
) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(models.Deadline)
        .where(models.Deadline.campaign_id == campaign.id, models.Deadline.done_at.is_(None))
        .order_by(models.Deadline.due_at, models.Deadline.id)
        .limit(limit)
    ).all()
    result = []
    for row in rows:
        due = utc(row.due_at)
        assert due is not None
        left = working_days_between(today, due.date())
        result.append(
            {
                "kind": row.kind,
                "step": row.step,
                "party": row.party,
                "who": who(config, row.party or row.subject_key),
                "due": due,
                "working_days_left": left,
                "overdue": left < 0,
            }
        )
    return result


def waiting_for(
    session: Session, config: Config, campaign: models.Campaign
) -> list[dict[str, Any]]:
    """Who the campaign waits for, and for what: approvers, silent vendors, open actions."""
    waits: list[dict[str, Any]] = []
    approvals = session.scalars(
        select(models.Approval)
        .where(
            models.Approval.campaign_id == campaign.id,
            models.Approval.status == "waiting",
            models.Approval.sent_at.is_not(None),
        )
        .order_by(models.Approval.sent_at)
    ).all()
    for approval in approvals:
        waits.append(
            {
                "who": who(config, approval.escalated_to or approval.party),
                "role": approval.role,
                "what": f"approval:{approval.item}",
                "since": utc(approval.sent_at),
            }
        )
    # "late" is a quote that came after the deadline: it is in, nobody waits for it. Once the
    # comparison has gone out, silent firms are no longer waited for either.
    inquiries = (
        session.scalars(
            select(models.Inquiry)
            .where(
                models.Inquiry.campaign_id == campaign.id,
                models.Inquiry.status.in_(("sent", "reminded")),
            )
            .order_by(models.Inquiry.vendor_key)
        ).all()
        if not (campaign.data or {}).get("comparison_sent")
        else []
    )
    for inquiry in inquiries:
        waits.append(
            {
                "who": who(config, inquiry.vendor_key),
                "role": "vendor",
                "what": "offer",
                "since": utc(inquiry.sent_at),
            }
        )
    actions = session.scalars(
        select(models.CorrectiveAction)
        .where(
            models.CorrectiveAction.campaign_id == campaign.id,
            models.CorrectiveAction.done_at.is_(None),
        )
        .order_by(models.CorrectiveAction.due_on)
    ).all()
    for action in actions:
        waits.append(
            {
                "who": who(config, action.owner),
                "role": "audit_team",
                "what": "corrective_action",
                "since": None,
            }
        )
    return waits


def survey_progress(session: Session, campaign: models.Campaign) -> dict[str, Any] | None:
    report = session.scalars(
        select(models.ProgressReport)
        .where(models.ProgressReport.campaign_id == campaign.id)
        .order_by(models.ProgressReport.reported_at.desc(), models.ProgressReport.id.desc())
        .limit(1)
    ).first()
    if report is None:
        return None
    return {"done": report.done, "target": report.target, "reported_at": utc(report.reported_at)}


def campaign_card(
    session: Session, config: Config, campaign: models.Campaign, now: datetime
) -> dict[str, Any]:
    """What the dashboard shows of one campaign."""
    card = campaign_summary(session, campaign)
    statuses = session.scalars(
        select(models.Inquiry.status).where(models.Inquiry.campaign_id == campaign.id)
    ).all()
    answered = sum(1 for s in statuses if s in ANSWERED)
    steps_done = len(card["done"])
    card.update(
        {
            "timeline": timeline(campaign),
            "progress": {
                "steps": {"done": steps_done, "total": LAST_STEP + 1},
                "inquiries": {"answered": answered, "total": len(statuses)},
                "survey": survey_progress(session, campaign),
            },
            "deadlines": open_deadlines(session, config, campaign, now.date()),
            "waiting": waiting_for(session, config, campaign),
        }
    )
    return card


def dashboard(session: Session, config: Config, now: datetime) -> dict[str, Any]:
    campaigns = session.scalars(select(models.Campaign).order_by(models.Campaign.year.desc())).all()
    summary = status_summary(session)
    return {
        "campaigns": [campaign_card(session, config, c, now) for c in campaigns],
        "messages": summary["messages"],
        "outbox": summary["outbox"],
        "quarantine_open": open_quarantine_count(session),
    }


def open_quarantine_count(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(models.QuarantineEntry)
            .where(models.QuarantineEntry.resolved_at.is_(None))
        )
        or 0
    )


# --- campaign ---------------------------------------------------------------------------------


def vendors(session: Session, config: Config, campaign: models.Campaign) -> list[dict[str, Any]]:
    """Every firm asked (and every configured firm not asked yet), with its inquiry state."""
    inquiries = {
        i.vendor_key: i
        for i in session.scalars(
            select(models.Inquiry).where(models.Inquiry.campaign_id == campaign.id)
        )
    }
    keys = list(dict.fromkeys([*config.vendors, *sorted(inquiries)]))
    result = []
    for key in keys:
        inquiry = inquiries.get(key)
        vendor = config.vendors.get(key)
        result.append(
            {
                "key": key,
                "name": vendor.name if vendor else key,
                "email": inquiry.vendor_email if inquiry else (vendor.email if vendor else ""),
                "status": inquiry.status if inquiry else "not_sent",
                "sent_at": utc(inquiry.sent_at) if inquiry else None,
                "answered_at": utc(inquiry.answered_at) if inquiry else None,
                "reminded_at": utc(inquiry.reminded_at) if inquiry else None,
            }
        )
    return result


def quotes(session: Session, config: Config, campaign: models.Campaign) -> dict[str, Any]:
    """Current quotes (corrections replace earlier rows) and the estimated contract value.

    The estimate is the one the procedure stored, if any; otherwise the mean net price of the
    offers that came in time and need no review, as the quote comparison computes it.
    """
    rows = session.scalars(
        select(models.QuoteRecord)
        .where(
            models.QuoteRecord.campaign_id == campaign.id,
            models.QuoteRecord.superseded_by_id.is_(None),
        )
        .order_by(models.QuoteRecord.net.is_(None), models.QuoteRecord.net, models.QuoteRecord.id)
    ).all()
    listed = [
        {
            "vendor_key": q.vendor_key,
            "vendor": who(config, q.vendor_key),
            "net": q.net,
            "gross": q.gross,
            "vat_rate": q.vat_rate,
            "currency": q.currency,
            "valid_until": q.valid_until,
            "received_at": utc(q.received_at),
            "source": q.source,
            "late": q.late,
            "needs_review": q.needs_review,
            "message_id": q.message_id,
        }
        for q in rows
    ]
    valid = [q.net for q in rows if q.net is not None and not q.late and not q.needs_review]
    lowest = min(valid) if valid else None
    for item in listed:
        item["lowest"] = (
            lowest is not None
            and item["net"] == lowest
            and not item["late"]
            and not item["needs_review"]
        )
    # Valid offers first, cheapest first; late or doubtful ones after them.
    listed.sort(key=lambda q: (q["late"] or q["needs_review"], q["net"] is None, q["net"] or 0))
    stored = (campaign.data or {}).get("estimated_value_net")
    if stored is not None:
        estimate: Decimal | None = Decimal(str(stored))
        basis = "stored"
    elif valid:
        estimate = (sum(valid, Decimal(0)) / len(valid)).quantize(Decimal("0.01"))
        basis = "mean_of_valid_offers"
    else:
        estimate, basis = None, "none"
    return {
        "quotes": listed,
        "estimated_value_net": estimate,
        "estimate_basis": basis,
        "valid_offers": len(valid),
    }


def routing(session: Session, config: Config, campaign: models.Campaign) -> list[dict[str, Any]]:
    """Each routed item with its chain of approvers, round by round."""
    rows = session.scalars(
        select(models.Approval)
        .where(models.Approval.campaign_id == campaign.id)
        .order_by(models.Approval.item, models.Approval.round, models.Approval.position)
    ).all()
    items: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for row in rows:
        items.setdefault((row.item, row.round), []).append(
            {
                "position": row.position,
                "role": row.role,
                "who": who(config, row.party),
                "party": row.party,
                "status": row.status if row.sent_at or row.status != "waiting" else "not_sent",
                "sent_at": utc(row.sent_at),
                "decided_at": utc(row.decided_at),
                "comment": row.comment,
                "escalated_to": who(config, row.escalated_to) if row.escalated_to else None,
                "message_id": row.message_id,
            }
        )
    order = {name: index for index, name in enumerate(ROUTED_ITEMS)}
    ordered = sorted(items.items(), key=lambda pair: (order.get(pair[0][0], 99), pair[0]))
    return [{"item": item, "round": rnd, "chain": chain} for (item, rnd), chain in ordered]


def indicators(session: Session, campaign: models.Campaign) -> dict[str, Any] | None:
    result = session.scalars(
        select(models.SurveyResult)
        .where(models.SurveyResult.campaign_id == campaign.id)
        .order_by(models.SurveyResult.created_at.desc(), models.SurveyResult.id.desc())
        .limit(1)
    ).first()
    if result is None:
        return None
    report = result.report or {}
    return {
        "created_at": utc(result.created_at),
        "respondents": report.get("respondents"),
        "questions": [q for q in report.get("questions", []) if isinstance(q, dict)],
        "warnings": [str(w) for w in report.get("warnings", [])],
    }


def campaign_detail(
    session: Session, config: Config, year: int, now: datetime
) -> dict[str, Any] | None:
    campaign = session.scalar(select(models.Campaign).where(models.Campaign.year == year))
    if campaign is None:
        return None
    detail = campaign_card(session, config, campaign, now)
    detail.update(
        {
            "id": campaign.id,
            "started_at": utc(campaign.started_at),
            "finished_at": utc(campaign.finished_at),
            "contractor": who(config, campaign.contractor_key) if campaign.contractor_key else None,
            "contract_number": campaign.contract_number,
            "survey_term": campaign.survey_term,
            "survey_date": campaign.survey_date,
            "vendors": vendors(session, config, campaign),
            "offers": quotes(session, config, campaign),
            "routing": routing(session, config, campaign),
            "indicators": indicators(session, campaign),
            "min_top2_share": config.procedure.rules.min_top2_share,
            "findings": [
                {"rule": f.rule, "description": f.description}
                for f in session.scalars(
                    select(models.Finding)
                    .where(models.Finding.campaign_id == campaign.id)
                    .order_by(models.Finding.id)
                )
            ],
            "corrective_actions": [
                {
                    "kind": a.kind,
                    "description": a.description,
                    "owner": who(config, a.owner),
                    "due_on": a.due_on,
                    "done_at": utc(a.done_at),
                    "overdue": a.done_at is None and a.due_on < now.date(),
                }
                for a in session.scalars(
                    select(models.CorrectiveAction)
                    .where(models.CorrectiveAction.campaign_id == campaign.id)
                    .order_by(models.CorrectiveAction.due_on, models.CorrectiveAction.id)
                )
            ],
            "documents": [
                {
                    "id": d.id,
                    "kind": d.kind,
                    "filename": d.filename,
                    "version": d.version,
                    "created_at": utc(d.created_at),
                }
                for d in session.scalars(
                    select(models.Document)
                    .where(models.Document.campaign_id == campaign.id)
                    .order_by(models.Document.created_at, models.Document.id)
                )
            ],
            "events": [
                {
                    "at": utc(e.at),
                    "step": e.step,
                    "action": e.action,
                    "actor": who(config, e.actor),
                    "via": e.via,
                    "message_id": e.message_id,
                }
                for e in session.scalars(
                    select(models.Event)
                    .where(models.Event.campaign_id == campaign.id)
                    .order_by(models.Event.at.desc(), models.Event.id.desc())
                    .limit(50)
                )
            ],
        }
    )
    return detail


def campaign_choices(session: Session) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "year": c.year}
        for c in session.scalars(select(models.Campaign).order_by(models.Campaign.year.desc()))
    ]


# --- messages ---------------------------------------------------------------------------------


def _campaign_years(session: Session) -> dict[int, int]:
    return dict(session.execute(select(models.Campaign.id, models.Campaign.year)).all())


def message_list(session: Session, limit: int = 200) -> dict[str, Any]:
    years = _campaign_years(session)
    incoming = session.scalars(
        select(models.Message)
        .order_by(models.Message.received_at.desc(), models.Message.id.desc())
        .limit(limit)
    ).all()
    outgoing = session.scalars(
        select(models.OutboxMessage)
        .order_by(models.OutboxMessage.created_at.desc(), models.OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    return {
        "incoming": [
            {
                "id": m.id,
                "received_at": utc(m.received_at),
                "from": m.from_addr,
                "subject": m.subject,
                "kind": m.kind,
                "status": m.status,
                "token": masked(m.token),
                "campaign": years.get(m.campaign_id) if m.campaign_id else None,
                "step": m.step,
                "needs_review": m.needs_review,
            }
            for m in incoming
        ],
        "outgoing": [
            {
                "id": o.id,
                "created_at": utc(o.created_at),
                "sent_at": utc(o.sent_at),
                "to": [str(r) for r in o.recipients or []],
                "subject": o.subject,
                "code": o.code,
                "purpose": o.purpose,
                "status": o.status,
                "token": masked(o.token),
                "campaign": years.get(o.campaign_id) if o.campaign_id else None,
                "step": o.step,
                "attempts": o.attempts,
                "last_error": o.last_error,
            }
            for o in outgoing
        ],
    }


@dataclass(frozen=True)
class BodyText:
    """A message's readable text: ``plain`` to escape, or ``html`` already sanitised by nh3."""

    plain: str | None
    html: str | None
    truncated: bool
    unreadable: bool = False  # too deeply nested (or broken) to take apart safely


SAFE_TAGS = {
    "p",
    "br",
    "div",
    "span",
    "ul",
    "ol",
    "li",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "blockquote",
    "pre",
    "code",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
}


def body_text(raw: bytes) -> BodyText:
    """The text of a raw message: plain text if it has any, else its HTML made harmless.

    HTML keeps only structural tags with no attributes at all: no links, images, styles or
    event handlers can survive, so nothing in a message can run or phone home.
    """
    try:
        return _body_text(raw)
    except RecursionError:
        # A message nested thousands of levels deep: say so instead of failing the page.
        return BodyText(None, None, False, unreadable=True)


def _body_text(raw: bytes) -> BodyText:
    import nh3

    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage):  # pragma: no cover - policy.default guarantees it
        return BodyText("", None, False)
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return BodyText("", None, False)
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        content = content.decode("utf-8", "replace") if isinstance(content, bytes) else ""
    truncated = len(content) > MAX_TEXT_CHARS
    content = defuse_bidi(content[:MAX_TEXT_CHARS])
    if part.get_content_subtype() == "html":
        return BodyText(None, nh3.clean(content, tags=SAFE_TAGS, attributes={}), truncated)
    return BodyText(content, None, truncated)


def message_detail(session: Session, archive: Archive, message_id: int) -> dict[str, Any] | None:
    message = session.get(models.Message, message_id)
    if message is None:
        return None
    years = _campaign_years(session)
    try:
        body = body_text(archive.get(message.sha256))
    except OSError:
        body = None
    attachments = session.scalars(
        select(models.Attachment)
        .where(models.Attachment.message_id == message.id)
        .order_by(models.Attachment.id)
    ).all()
    entries = session.scalars(
        select(models.QuarantineEntry)
        .where(models.QuarantineEntry.message_id == message.id)
        .order_by(models.QuarantineEntry.id)
    ).all()
    return {
        "id": message.id,
        "message_id_header": message.message_id_header,
        "received_at": utc(message.received_at),
        "from": message.from_addr,
        "subject": message.subject,
        "kind": message.kind,
        "status": message.status,
        "token": masked(message.token),
        "campaign": years.get(message.campaign_id) if message.campaign_id else None,
        "step": message.step,
        "needs_review": message.needs_review,
        "reasons": [str(r) for r in message.reasons or []],
        "parsed": message.parsed or {},
        "body": body,
        "attachments": [
            {"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in attachments
        ],
        "quarantine": [_quarantine_row(e, None) for e in entries],
    }


def outbox_detail(session: Session, outbox_id: int) -> dict[str, Any] | None:
    row = session.get(models.OutboxMessage, outbox_id)
    if row is None:
        return None
    years = _campaign_years(session)
    return {
        "id": row.id,
        "message_id_header": row.message_id_header,
        "created_at": utc(row.created_at),
        "sent_at": utc(row.sent_at),
        "to": [str(r) for r in row.recipients or []],
        "subject": row.subject,
        "code": row.code,
        "purpose": row.purpose,
        "status": row.status,
        "token": masked(row.token),
        "campaign": years.get(row.campaign_id) if row.campaign_id else None,
        "step": row.step,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "body": body_text(row.raw),
    }


def _quarantine_row(
    entry: models.QuarantineEntry, message: models.Message | None
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": entry.id,
        "message_id": entry.message_id,
        "reason": entry.reason,
        "created_at": utc(entry.created_at),
        "resolved_at": utc(entry.resolved_at),
        "resolution": entry.resolution,
        "resolved_by": entry.resolved_by,
        "note": entry.note,
    }
    if message is not None:
        row.update(
            {
                "from": message.from_addr,
                "subject": message.subject,
                "kind": message.kind,
                "campaign_id": message.campaign_id,
                "step": message.step,
            }
        )
    return row


def quarantine(session: Session, resolved_limit: int = 50) -> dict[str, Any]:
    pairs = session.execute(
        select(models.QuarantineEntry, models.Message)
        .join(models.Message, models.Message.id == models.QuarantineEntry.message_id)
        .where(models.QuarantineEntry.resolved_at.is_(None))
        .order_by(models.QuarantineEntry.created_at, models.QuarantineEntry.id)
    ).all()
    resolved = session.execute(
        select(models.QuarantineEntry, models.Message)
        .join(models.Message, models.Message.id == models.QuarantineEntry.message_id)
        .where(models.QuarantineEntry.resolved_at.is_not(None))
        .order_by(models.QuarantineEntry.resolved_at.desc(), models.QuarantineEntry.id.desc())
        .limit(resolved_limit)
    ).all()
    return {
        "open": [_quarantine_row(e, m) for e, m in pairs],
        "resolved": [_quarantine_row(e, m) for e, m in resolved],
    }


def message_outcome(session: Session, entry_id: int) -> tuple[int, str, str | None] | None:
    """After a retry: the message's id, its status, and the reason if it is quarantined again."""
    entry = session.get(models.QuarantineEntry, entry_id)
    if entry is None:
        return None
    message = session.get(models.Message, entry.message_id)
    if message is None:
        return None
    again = session.scalars(
        select(models.QuarantineEntry)
        .where(
            models.QuarantineEntry.message_id == message.id,
            models.QuarantineEntry.resolved_at.is_(None),
        )
        .order_by(models.QuarantineEntry.id.desc())
    ).first()
    return message.id, message.status, again.reason if again else None


@dataclass(frozen=True)
class StoredDownload:
    filename: str
    sha256: str


def attachment_file(session: Session, attachment_id: int) -> StoredDownload | None:
    row = session.get(models.Attachment, attachment_id)
    return StoredDownload(row.filename, row.sha256) if row else None


def document_file(session: Session, document_id: int) -> StoredDownload | None:
    row = session.get(models.Document, document_id)
    return StoredDownload(row.filename, row.sha256) if row else None


def raw_message_file(session: Session, message_id: int) -> StoredDownload | None:
    row = session.get(models.Message, message_id)
    return StoredDownload(f"message-{row.id}.eml", row.sha256) if row else None


# --- health and metrics -----------------------------------------------------------------------

SERVICES = ("imap", "smtp")
# A service whose last success is older than this (while the daemon should run) is stale.
STALE_AFTER = timedelta(minutes=30)


def service_state(row: models.ServiceStatus | None, now: datetime) -> dict[str, Any]:
    if row is None or (row.last_ok_at is None and row.last_error_at is None):
        return {"state": "unknown", "last_ok_at": None, "last_error_at": None}
    ok, failed = utc(row.last_ok_at), utc(row.last_error_at)
    if failed is not None and (ok is None or failed > ok):
        state = "failing"
    elif ok is not None and now - ok > STALE_AFTER:
        state = "stale"
    else:
        state = "ok"
    return {"state": state, "last_ok_at": ok, "last_error_at": failed}


def health(session: Session, now: datetime) -> dict[str, Any]:
    """Database reachable, and the last IMAP and SMTP success; ``healthy`` decides 200/503.

    A service never seen yet (a fresh install, or the page running alone) is "unknown" and
    does not make the page unhealthy; a failing or stale one does.
    """
    try:
        session.execute(text("SELECT 1"))
        rows = {r.name: r for r in session.scalars(select(models.ServiceStatus))}
    except SQLAlchemyError:
        return {
            "healthy": False,
            "database": "unreachable",
            **{name: {"state": "unknown"} for name in SERVICES},
        }
    services = {name: service_state(rows.get(name), now) for name in SERVICES}
    healthy = all(s["state"] in ("ok", "unknown") for s in services.values())
    return {"healthy": healthy, "database": "ok", **services}


def metric_values(session: Session, now: datetime) -> dict[str, float | None]:
    summary = status_summary(session)
    last_poll = session.scalar(select(func.max(models.MailboxState.last_poll_at)))
    last_poll = utc(last_poll)
    return {
        "messages_received": summary["messages"]["received"],
        "messages_processed": summary["messages"]["processed"],
        "messages_quarantined": summary["messages"]["quarantined"],
        "quarantine_open": open_quarantine_count(session),
        "outbox_queue": summary["outbox"]["pending"],
        "outbox_failed": summary["outbox"]["failed"],
        "last_poll_age_seconds": (now - last_poll).total_seconds() if last_poll else None,
    }


def to_json(value: Any) -> Any:
    """Dates as ISO strings, money as two-decimal strings (never floats), recursively."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, BodyText):
        return {"plain": value.plain, "html": value.html, "truncated": value.truncated}
    return value
