"""The database: what arrived, what was sent, and what happened in each yearly campaign.

Nothing is deleted. A correction is a new row (a new event, a quote that supersedes another),
so the history ISO 9001 asks to keep (9.1.1, 9.2.2 f, 10.2.2) is the tables themselves.
Times are stored in UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = Numeric(14, 2)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Campaign(Base):
    """One yearly run of IN-13."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    case_ref: Mapped[str] = mapped_column(String(64))  # "znak sprawy", e.g. OS.0543.3.2027
    step: Mapped[int] = mapped_column(Integer, default=0)  # current IN-13 step 0..7
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|finished
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    contractor_key: Mapped[str | None] = mapped_column(String(64))
    contract_number: Mapped[str | None] = mapped_column(String(128))
    survey_term: Mapped[date | None] = mapped_column(Date)  # agreed end of the survey
    survey_date: Mapped[date | None] = mapped_column(Date)  # exact date from step 3
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    events: Mapped[list[Event]] = relationship(back_populates="campaign", order_by="Event.id")


class Event(Base):
    """Who did what, when, and from which message or page action: the evidence."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    step: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(64))  # e.g. inquiry_sent, quote_received
    actor: Mapped[str] = mapped_column(String(255))  # e-mail, "system", "web:<user>", "cli"
    via: Mapped[str] = mapped_column(String(16), default="system")  # email|web|cli|system
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    message_id_header: Mapped[str | None] = mapped_column(String(998))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    campaign: Mapped[Campaign | None] = relationship(back_populates="events")


class StoredFile(Base):
    """A file in the content-addressed archive (raw messages, attachments, documents)."""

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Message(Base):
    """An incoming message that is ours, archived before anything acts on it."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("message_id_header", "sha256", name="uq_messages_identity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id_header: Mapped[str] = mapped_column(String(998))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    size: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    from_addr: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    # received -> processed | quarantined (-> retried/dismissed, via the quarantine table)
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    kind: Mapped[str | None] = mapped_column(String(32))
    token: Mapped[str | None] = mapped_column(String(16), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    step: Mapped[int | None] = mapped_column(Integer)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    parsed: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # `mailflow parse` JSON
    server_moved: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # processing tries (crash loops)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    filename: Mapped[str] = mapped_column(String(512))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))


class MailboxState(Base):
    """Where intake stands in one folder: the UIDVALIDITY seen and the highest UID done."""

    __tablename__ = "mailbox_state"

    folder: Mapped[str] = mapped_column(String(255), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    last_poll_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LedgerEntry(Base):
    """Each UID intake has looked at, and what it decided (ours or not)."""

    __tablename__ = "ledger"
    __table_args__ = (UniqueConstraint("folder", "uidvalidity", "uid", name="uq_ledger_uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    folder: Mapped[str] = mapped_column(String(255))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    ours: Mapped[bool] = mapped_column(Boolean)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuarantineEntry(Base):
    """A message that failed somewhere, parked with its reason for a person to look at."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(String(32))  # retried|dismissed|assigned
    resolved_by: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """An e-mail to send, written in the same transaction as the step that wants it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id_header: Mapped[str] = mapped_column(String(998), unique=True)
    token: Mapped[str | None] = mapped_column(String(16), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    step: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str | None] = mapped_column(String(8))  # ZO, POR, KW, WYN, REA, ZAG, AUD
    purpose: Mapped[str] = mapped_column(String(64))  # e.g. inquiry, reminder, confirmation
    recipients: Mapped[list[Any]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)  # the complete message as it will go out
    # pending -> sent | failed; "sending" marks an attempt that may have reached the server
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    copied_to_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    # A message a server took for some recipients only: who has it, and who refused it for
    # good (address -> reply); ``recipients`` then holds those still to be tried.
    delivered_to: Mapped[list[Any] | None] = mapped_column(JSON)
    refused: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Token(Base):
    """A correlation token: which step and party an e-mail of ours was for."""

    __tablename__ = "tokens"

    token: Mapped[str] = mapped_column(String(16), primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    step: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(8))
    purpose: Mapped[str] = mapped_column(String(64))
    party: Mapped[str] = mapped_column(String(320))  # the address it was sent to
    subject_key: Mapped[str | None] = mapped_column(String(64))  # vendor key, role, item
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Document(Base):
    """A generated DOCX (or other file) kept in the archive."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))  # template name
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class Deadline(Base):
    """A date something is due; the scheduler's "what is due now" job reads these rows."""

    __tablename__ = "deadlines"
    __table_args__ = (Index("ix_deadlines_open", "done_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))  # offers, topics, approval, contract, ...
    step: Mapped[int] = mapped_column(Integer)
    party: Mapped[str | None] = mapped_column(String(320))
    subject_key: Mapped[str | None] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    remind_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalate_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    missed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Inquiry(Base):
    """A price inquiry to one survey firm (step 1)."""

    __tablename__ = "inquiries"
    __table_args__ = (UniqueConstraint("campaign_id", "vendor_key", name="uq_inquiries_vendor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    vendor_key: Mapped[str] = mapped_column(String(64))
    vendor_email: Mapped[str] = mapped_column(String(320))
    token: Mapped[str] = mapped_column(String(16))
    # sent|bounced|answered|declined|late|reminded|question
    status: Mapped[str] = mapped_column(String(16), default="sent")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QuoteRecord(Base):
    """A price a vendor quoted; a correction is a new row superseding the earlier one."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    vendor_key: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    net: Mapped[Decimal | None] = mapped_column(Money)
    gross: Mapped[Decimal | None] = mapped_column(Money)
    vat_rate: Mapped[str | None] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3), default="PLN")
    vendor_nip: Mapped[str | None] = mapped_column(String(10))
    valid_until: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id"))


class Approval(Base):
    """One link of a routing chain (comparison, questionnaire, results memo, audit order)."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    item: Mapped[str] = mapped_column(String(32))  # catalogue|comparison|questionnaire|memo|audit
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(32))
    party: Mapped[str] = mapped_column(String(320))
    token: Mapped[str | None] = mapped_column(String(16))
    round: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting|approved|returned
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    escalated_to: Mapped[str | None] = mapped_column(String(320))


class Topic(Base):
    """A topic of the catalogue (step 0)."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32))  # own|results|bok|complaints|unit
    discussion: Mapped[str] = mapped_column(Text, default="")
    contributor: Mapped[str | None] = mapped_column(String(320))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))


class ProgressReport(Base):
    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done: Mapped[int] = mapped_column(Integer)
    target: Mapped[int | None] = mapped_column(Integer)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))


class SurveyResult(Base):
    """The indicators computed from a contractor's data file (``mailflow results`` JSON)."""

    __tablename__ = "survey_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    report: Mapped[dict[str, Any]] = mapped_column(JSON)


class Finding(Base):
    """An irregularity found by a rule, with its evidence."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    rule: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CorrectiveAction(Base):
    """A correction, corrective or preventive action from the audit, chased until done."""

    __tablename__ = "corrective_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # correction|corrective|preventive
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(320))
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class User(Base):
    """A status-page account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # coordinator|viewer|admin
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Sessions live in signed cookies; a cookie is valid only while it carries the user's
    # current generation, so logging out (which bumps it) ends every copy of every session.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ServiceStatus(Base):
    """Last success and last error of each network service (for /healthz and /metrics)."""

    __tablename__ = "service_status"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)  # imap|smtp|scheduler
    last_ok_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
