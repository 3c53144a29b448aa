"""The transactional outbox: e-mails are rows first, and a sender loop delivers them.

A step that wants an e-mail calls :func:`enqueue` inside its own transaction, so the message
exists exactly when the step's effects exist. :func:`flush_outbox` then delivers pending rows.

Exactly once, as far as a sender can know; where it cannot know, a person decides. A row
goes ``pending`` -> ``sending`` (committed before the SMTP transaction) -> ``final_dot``
(committed when the server has the whole message, just before the final dot that makes it
accept it) -> ``sent`` (committed after the server's 250 and the Sent copy). A ``sent`` row is
never sent again. After a crash:

- ``sending``: the dot never went out, so the server dropped the message: sent again.
- ``final_dot``: the server may or may not have accepted it. The Sent folder is searched for
  its Message-ID: found means accepted (``sent``). Not found is certain only where the server
  files accepted mail in Sent itself (Gmail, Microsoft 365: ``[smtp] server_files_sent``):
  then it is sent again. Otherwise our own copy goes to Sent only after the 250, so absence
  proves nothing; the row becomes ``uncertain`` and is shown to a person, who resends it or
  marks it sent (``mailflow outbox``). Never a silent second copy, never a silent loss.

A lost reply to the final dot (connection broken, no answer within ten minutes) is the same
unknown: the row stays ``final_dot`` and the next flush, a minute later, decides as above.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mailflow import tokens
from mailflow.app import App
from mailflow.config import Config
from mailflow.db import models, transaction
from mailflow.errors import MailflowError, PermanentError, UserError
from mailflow.logs import log_context
from mailflow.mail.smtp import (
    ConnectionLost,
    PartlyAccepted,
    RecipientsDeferred,
    SenderRefused,
    SmtpConnection,
)

if TYPE_CHECKING:
    from mailflow.mail.imap import ImapConnection

log = logging.getLogger(__name__)

LOOP_HEADER = "X-Mailflow-Loop"
# Purposes that would answer an automatic message automatically: refused outright.
FORBIDDEN_PURPOSES = ("auto_answer",)
# Backoff after a temporary failure: 1 min, 2, 4, ... capped at one hour.
FIRST_RETRY_S = 60
MAX_RETRY_S = 3600
# After this many temporary failures the row is failed and shown to a person.
MAX_ATTEMPTS = 30


@dataclass(frozen=True)
class OutgoingAttachment:
    filename: str
    content_type: str
    data: bytes


def _message_id(app: App, code: str | None, token: str | None, year: int | None) -> str:
    domain = app.config.smtp.domain
    if code and token and year:
        return tokens.make_message_id(year, code, token, domain, app.clock.now())
    return f"<mailflow.{uuid.uuid4().hex}@{domain}>"


def build_message(
    app: App,
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    message_id: str,
    token: str | None = None,
    attachments: Sequence[OutgoingAttachment] = (),
    cc: Sequence[str] = (),
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
) -> EmailMessage:
    """The complete MIME message; Polish text and file names are encoded by the email package.

    ``email.policy.SMTP`` writes RFC 2047 encoded words for non-ASCII headers and RFC 2231
    parameters for non-ASCII file names, with CRLF line ends as on the wire.
    """
    smtp = app.config.smtp
    message = EmailMessage()
    message["From"] = formataddr((app.config.office.name, smtp.from_address))
    if token:
        message["Reply-To"] = tokens.plus_address(smtp.from_address, token)
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(app.clock.now())
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    refs = list(references) or ([in_reply_to] if in_reply_to else [])
    if refs:
        message["References"] = " ".join(refs)
    # RFC 3834: automatic responders must not answer us; the loop header lets our own intake
    # recognise its own mail if it ever comes back.
    message["Auto-Submitted"] = "auto-generated"
    message[LOOP_HEADER] = smtp.domain
    message.set_content(body, subtype="plain", charset="utf-8", cte="quoted-printable")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return message


def enqueue(
    app: App,
    session: Session,
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    purpose: str,
    code: str | None = None,
    token: str | None = None,
    year: int | None = None,
    campaign_id: int | None = None,
    step: int | None = None,
    attachments: Sequence[OutgoingAttachment] = (),
    cc: Sequence[str] = (),
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
) -> models.OutboxMessage:
    """Add one fully built e-mail to the outbox; the caller's transaction commits it."""
    if not to:
        raise PermanentError("an e-mail needs at least one recipient")
    if code and token and year:
        subject = f"{subject} {tokens.subject_tag(year, code, token)}"
    message_id = _message_id(app, code, token, year)
    message = build_message(
        app,
        to=to,
        subject=subject,
        body=body,
        message_id=message_id,
        token=token,
        attachments=attachments,
        cc=cc,
        in_reply_to=in_reply_to,
        references=references,
    )
    row = models.OutboxMessage(
        message_id_header=message_id,
        token=token,
        campaign_id=campaign_id,
        step=step,
        code=code,
        purpose=purpose,
        recipients=[*to, *cc],
        subject=subject,
        raw=message.as_bytes(policy=message.policy.clone(linesep="\r\n")),
        status="pending",
        attempts=0,
        next_attempt_at=None,
        created_at=app.clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def our_message_ids(session: Session, ids: Sequence[str]) -> set[str]:
    """Which of these Message-IDs (with angle brackets) are e-mails we queued or sent."""
    wanted = [i for i in ids if i]
    if not wanted:
        return set()
    found = session.scalars(
        select(models.OutboxMessage.message_id_header).where(
            models.OutboxMessage.message_id_header.in_(wanted)
        )
    )
    return set(found)


# -- the SMTP edge (mailflow.mail.smtp) ---------------------------------------------------


def check_smtp_login(config: Config) -> str:
    """Connect and log in (for ``check-config --connect``); returns the server's NOOP reply."""
    with SmtpConnection.from_config(config) as connection:
        return connection.noop()


# -- the sender loop -----------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(FIRST_RETRY_S * 2 ** max(attempts - 1, 0), MAX_RETRY_S))


def _addresses(row: models.OutboxMessage) -> list[str]:
    return [addr.lower() for _, addr in getaddresses(list(row.recipients)) if addr]


def _over_rate_cap(app: App, session: Session, row: models.OutboxMessage) -> datetime | None:
    """When a recipient already got the hourly maximum: the time the next one may go."""
    cap = app.config.smtp.max_per_recipient_per_hour
    if cap <= 0:
        return None
    since = app.clock.now() - timedelta(hours=1)
    recent = session.scalars(
        select(models.OutboxMessage).where(
            models.OutboxMessage.status == "sent", models.OutboxMessage.sent_at >= since
        )
    ).all()
    for address in _addresses(row):
        sent_times = sorted(
            _aware(r.sent_at) for r in recent if r.sent_at and address in _addresses(r)
        )
        if len(sent_times) >= cap:
            return sent_times[-cap] + timedelta(hours=1)
    return None


def _due_rows(app: App, limit: int | None) -> list[int]:
    now = app.clock.now()
    with app.sessions() as session:
        query = (
            select(models.OutboxMessage.id, models.OutboxMessage.next_attempt_at)
            .where(models.OutboxMessage.status == "pending")
            .order_by(models.OutboxMessage.id)
        )
        rows = session.execute(query).all()
    due = [row_id for row_id, at in rows if at is None or _aware(at) <= now]
    return due[:limit] if limit is not None else due


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; every time we store is UTC."""
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SentFolder:
    """The IMAP Sent folder, opened lazily and only when a row needs it."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.folder = app.config.smtp.sent_folder
        self._connection: ImapConnection | None = None
        self._ensured = False

    def _open(self) -> ImapConnection:
        if self._connection is None:
            from mailflow.intake import imap_login

            self._connection = imap_login(self.app.config)
        return self._connection

    def contains(self, message_id: str) -> bool:
        if not self.folder:
            return False
        try:
            return bool(self._open().search_header(self.folder, "Message-ID", message_id))
        except BaseException:
            self.close()  # a broken connection is opened afresh on the next use
            raise

    def append(self, raw: bytes) -> None:
        if not self.folder:
            return
        try:
            connection = self._open()
            if not self._ensured:
                connection.ensure_folder(self.folder)
                self._ensured = True
            connection.append(self.folder, raw)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def recover_interrupted(app: App, sent: SentFolder) -> int:
    """Rows a crash (or a lost reply) left mid-send: sent, sent again, or shown to a person.

    Runs only under the outbox lock, so no live sender is in the middle of such a row. See
    the module docstring for the rules.
    """
    now = app.clock.now()
    with app.sessions() as session:
        rows = session.execute(
            select(models.OutboxMessage.id, models.OutboxMessage.next_attempt_at).where(
                models.OutboxMessage.status.in_(("sending", "final_dot"))
            )
        ).all()
    ids = [row_id for row_id, due in rows if due is None or _aware(due) <= now]
    for row_id in ids:
        with transaction(app.sessions) as session:
            row = session.get(models.OutboxMessage, row_id)
            if row is None or row.status not in ("sending", "final_dot"):
                continue
            context = log_context(outbox=row.id, message_id=row.message_id_header)
            if row.status == "sending":
                row.status = "pending"  # the final dot never went out: the server dropped it
                continue
            # A retry for the recipients left after a partial delivery: the Sent folder holds
            # the earlier delivery's copy under the same Message-ID, so it proves nothing.
            searchable = bool(app.config.smtp.sent_folder) and not row.delivered_to
            try:
                found = searchable and sent.contains(row.message_id_header)
            except PermanentError as error:  # e.g. no such Sent folder: a person must look
                found, searchable = False, False
                row.last_error = f"cannot search the Sent folder: {error}"
            if found:
                row.status, row.sent_at, row.copied_to_sent = "sent", app.clock.now(), True
                log.info("outbox row found in Sent: accepted, not sent again", extra=context)
            elif searchable and app.config.smtp.server_files_sent:
                row.status = "pending"  # the server files what it accepts: it did not
                log.info("outbox row not in Sent: not accepted, sent again", extra=context)
            else:
                row.status = "uncertain"
                row.last_error = (
                    row.last_error or "the server may or may not have accepted it"
                ) + "; resend it or mark it sent: mailflow outbox"
                log.warning("outbox row uncertain: a person decides", extra=context)
    return len(ids)


def resolve_uncertain(app: App, row_id: int, resend: bool, actor: str) -> str:
    """A person's answer for an ``uncertain`` row: send it again, or it was sent."""
    with transaction(app.sessions) as session:
        row = session.get(models.OutboxMessage, row_id)
        if row is None or row.status != "uncertain":
            raise UserError.of("outbox row %(id)s is not waiting for a decision", id=row_id)
        if resend:
            row.status, row.next_attempt_at = "pending", None
        else:
            row.status, row.sent_at = "sent", app.clock.now()
        row.last_error = f"{'resend' if resend else 'marked sent'} by {actor}"
        via = "web" if actor.startswith("web:") else "cli" if actor == "cli" else "system"
        session.add(
            models.Event(
                campaign_id=row.campaign_id,
                at=app.clock.now(),
                step=row.step,
                action="outbox_resent" if resend else "outbox_marked_sent",
                actor=actor,
                via=via,
                message_id_header=row.message_id_header,
                details={"outbox": row.id, "recipients": list(row.recipients)},
            )
        )
    return f"Outbox row {row_id}: {'will be sent again' if resend else 'recorded as sent'}."


def copy_missing_to_sent(app: App, sent: SentFolder) -> None:
    """Sent rows whose copy did not reach the Sent folder yet (an IMAP outage)."""
    if not app.config.smtp.sent_folder or app.config.smtp.server_files_sent:
        return
    with app.sessions() as session:
        ids = list(
            session.scalars(
                select(models.OutboxMessage.id).where(
                    models.OutboxMessage.status == "sent",
                    models.OutboxMessage.copied_to_sent.is_(False),
                )
            )
        )
    for row_id in ids:
        with transaction(app.sessions) as session:
            row = session.get(models.OutboxMessage, row_id)
            if row is None or row.copied_to_sent:
                continue
            if not sent.contains(row.message_id_header):
                sent.append(row.raw)
            row.copied_to_sent = True


def _record_smtp(app: App, error: str | None) -> None:
    with transaction(app.sessions) as session:
        status = session.get(models.ServiceStatus, "smtp")
        if status is None:
            status = models.ServiceStatus(name="smtp")
            session.add(status)
        if error is None:
            status.last_ok_at = app.clock.now()
        else:
            status.last_error_at, status.last_error = app.clock.now(), error


def _file_in_sent(app: App, sent: SentFolder, raw: bytes, context: dict[str, object]) -> bool:
    """Append the accepted message to Sent; False if IMAP failed (copied later)."""
    if not app.config.smtp.sent_folder:
        return False
    if app.config.smtp.server_files_sent:
        return True  # the server filed it as it accepted it
    try:
        sent.append(raw)
    except MailflowError as error:
        # The row still becomes "sent": it was accepted. copy_missing_to_sent retries the
        # copy, and until then a crash could not resend it either.
        log.warning("cannot append to the Sent folder yet: %s", error, extra=context)
        return False
    return True


def _send_one(app: App, row_id: int, smtp: SmtpConnection, sent: SentFolder | None = None) -> str:
    """Deliver one row: sent, retry (temporary failure), pending (held), failed or skipped."""
    with transaction(app.sessions) as session:
        row = session.get(models.OutboxMessage, row_id)
        if row is None or row.status != "pending":
            return "skipped"
        context = log_context(outbox=row.id, message_id=row.message_id_header, purpose=row.purpose)
        if row.purpose in FORBIDDEN_PURPOSES:
            row.status, row.last_error = "failed", "refused: never answer an automatic message"
            log.warning("outbox row refused: automatic answer", extra=context)
            return "failed"
        later = _over_rate_cap(app, session, row)
        if later is not None:
            row.next_attempt_at = later
            row.last_error = "per-recipient hourly cap reached (possible mail loop)"
            log.warning("outbox row held back by the rate cap", extra=context)
            return "pending"
        # A conditional update, so two senders (two processes, two threads) cannot both
        # take the same row on either database. Committed before the SMTP transaction: a
        # crash from here on leaves a "sending" row for recover_interrupted.
        taken = session.execute(
            update(models.OutboxMessage)
            .where(models.OutboxMessage.id == row_id, models.OutboxMessage.status == "pending")
            .values(status="sending", attempts=models.OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return "skipped"
        recipients, raw = _addresses(row), row.raw

    def at_final_dot() -> None:
        # Committed while the server waits for the dot: from here on a crash or a lost
        # reply leaves a row whose outcome only the Sent folder (or a person) can tell.
        with transaction(app.sessions) as marking:
            marking.execute(
                update(models.OutboxMessage)
                .where(models.OutboxMessage.id == row_id)
                .values(status="final_dot")
                .execution_options(synchronize_session=False)
            )
        final_dot.append(True)

    final_dot: list[bool] = []
    note: str | None = None
    retry_for: dict[str, int] = {}
    refused_now: dict[str, int] = {}
    try:
        smtp.send(app.config.smtp.from_address, recipients, raw, at_final_dot)
    except PartlyAccepted as error:
        # It went out to some recipients: sending it again would duplicate it for them.
        note = str(error)
        refused_now = dict(error.refused)
        retry_for = {rcpt: code for rcpt, code in error.refused.items() if 400 <= code < 500}
        log.warning("SMTP accepted the message only for some recipients: %s", error, extra=context)
    except ConnectionLost as error:
        if not final_dot:
            return _not_sent(app, row_id, error, context)
        with transaction(app.sessions) as session:
            row = session.get(models.OutboxMessage, row_id)
            assert row is not None
            row.last_error = f"no reply to the final dot: {error}"
            row.next_attempt_at = app.clock.now() + timedelta(seconds=FIRST_RETRY_S)
        log.warning("outbox: no reply to the final dot; decided later", extra=context)
        return "held"
    except MailflowError as error:
        return _not_sent(app, row_id, error, context)
    own_sent = sent if sent is not None else SentFolder(app)
    try:
        with app.sessions() as session:
            already = session.get(models.OutboxMessage, row_id)
            copied = bool(already and already.copied_to_sent)  # an earlier partial send
        copied = copied or _file_in_sent(app, own_sent, raw, context)
    finally:
        if sent is None:
            own_sent.close()
    with transaction(app.sessions) as session:
        row = session.get(models.OutboxMessage, row_id)
        assert row is not None
        row.copied_to_sent = copied
        row.sent_at = app.clock.now()
        if refused_now or row.delivered_to:
            took = [rcpt for rcpt in recipients if rcpt not in refused_now]
            row.delivered_to = [*(row.delivered_to or []), *took]
        permanent = {rcpt: code for rcpt, code in refused_now.items() if code >= 500}
        if permanent:
            row.refused = {**(row.refused or {}), **permanent}
        if retry_for:
            # Greylisted or a full mailbox: the same message for those recipients only,
            # later, on this row (so a crash then cannot be settled by the Sent copy).
            row.recipients = list(retry_for)
            row.status, row.last_error = "pending", note
            row.next_attempt_at = app.clock.now() + backoff(row.attempts)
        elif row.refused:
            # Out to some, refused for good for others: shown to a person, whatever the order.
            row.status = "partial"
            row.last_error = note or "refused for good: " + ", ".join(
                f"{rcpt} ({code})" for rcpt, code in row.refused.items()
            )
        else:
            row.status, row.last_error = "sent", None
    log.info("outbox sent", extra=context)
    return "sent"


def _not_sent(app: App, row_id: int, error: MailflowError, context: dict[str, object]) -> str:
    """The server refused the message or the line broke before the final dot."""
    with transaction(app.sessions) as session:
        row = session.get(models.OutboxMessage, row_id)
        assert row is not None
        row.last_error = str(error)
        if not row.delivered_to:
            row.sent_at = None  # (a partial delivery keeps its time: some have the message)
        # A UserError (bad login, untrusted certificate) or a refused sender waits for a
        # person like a 4xx: failing every queued e-mail over a settings mistake would lose
        # them all.
        about_all = isinstance(error, SenderRefused)
        if (isinstance(error, PermanentError) and not about_all) or row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
        else:
            row.status = "pending"
            row.next_attempt_at = app.clock.now() + backoff(row.attempts)
        # Only a problem with the server or the connection holds back the rest of the queue;
        # deferred recipients concern their own message.
        if row.status == "failed":
            status = "failed"
        else:
            status = "deferred" if isinstance(error, RecipientsDeferred) else "retry"
    _record_smtp(app, str(error))
    log.warning("outbox send %s: %s", status, error, extra=context)
    return status


def flush_outbox(app: App, limit: int | None = None) -> int:
    """Deliver every due pending row (at most ``limit``); returns how many were sent.

    One sender at a time per data folder (a lock file): a row another live sender is
    delivering right now must not look like one interrupted by a crash.
    """
    from mailflow.locks import exclusive

    with exclusive(app, "outbox", wait_s=30.0) as locked:
        if not locked:
            log.warning("another process is sending the outbox; skipped")
            return 0
        return _flush(app, limit)


def _flush(app: App, limit: int | None) -> int:
    sent_folder = SentFolder(app)
    smtp = SmtpConnection.from_config(app.config)
    sent = 0
    try:
        try:
            recover_interrupted(app, sent_folder)
        except MailflowError as error:
            # Without the Sent folder we cannot tell whether those went out: they stay
            # "sending" until IMAP answers; the rest of the outbox need not wait.
            log.warning("cannot check the Sent folder for interrupted sends: %s", error)
        for row_id in _due_rows(app, limit):
            try:
                status = _send_one(app, row_id, smtp, sent_folder)
            except Exception as error:  # a bug or an odd message must not stop the outbox
                log.exception("outbox row failed unexpectedly", extra=log_context(outbox=row_id))
                first = (str(error).splitlines() or [""])[0]
                status = _not_sent(
                    app, row_id, PermanentError(f"{type(error).__name__}: {first}"), {}
                )
            if status == "retry":
                break  # the server is down or busy: the rest waits for the next flush
            if status == "sent":
                sent += 1
        if sent:
            _record_smtp(app, None)
        try:
            copy_missing_to_sent(app, sent_folder)
        except MailflowError as error:
            log.warning("cannot append to the Sent folder yet: %s", error)
    finally:
        smtp.close()
        sent_folder.close()
    return sent
