"""``mailflow retention``: what may be disposed of, from when, and the disposal a person confirms.

Each part of a case is kept as long as the archival category of its JRWA class says, counted
from 1 January of the year after the case closed (the campaign finished and its corrective
actions done): B5 of a case closed in 2027 may go from 1 January 2033. A is kept for ever; BE
may go only once the state archive has assessed it; Bc from the January after it closed.

Nothing is ever disposed of on its own. A person runs ``mailflow retention dispose YEAR:CLASS
--confirm``; nothing of a campaign whose audit or corrective action is still open is touched.
Disposal removes the raw personal data of the mail (each message becomes its headers-only
skeleton, each attachment a short note of what it was) and keeps every row, the documents
that record what was decided, the metadata, and a ``records_disposed`` event saying who did it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailflow.app import App, store_file
from mailflow.casefile.items import DOCUMENT_KINDS, utc
from mailflow.config import JrwaClass, RecordsConfig
from mailflow.db import models
from mailflow.errors import UserError

DISPOSED = "records_disposed"
KEPT_HEADERS = ("From", "To", "Cc", "Date", "Subject", "Message-ID", "In-Reply-To", "References")
WARSAW = ZoneInfo("Europe/Warsaw")  # a period ends at midnight in the office, not in UTC
_ITEM = re.compile(r"^(\d{4}):(\d{1,4})$")


def period_years(category: str) -> int | None:
    """Years a category keeps records; None for A (for ever)."""
    if category == "A":
        return None
    if category == "Bc":
        return 0
    return int(category.lstrip("BE"))


def disposable_from(category: str, closed: date) -> date | None:
    years = period_years(category)
    return None if years is None else date(closed.year + 1 + years, 1, 1)


@dataclass(frozen=True)
class RetentionRow:
    item: str  # "2027:272": what `retention dispose` takes
    year: int
    case_mark: str
    symbol: str
    title: str
    category: str
    closed_on: date | None
    disposable_from: date | None
    state: str  # open | blocked | permanent | waiting | due | needs_assessment | disposed
    reason: str
    messages: int  # incoming and outgoing e-mails of this class in the case
    documents: int

    @property
    def may_dispose(self) -> bool:
        return self.state in ("due", "needs_assessment")

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "year": self.year,
            "case": self.case_mark,
            "class": self.symbol,
            "title": self.title,
            "category": self.category,
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
            "disposable_from": self.disposable_from.isoformat() if self.disposable_from else None,
            "state": self.state,
            "reason": self.reason,
            "messages": self.messages,
            "documents": self.documents,
        }


def finished_on(session: Session, campaign: models.Campaign) -> date | None:
    """The day the case closed: the later of the campaign's end and its last action done."""
    if campaign.status != "finished" or campaign.finished_at is None:
        return None
    last = utc(campaign.finished_at)
    done = session.scalar(
        select(func.max(models.CorrectiveAction.done_at)).where(
            models.CorrectiveAction.campaign_id == campaign.id
        )
    )
    if done is not None:
        last = max(last, utc(done))
    return last.date()


def open_work(session: Session, campaign: models.Campaign) -> str | None:
    """Why the campaign's records must stay whole: an open audit or corrective action."""
    audit = session.scalars(
        select(models.Approval).where(
            models.Approval.campaign_id == campaign.id,
            models.Approval.item == "audit",
            models.Approval.status == "waiting",
        )
    ).first()
    if audit is not None:
        return "the audit order of this campaign still waits for its decision"
    action = session.scalars(
        select(models.CorrectiveAction)
        .where(
            models.CorrectiveAction.campaign_id == campaign.id,
            models.CorrectiveAction.done_at.is_(None),
        )
        .order_by(models.CorrectiveAction.id)
    ).first()
    if action is not None:
        return f"corrective action {action.id} ({action.kind}) is still open"
    return None


def _counts(
    session: Session, campaign: models.Campaign, records: RecordsConfig
) -> dict[str, list[int]]:
    """JRWA symbol -> [messages, documents] of the campaign."""
    counts: dict[str, list[int]] = {}
    steps = list(
        session.scalars(
            select(models.Message.step).where(models.Message.campaign_id == campaign.id)
        ).all()
    )
    steps += session.scalars(
        select(models.OutboxMessage.step).where(models.OutboxMessage.campaign_id == campaign.id)
    ).all()
    for step in steps:
        counts.setdefault(records.class_for_step(step).symbol, [0, 0])[0] += 1
    kinds = session.scalars(
        select(models.Document.kind).where(models.Document.campaign_id == campaign.id)
    ).all()
    for kind in kinds:
        step = DOCUMENT_KINDS.get(kind, ("", "", None))[2]
        counts.setdefault(records.class_for_step(step).symbol, [0, 0])[1] += 1
    return counts


def _disposals(session: Session, campaign: models.Campaign) -> dict[str, models.Event]:
    events = session.scalars(
        select(models.Event).where(
            models.Event.campaign_id == campaign.id, models.Event.action == DISPOSED
        )
    ).all()
    return {str((e.details or {}).get("class")): e for e in events}


def _row(
    campaign: models.Campaign,
    jrwa: JrwaClass,
    counts: list[int],
    closed: date | None,
    blocked: str | None,
    disposed: models.Event | None,
    today: date,
) -> RetentionRow:
    start = disposable_from(jrwa.category, closed) if closed else None
    if disposed is not None:
        state, reason = "disposed", f"disposed of on {utc(disposed.at).date()} by {disposed.actor}"
    elif closed is None:
        state, reason = "open", "the case is not closed yet: its period has not started"
    elif jrwa.category == "A":
        state, reason = "permanent", "category A: kept for ever and handed to the state archive"
    elif blocked:
        state, reason = "blocked", blocked
    elif start is not None and today < start:
        state, reason = "waiting", f"kept until {start.isoformat()} ({jrwa.category})"
    elif jrwa.category.startswith("BE"):
        state = "needs_assessment"
        reason = "period over; disposal needs the state archive's assessment (--assessment)"
    else:
        state, reason = "due", f"period over on {start}: may be disposed of when confirmed"
    return RetentionRow(
        item=f"{campaign.year}:{jrwa.symbol}",
        year=campaign.year,
        case_mark=campaign.case_ref,
        symbol=jrwa.symbol,
        title=jrwa.title,
        category=jrwa.category,
        closed_on=closed,
        disposable_from=start,
        state=state,
        reason=reason,
        messages=counts[0],
        documents=counts[1],
    )


def listing(app: App, session: Session) -> list[RetentionRow]:
    """Every class of every campaign's case, with its state on today's date."""
    records = app.config.records
    today = app.clock.now().astimezone(WARSAW).date()
    rows = []
    campaigns = session.scalars(select(models.Campaign).order_by(models.Campaign.year)).all()
    for campaign in campaigns:
        closed = finished_on(session, campaign)
        blocked = open_work(session, campaign)
        disposed = _disposals(session, campaign)
        for symbol, counts in sorted(_counts(session, campaign, records).items()):
            jrwa = records.classes.get(symbol) or records.class_for_step(None)
            rows.append(_row(campaign, jrwa, counts, closed, blocked, disposed.get(symbol), today))
    return rows


def format_listing(rows: list[RetentionRow]) -> str:
    if not rows:
        return "No campaigns yet."
    lines = []
    for row in rows:
        lines.append(
            f"{row.item:<10} {row.case_mark:<18} {row.category:<5} {row.state:<16} "
            f"{row.messages} e-mails, {row.documents} documents: {row.reason}"
        )
    due = [row.item for row in rows if row.may_dispose]
    if due:
        lines.append(
            f"May be disposed of now: {', '.join(due)} "
            "(`mailflow retention dispose ITEM --confirm`; nothing goes without it)"
        )
    return "\n".join(lines)


def skeleton(raw: bytes, note: str) -> bytes:
    """The message with its headers (who, to whom, when, what about) and no content."""
    original = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    message = EmailMessage()
    for name in KEPT_HEADERS:
        try:
            value = original.get(name)
        except (ValueError, IndexError, AttributeError):
            value = None
        if value is not None:
            message[name] = str(value)
    message["X-Mailflow-Disposed"] = note
    message.set_content(
        "Treść wiadomości i jej załączniki usunięto po upływie okresu przechowywania.\n"
        f"{note}\nNagłówki pozostawiono jako metadane sprawy.\n"
    )
    return message.as_bytes()


def _referenced(session: Session, digest: str) -> bool:
    for column in (
        models.Message.sha256,
        models.Attachment.sha256,
        models.Document.sha256,
        models.SurveyResult.source_sha256,
    ):
        if session.scalar(select(func.count()).where(column == digest)):
            return True
    return False


def dispose(app: App, item: str, actor: str, assessment: str | None = None) -> str:
    """Dispose of the mail of one class of one case (``YEAR:CLASS``), once a person confirms."""
    match = _ITEM.match(item.strip())
    if match is None:
        raise UserError(f"{item!r} is not an item of the list: write YEAR:CLASS, e.g. 2027:272")
    year, symbol = int(match.group(1)), match.group(2)
    records = app.config.records
    with app.sessions() as session:
        row = next((r for r in listing(app, session) if r.item == f"{year}:{symbol}"), None)
        if row is None:
            raise UserError(f"{item}: no campaign of {year} holds records of class {symbol}")
        if not row.may_dispose:
            raise UserError(f"{item} cannot be disposed of: {row.reason}")
        if row.state == "needs_assessment" and not (assessment or "").strip():
            raise UserError(
                f"{item} is category {row.category}: give the reference of the state archive's "
                "assessment with --assessment"
            )
        campaign = session.scalars(
            select(models.Campaign).where(models.Campaign.year == year)
        ).one()
        now = app.clock.now()
        note = (
            f"{now.date().isoformat()}; sprawa {campaign.case_ref}; klasa JRWA {symbol}; "
            f"kategoria {row.category}; potwierdził: {actor}"
        )
        old: set[str] = set()
        message_ids: list[int] = []
        for message in session.scalars(
            select(models.Message).where(models.Message.campaign_id == campaign.id)
        ).all():
            if records.class_for_step(message.step).symbol != symbol:
                continue
            raw = app.archive.get(message.sha256) if app.archive.exists(message.sha256) else b""
            old.add(message.sha256)
            message.sha256 = store_file(app, session, skeleton(raw, note))
            message_ids.append(message.id)
            for attachment in session.scalars(
                select(models.Attachment).where(models.Attachment.message_id == message.id)
            ).all():
                old.add(attachment.sha256)
                tombstone = (
                    f"Załącznik {attachment.filename} ({attachment.content_type}, "
                    f"{attachment.size} B, sha256 {attachment.sha256}) usunięto: {note}\n"
                )
                attachment.sha256 = store_file(app, session, tombstone.encode("utf-8"))
        outbox_ids: list[int] = []
        for out in session.scalars(
            select(models.OutboxMessage).where(models.OutboxMessage.campaign_id == campaign.id)
        ).all():
            if records.class_for_step(out.step).symbol == symbol:
                out.raw = skeleton(out.raw, note)
                outbox_ids.append(out.id)
        session.flush()
        gone = sorted(d for d in old if not _referenced(session, d))
        for digest in gone:
            stored = session.get(models.StoredFile, digest)
            if stored is not None:
                session.delete(stored)
        session.add(
            models.Event(
                campaign_id=campaign.id,
                at=now,
                step=None,
                action=DISPOSED,
                actor=actor,
                via="cli",
                details={
                    "class": symbol,
                    "category": row.category,
                    "closed_on": row.closed_on.isoformat() if row.closed_on else None,
                    "assessment": assessment,
                    "messages": message_ids,
                    "outbox": outbox_ids,
                    "files_removed": len(gone),
                },
            )
        )
        session.commit()
    # Only once the rows point at the skeletons: a crash before this leaves the old files,
    # which `mailflow doctor` then lists as unreferenced, never a row without its file.
    for digest in gone:
        app.archive.path_for(digest).unlink(missing_ok=True)
    return (
        f"{item}: {len(message_ids)} received and {len(outbox_ids)} sent e-mails of case "
        f"{campaign.case_ref} reduced to their headers; {len(gone)} archived files removed. "
        "Rows, documents and metadata are kept; the disposal is recorded."
    )
