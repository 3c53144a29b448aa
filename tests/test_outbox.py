"""The outbox against the real SMTP relay and Dovecot: built once, sent once, retried right."""

from __future__ import annotations

import dataclasses
import email
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import select

from mailflow import outbox
from mailflow.app import App, open_app
from mailflow.clock import FakeClock
from mailflow.db import models, transaction
from mailflow.mail.smtp import SmtpConnection
from mailflow.outbox import OutgoingAttachment, SentFolder, backoff, enqueue, flush_outbox
from tests.rig.dovecot import Account, Dovecot
from tests.rig.smtp_relay import SmtpRelay
from tests.test_intake import folder_snapshot, imap_client, rig_config

START = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
COORDINATOR = "coordinator@um.example.pl"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def app(
    tmp_path: Path,
    dovecot: Dovecot,
    mailbox: Account,
    smtp_relay: SmtpRelay,
    clock: FakeClock,
    database_url: str,
) -> Iterator[App]:
    smtp_relay.start()
    smtp_relay.accept()
    smtp_relay.clear()
    dovecot.wipe("coordinator")
    config = rig_config(
        tmp_path,
        dovecot,
        database_url,
        smtp_relay.port,
        changes={"smtp.max_per_recipient_per_hour": "3"},
    )
    application = open_app(config, clock=clock, upgrade=True)
    yield application
    application.close()
    smtp_relay.start()
    smtp_relay.accept()
    smtp_relay.files_sent_into(None)


def queue(app: App, to: str = COORDINATOR, purpose: str = "inquiry", **extra: object) -> int:
    with transaction(app.sessions) as session:
        row = enqueue(
            app,
            session,
            to=[to],
            subject="Zapytanie o cenę – badanie satysfakcji",
            body="Szanowni Państwo,\nzwracamy się z prośbą o ofertę.\n",
            purpose=purpose,
            **extra,  # type: ignore[arg-type]
        )
        return row.id


def aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def row(app: App, row_id: int) -> models.OutboxMessage:
    with app.sessions() as session:
        found = session.get(models.OutboxMessage, row_id)
        assert found is not None
        return found


def test_it_builds_the_whole_message_when_queued(app: App) -> None:
    row_id = queue(
        app,
        code="ZO",
        token="7kq2mx4d",
        year=2027,
        attachments=[
            OutgoingAttachment("Zapytanie ofertowe – łódź.pdf", "application/pdf", b"%PDF-1")
        ],
        in_reply_to="<abc@example.com>",
    )

    queued = row(app, row_id)
    message = email.message_from_bytes(queued.raw, policy=policy.default)
    assert queued.status == "pending" and queued.token == "7kq2mx4d"
    assert message["Message-ID"] == "<IN13-2027-ZO-7kq2mx4d.20270301093000@um.example.pl>"
    assert queued.message_id_header == message["Message-ID"]
    assert message["Subject"] == ("Zapytanie o cenę – badanie satysfakcji [IN13-2027-ZO-7kq2mx4d]")
    assert b"=?utf-8?" in queued.raw.split(b"\r\n\r\n")[0]  # RFC 2047 on the wire
    assert message["Reply-To"] == "ankieta+7kq2mx4d@um.example.pl"
    assert message["From"].addresses[0].addr_spec == "ankieta@um.example.pl"
    assert message["From"].addresses[0].display_name == "Urząd Miasta Przykładowo"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Mailflow-Loop"] == "um.example.pl"
    assert message["In-Reply-To"] == "<abc@example.com>"
    assert message["References"] == "<abc@example.com>"
    assert message["Date"].datetime == START
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "Zapytanie ofertowe – łódź.pdf"
    assert b"filename*=" in queued.raw  # RFC 2231
    assert "zwracamy się z prośbą" in message.get_body().get_content()  # type: ignore[union-attr]


def test_it_sends_once_and_files_a_copy_in_sent(
    app: App, smtp_relay: SmtpRelay, mailbox: Account
) -> None:
    row_id = queue(app)

    assert flush_outbox(app) == 1
    assert flush_outbox(app) == 0

    sent = row(app, row_id)
    assert sent.status == "sent" and sent.copied_to_sent and aware(sent.sent_at) == START
    assert [m.rcpt_tos for m in smtp_relay.accepted] == [(COORDINATOR,)]
    copies = folder_snapshot(mailbox, "Sent")
    assert [raw for raw, _ in copies.values()] == [sent.raw]
    with app.sessions() as session:
        status = session.get(models.ServiceStatus, "smtp")
        assert status is not None and status.last_ok_at is not None


def test_it_retries_with_backoff_while_the_smtp_server_is_down(
    app: App, smtp_relay: SmtpRelay, clock: FakeClock
) -> None:
    row_id = queue(app)
    smtp_relay.stop()

    assert flush_outbox(app) == 0
    waiting = row(app, row_id)
    assert waiting.status == "pending" and waiting.attempts == 1
    assert waiting.next_attempt_at is not None and waiting.last_error
    smtp_relay.start()
    assert flush_outbox(app) == 0  # not due yet
    clock.advance(backoff(1))

    assert flush_outbox(app) == 1
    assert row(app, row_id).status == "sent"
    assert len(smtp_relay.accepted) == 1


def test_it_retries_on_4xx_and_gives_up_on_5xx(app: App, smtp_relay: SmtpRelay) -> None:
    temporary, permanent = queue(app), queue(app, to="nobody-here@um.example.pl")
    smtp_relay.refuse("451 4.3.0 try again later", at="MAIL")

    flush_outbox(app)
    smtp_relay.accept()
    assert row(app, temporary).status == "pending"
    assert "451" in (row(app, temporary).last_error or "")

    with transaction(app.sessions) as session:
        for row_id in (temporary, permanent):
            session.get(models.OutboxMessage, row_id).next_attempt_at = None  # type: ignore[union-attr]
    flush_outbox(app)

    failed = row(app, permanent)
    assert failed.status == "failed" and "550" in (failed.last_error or "")
    assert row(app, temporary).status == "sent"


def test_it_does_not_send_again_what_the_sent_folder_already_has(
    app: App, smtp_relay: SmtpRelay, mailbox: Account
) -> None:
    delivered, lost = queue(app), queue(app)
    # A crash left one at the final dot, accepted (its copy is in Sent), and one before it.
    with transaction(app.sessions) as session:
        session.get(models.OutboxMessage, delivered).status = "final_dot"  # type: ignore[union-attr]
        session.get(models.OutboxMessage, lost).status = "sending"  # type: ignore[union-attr]
    with imap_client(mailbox) as connection:
        connection.append("Sent", row(app, delivered).raw)

    flush_outbox(app)

    assert row(app, delivered).status == "sent"
    assert row(app, lost).status == "sent"
    ids = [m.data for m in smtp_relay.accepted]
    assert len(ids) == 1 and row(app, lost).message_id_header.encode() in ids[0]
    assert len(folder_snapshot(mailbox, "Sent")) == 2


def test_it_holds_back_mail_over_the_per_recipient_hourly_cap(
    app: App, smtp_relay: SmtpRelay, clock: FakeClock
) -> None:
    cap = app.config.smtp.max_per_recipient_per_hour
    rows = [queue(app) for _ in range(cap + 2)]

    assert flush_outbox(app) == cap
    held = row(app, rows[-1])
    assert held.status == "pending" and "cap" in (held.last_error or "")
    clock.advance(timedelta(hours=1, seconds=1))
    assert flush_outbox(app) == 2


def test_it_refuses_to_answer_an_automatic_message(app: App, smtp_relay: SmtpRelay) -> None:
    row_id = queue(app, purpose="auto_answer")

    assert flush_outbox(app) == 0

    refused = row(app, row_id)
    assert refused.status == "failed" and "automatic" in (refused.last_error or "")
    assert smtp_relay.accepted == []


def test_it_stores_every_message_id_it_sends(app: App) -> None:
    first, second = queue(app), queue(app)
    with app.sessions() as session:
        ids = list(session.scalars(select(models.OutboxMessage.message_id_header)))
    assert (
        len(set(ids)) == 2
        and row(app, first).message_id_header != row(app, second).message_id_header
    )


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, nothing catches it."""


def test_a_crash_before_the_final_dot_sends_it_once_after_the_restart(
    app: App, smtp_relay: SmtpRelay, mailbox: Account
) -> None:
    row_id = queue(app)

    class DiesBeforeTheDot(SmtpConnection):
        def send(self, *args: object, **kwargs: object) -> None:
            def die() -> None:
                raise Killed

            super().send(*args[:3], die)  # type: ignore[arg-type]

    with pytest.raises(Killed), DiesBeforeTheDot.from_config(app.config) as connection:
        outbox._send_one(app, row_id, connection)
    assert row(app, row_id).status == "sending"
    assert smtp_relay.accepted == []  # the server dropped the message without its dot

    assert flush_outbox(app) == 1

    assert row(app, row_id).status == "sent" and len(smtp_relay.accepted) == 1
    assert len(folder_snapshot(mailbox, "Sent")) == 1


def test_a_crash_after_the_sent_copy_before_the_commit_does_not_send_again(
    app: App, smtp_relay: SmtpRelay, mailbox: Account
) -> None:
    row_id = queue(app)

    class DiesAfterTheCopy(SentFolder):
        def append(self, raw: bytes) -> None:
            super().append(raw)
            raise Killed

    sent = DiesAfterTheCopy(app)
    try:
        with pytest.raises(Killed), SmtpConnection.from_config(app.config) as connection:
            outbox._send_one(app, row_id, connection, sent)
    finally:
        sent.close()
    assert row(app, row_id).status == "final_dot" and len(smtp_relay.accepted) == 1

    assert flush_outbox(app) == 0

    recovered = row(app, row_id)
    assert recovered.status == "sent" and recovered.copied_to_sent
    assert len(smtp_relay.accepted) == 1
    assert len(folder_snapshot(mailbox, "Sent")) == 1


def test_the_sent_copy_is_filed_only_after_the_server_accepted(
    app: App, smtp_relay: SmtpRelay, mailbox: Account
) -> None:
    row_id = queue(app)
    smtp_relay.refuse("554 5.7.1 Message rejected as spam", at="DATA")

    flush_outbox(app)

    assert row(app, row_id).status == "failed"
    assert folder_snapshot(mailbox, "Sent") == {}


def test_a_sent_copy_that_imap_refused_is_filed_at_the_next_flush(
    app: App, smtp_relay: SmtpRelay, mailbox: Account, dovecot: Dovecot
) -> None:
    row_id = queue(app)

    class ImapDown(SentFolder):
        def append(self, raw: bytes) -> None:
            from mailflow.errors import TransientError

            raise TransientError("IMAP 127.0.0.1: connection refused")

    with SmtpConnection.from_config(app.config) as connection:
        assert outbox._send_one(app, row_id, connection, ImapDown(app)) == "sent"
    waiting = row(app, row_id)
    assert waiting.status == "sent" and not waiting.copied_to_sent

    flush_outbox(app)

    assert row(app, row_id).copied_to_sent
    assert len(folder_snapshot(mailbox, "Sent")) == 1 and len(smtp_relay.accepted) == 1


def server_files_sent(
    app: App, smtp_relay: SmtpRelay, mailbox: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """[smtp] server_files_sent = true, and a server that does so, as Gmail and M365."""
    smtp = dataclasses.replace(app.config.smtp, server_files_sent=True)
    monkeypatch.setattr(app, "config", dataclasses.replace(app.config, smtp=smtp))
    smtp_relay.files_sent_into(mailbox)


def test_a_server_that_files_sent_itself_gets_no_second_copy_and_no_resend(
    app: App, smtp_relay: SmtpRelay, mailbox: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    server_files_sent(app, smtp_relay, mailbox, monkeypatch)
    sent_row, crashed = queue(app), queue(app)

    assert flush_outbox(app, limit=1) == 1
    with transaction(app.sessions) as session:
        # As if killed right after the server's 250: the server has filed it, we did not commit.
        session.get(models.OutboxMessage, crashed).status = "final_dot"  # type: ignore[union-attr]
    with SmtpConnection.from_config(app.config) as connection:
        connection.send(app.config.smtp.from_address, [COORDINATOR], row(app, crashed).raw)

    flush_outbox(app)

    assert row(app, sent_row).status == "sent" and row(app, sent_row).copied_to_sent
    assert row(app, crashed).status == "sent" and row(app, crashed).copied_to_sent
    assert len(smtp_relay.accepted) == 2
    assert len(folder_snapshot(mailbox, "Sent")) == 2


def set_status(app: App, row_id: int, status: str) -> None:
    with transaction(app.sessions) as session:
        session.get(models.OutboxMessage, row_id).status = status  # type: ignore[union-attr]


def test_a_crash_at_the_final_dot_without_a_sent_copy_waits_for_a_person(
    app: App, smtp_relay: SmtpRelay, mailbox: Account
) -> None:
    resent, recorded = queue(app), queue(app)
    for row_id in (resent, recorded):
        set_status(app, row_id, "final_dot")  # accepted or not: nobody can tell

    flush_outbox(app)

    assert smtp_relay.accepted == []  # never a silent second copy
    for row_id in (resent, recorded):
        assert row(app, row_id).status == "uncertain"
        assert "mailflow outbox" in (row(app, row_id).last_error or "")
    assert outbox.resolve_uncertain(app, resent, resend=True, actor="cli").endswith("again.")
    assert "recorded as sent" in outbox.resolve_uncertain(app, recorded, resend=False, actor="cli")
    flush_outbox(app)
    assert len(smtp_relay.accepted) == 1 and row(app, resent).status == "sent"
    assert row(app, recorded).status == "sent"


def test_a_server_that_files_sent_itself_settles_a_crash_at_the_final_dot(
    app: App, smtp_relay: SmtpRelay, mailbox: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    server_files_sent(app, smtp_relay, mailbox, monkeypatch)
    row_id = queue(app)
    set_status(app, row_id, "final_dot")  # not in Sent: the server did not accept it

    flush_outbox(app)

    assert row(app, row_id).status == "sent" and len(smtp_relay.accepted) == 1


def test_no_answer_to_the_final_dot_is_decided_later_never_resent_blindly(
    app: App,
    smtp_relay: SmtpRelay,
    mailbox: Account,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp = dataclasses.replace(app.config.smtp, final_reply_timeout_seconds=1)
    monkeypatch.setattr(app, "config", dataclasses.replace(app.config, smtp=smtp))
    row_id = queue(app)
    smtp_relay.delay_final_reply(3)  # delivered, but the 250 comes too late

    assert flush_outbox(app) == 0
    held = row(app, row_id)
    assert held.status == "final_dot" and "no reply to the final dot" in (held.last_error or "")
    assert folder_snapshot(mailbox, "Sent") == {}  # no copy of what may not have gone
    smtp_relay.accept()
    flush_outbox(app)
    assert row(app, row_id).status == "final_dot"  # not before a minute passed
    clock.advance(timedelta(seconds=61))
    flush_outbox(app)

    assert row(app, row_id).status == "uncertain"
    assert len(smtp_relay.accepted) == 1


def test_a_greylisted_recipient_gets_the_message_later_and_only_once(
    app: App, smtp_relay: SmtpRelay, mailbox: Account, clock: FakeClock
) -> None:
    row_id = queue(app, cc=["ankieta@um.example.pl"])
    smtp_relay.refuse_recipient("ankieta@um.example.pl", "451 4.7.1 greylisted")

    flush_outbox(app)

    waiting = row(app, row_id)
    assert waiting.status == "pending" and waiting.recipients == ["ankieta@um.example.pl"]
    assert [m.rcpt_tos for m in smtp_relay.accepted] == [(COORDINATOR,)]
    smtp_relay.accept()
    clock.advance(timedelta(hours=2))
    flush_outbox(app)

    assert row(app, row_id).status == "sent"
    assert [m.rcpt_tos for m in smtp_relay.accepted][-1] == ("ankieta@um.example.pl",)
    assert len(folder_snapshot(mailbox, "Sent")) == 1  # one copy of one message


def test_a_recipient_refused_for_good_shows_the_row_to_a_person(
    app: App, smtp_relay: SmtpRelay
) -> None:
    from mailflow.queries import status_summary

    row_id = queue(app, cc=["nobody-here@um.example.pl"])

    flush_outbox(app)

    assert row(app, row_id).status == "partial" and "550" in (row(app, row_id).last_error or "")
    assert len(smtp_relay.accepted) == 1
    with app.sessions() as session:
        assert status_summary(session)["outbox"]["failed"] == 1


def test_an_address_smtp_cannot_carry_fails_its_row_and_not_the_outbox(
    app: App, smtp_relay: SmtpRelay
) -> None:
    odd, fine = queue(app, to="zażółć@um.example.pl"), queue(app)

    flush_outbox(app)

    assert row(app, odd).status == "failed"
    assert row(app, fine).status == "sent"


def test_a_refused_sender_holds_the_queue_instead_of_failing_every_message(
    app: App, smtp_relay: SmtpRelay
) -> None:
    first, second = queue(app), queue(app)
    smtp_relay.refuse("553 5.7.1 Sender address rejected: not owned by user", at="MAIL")

    assert flush_outbox(app) == 0

    held = row(app, first)
    assert held.status == "pending" and "553" in (held.last_error or "")
    assert row(app, second).status == "pending" and row(app, second).attempts == 0


def test_a_retry_after_a_partial_delivery_is_never_settled_by_the_first_copy(
    app: App, smtp_relay: SmtpRelay, clock: FakeClock
) -> None:
    row_id = queue(app, cc=["ankieta@um.example.pl"])
    smtp_relay.refuse_recipient("ankieta@um.example.pl", "451 4.7.1 greylisted")
    flush_outbox(app)
    smtp_relay.accept()
    set_status(app, row_id, "final_dot")  # the retry died at its dot: Sent has the first copy
    clock.advance(timedelta(hours=2))

    flush_outbox(app)

    assert row(app, row_id).status == "uncertain"
    assert row(app, row_id).delivered_to == [COORDINATOR]


def test_a_recipient_refused_for_good_stays_shown_after_a_deferred_one_got_it(
    app: App, smtp_relay: SmtpRelay, clock: FakeClock
) -> None:
    row_id = queue(app, cc=["ankieta@um.example.pl", "nobody-here@um.example.pl"])
    smtp_relay.refuse_recipient("ankieta@um.example.pl", "451 4.7.1 greylisted")
    flush_outbox(app)
    smtp_relay.accept()
    clock.advance(timedelta(hours=2))

    flush_outbox(app)

    done = row(app, row_id)
    assert done.status == "partial" and "nobody-here@um.example.pl" in (done.last_error or "")
    assert done.refused == {"nobody-here@um.example.pl": 550}
    assert sorted(done.delivered_to or []) == sorted([COORDINATOR, "ankieta@um.example.pl"])


def test_one_deferred_message_does_not_hold_back_the_others(
    app: App, smtp_relay: SmtpRelay, clock: FakeClock
) -> None:
    waiting = queue(app, to="ankieta@um.example.pl")
    smtp_relay.refuse_recipient("ankieta@um.example.pl", "451 4.7.1 greylisted")
    other = queue(app)

    flush_outbox(app)

    assert row(app, waiting).status == "pending" and row(app, other).status == "sent"
