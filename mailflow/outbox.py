"""The transactional outbox: e-mails are rows first, and a sender loop delivers them.

A step that wants an e-mail calls :func:`enqueue` inside its own transaction, so the message
exists exactly when the step's effects exist. :func:`flush_outbox` then delivers pending rows.

Exactly once, as far as a sender can know: a row is marked ``sending`` (committed) before
the SMTP transaction, and ``sent`` after the server has the whole message but before the final
dot that makes it accept it (see :meth:`SmtpSender.send`). A crash before that commit leaves
a ``sending`` row the server never accepted: at the next start the Sent folder is searched for
its Message-ID (servers such as Gmail and Microsoft 365 file a copy there themselves) and it
is sent again only if absent. A crash after it leaves a ``sent`` row: never sent again.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mailflow import tokens
from mailflow.app import App
from mailflow.config import Config
from mailflow.db import models, transaction
from mailflow.errors import MailflowError, PermanentError, TransientError
from mailflow.logs import log_context

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


# -- the SMTP edge -------------------------------------------------------------------------


def _smtp_connect(config: Config) -> smtplib.SMTP:
    smtp = config.smtp
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if smtp.security == "tls":
        client = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context
        )
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    try:
        if smtp.security == "starttls":
            client.starttls(context=context)
        if smtp.username and smtp.password:
            client.login(smtp.username, smtp.password)
    except BaseException:
        client.close()  # a failed STARTTLS or login must not leak the socket on every flush
        raise
    return client


def _classify(error: Exception, host: str) -> MailflowError:
    """A 5xx reply is permanent; a 4xx reply or any network trouble is worth a retry."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        text = "; ".join(
            f"{rcpt}: {code} {msg.decode(errors='replace')}"
            for rcpt, (code, msg) in error.recipients.items()
        )
        permanent = all(code >= 500 for code in codes)
        cls = PermanentError if permanent else TransientError
        return cls(f"SMTP {host} refused recipients: {text}")
    if isinstance(error, smtplib.SMTPResponseException):
        text = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        cls = PermanentError if error.smtp_code >= 500 else TransientError
        return cls(f"SMTP {host}: {error.smtp_code} {text}")
    return TransientError(f"SMTP {host}: {type(error).__name__}: {error}")


class SmtpSender:
    """One SMTP connection reused for a whole flush; reopened after any error."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._client: smtplib.SMTP | None = None

    def send(
        self,
        sender: str,
        recipients: Sequence[str],
        raw: bytes,
        before_final_dot: Callable[[], None] | None = None,
    ) -> None:
        """Deliver one message; raises PermanentError (5xx) or TransientError (4xx, network).

        ``before_final_dot`` runs when the server has the whole message but not the final
        ``.`` that makes it accept it. Until the dot, a crash makes the server drop the
        message; after it, the server delivers it whether or not we live to read the 250.
        Recording "sent" at that point leaves no window in which a crash causes a second
        delivery, only one of a few microseconds (the dot's ``send``) in which it could
        cause none.
        """
        try:
            if self._client is None:
                self._client = _smtp_connect(self.config)
            else:
                self._client.rset()
            client = self._client
            client.ehlo_or_helo_if_needed()
            code, reply = client.mail(sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            refused = {}
            for rcpt in recipients:
                code, reply = client.rcpt(rcpt)
                if code not in (250, 251):
                    refused[rcpt] = (code, reply)
            if len(refused) == len(recipients):
                raise smtplib.SMTPRecipientsRefused(refused)
            code, reply = client.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            body = re.sub(rb"(?m)^\.", b"..", raw)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            client.send(body)
            if before_final_dot is not None:
                before_final_dot()
            client.send(b".\r\n")
            try:
                code, reply = client.getreply()
            except (OSError, smtplib.SMTPServerDisconnected) as error:
                # The server has the whole message: it almost surely delivers it. Sending it
                # again would surely duplicate it, so it stays recorded as sent.
                self.close()
                log.warning("SMTP: no answer after the message was sent (%s); kept as sent", error)
                return
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise _classify(error, self.config.smtp.host) from error
        except BaseException:
            self.close()
            raise
        if refused:
            # Some recipients took it: resending would duplicate it for them, so no retry.
            log.warning("SMTP accepted the message only for some recipients: %s", refused)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


def smtp_send(config: Config, sender: str, recipients: Sequence[str], raw: bytes) -> None:
    """Deliver one message on a connection of its own."""
    client = SmtpSender(config)
    try:
        client.send(sender, recipients, raw)
    finally:
        client.close()


def check_smtp_login(config: Config) -> str:
    """Connect and log in (for ``check-config --connect``); returns the server's greeting."""
    try:
        client = _smtp_connect(config)
    except (OSError, smtplib.SMTPException) as error:
        raise _classify(error, config.smtp.host) from error
    try:
        code, text = client.noop()
        return f"{code} {text.decode(errors='replace')}"
    finally:
        client.close()


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
        self._connection: object | None = None

    def _open(self) -> object:
        if self._connection is None:
            from mailflow.intake import imap_login

            self._connection = imap_login(self.app.config)
        return self._connection

    def contains(self, message_id: str) -> bool:
        folder = self.app.config.smtp.sent_folder
        if not folder:
            return False
        connection = self._open()
        return bool(connection.search_header(folder, "Message-ID", message_id))  # type: ignore[attr-defined]

    def append(self, raw: bytes) -> None:
        folder = self.app.config.smtp.sent_folder
        if folder:
            connection = self._open()
            connection.ensure_folder(folder)  # type: ignore[attr-defined]
            connection.append(folder, raw)  # type: ignore[attr-defined]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()  # type: ignore[attr-defined]
            self._connection = None


def recover_interrupted(app: App, sent: SentFolder) -> int:
    """Rows left ``sending`` by a crash: sent if the Sent folder has them, else pending again."""
    with app.sessions() as session:
        ids = list(
            session.scalars(
                select(models.OutboxMessage.id).where(models.OutboxMessage.status == "sending")
            )
        )
    for row_id in ids:
        with transaction(app.sessions) as session:
            row = session.get(models.OutboxMessage, row_id)
            if row is None or row.status != "sending":
                continue
            if sent.contains(row.message_id_header):
                row.status, row.sent_at, row.copied_to_sent = "sent", app.clock.now(), True
                log.info(
                    "outbox row found in Sent after a crash: not sent again",
                    extra=log_context(outbox=row.id, message_id=row.message_id_header),
                )
            else:
                row.status = "pending"
    return len(ids)


def copy_missing_to_sent(app: App, sent: SentFolder) -> None:
    """Sent rows whose copy did not reach the Sent folder yet (a crash, an IMAP outage)."""
    if not app.config.smtp.sent_folder:
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


def _send_one(app: App, row_id: int, smtp: SmtpSender) -> str:
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
        # take the same row on either database.
        taken = session.execute(
            update(models.OutboxMessage)
            .where(models.OutboxMessage.id == row_id, models.OutboxMessage.status == "pending")
            .values(status="sending", attempts=models.OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return "skipped"
        recipients, raw = _addresses(row), row.raw

    def record_sent() -> None:
        with transaction(app.sessions) as session:
            row = session.get(models.OutboxMessage, row_id)
            assert row is not None
            row.status, row.sent_at, row.last_error = "sent", app.clock.now(), None

    try:
        smtp.send(app.config.smtp.from_address, recipients, raw, before_final_dot=record_sent)
    except MailflowError as error:
        # The server refused it (or the line broke) after all: the row was not sent.
        with transaction(app.sessions) as session:
            row = session.get(models.OutboxMessage, row_id)
            assert row is not None
            row.last_error = str(error)
            row.sent_at = None
            if isinstance(error, PermanentError) or row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
            else:
                row.status = "pending"
                row.next_attempt_at = app.clock.now() + backoff(row.attempts)
            status = "failed" if row.status == "failed" else "retry"
        _record_smtp(app, str(error))
        log.warning("outbox send %s: %s", status, error, extra=context)
        return status
    log.info("outbox sent", extra=context)
    return "sent"


def flush_outbox(app: App, limit: int | None = None) -> int:
    """Deliver every due pending row (at most ``limit``); returns how many were sent.

    One sender at a time per data folder (a lock file): a row another live sender is
    delivering right now must not look like one interrupted by a crash.
    """
    from mailflow.intake import file_lock

    with file_lock(app.config.data_dir / "outbox.lock", wait_s=30.0) as locked:
        if not locked:
            log.warning("another process is sending the outbox; skipped")
            return 0
        return _flush(app, limit)


def _flush(app: App, limit: int | None) -> int:
    sent_folder = SentFolder(app)
    smtp = SmtpSender(app.config)
    sent = 0
    try:
        try:
            recover_interrupted(app, sent_folder)
        except TransientError as error:
            # Without the Sent folder we cannot tell whether those went out: wait for IMAP.
            log.warning("cannot check the Sent folder for interrupted sends: %s", error)
        smtp_ok = False
        for row_id in _due_rows(app, limit):
            status = _send_one(app, row_id, smtp)
            if status == "retry":
                break  # the server is down or busy: the rest waits for the next flush
            if status == "sent":
                sent += 1
                smtp_ok = True
                try:
                    copy_missing_to_sent(app, sent_folder)
                except MailflowError as error:
                    log.warning("cannot append to the Sent folder yet: %s", error)
        if smtp_ok:
            _record_smtp(app, None)
        try:
            copy_missing_to_sent(app, sent_folder)
        except MailflowError as error:
            log.warning("cannot append to the Sent folder yet: %s", error)
    finally:
        smtp.close()
        sent_folder.close()
    return sent
