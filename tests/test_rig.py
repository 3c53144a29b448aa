"""The test rig itself: SMTP in, IMAP out, restarts, fresh databases."""

from __future__ import annotations

import smtplib
import time
from email.message import EmailMessage

import psycopg
import pytest
import sqlalchemy as sa
from imap_tools import AND, MailBoxUnencrypted

from tests.rig import fixtures
from tests.rig.dovecot import Account, Dovecot
from tests.rig.smtp_relay import SmtpRelay


def _message(to: str, subject: str = "Ankieta 2026") -> bytes:
    message = EmailMessage()
    message["From"] = "dostawca@example.com"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = "<rig-test@example.com>"
    message.set_content("Zażółć gęślą jaźń.\n")
    return message.as_bytes()


def _send(relay: SmtpRelay, to: str, raw: bytes) -> None:
    with smtplib.SMTP(relay.host, relay.port, timeout=10) as client:
        client.sendmail("dostawca@example.com", [to], raw)


def _inbox_subjects(account: Account) -> list[str]:
    with MailBoxUnencrypted(account.host, account.port, timeout=10).login(
        account.address, account.password
    ) as box:
        return [message.subject for message in box.fetch(mark_seen=False)]


def test_it_delivers_a_plus_addressed_message_into_ankietas_inbox(
    mailbox: Account, smtp_relay: SmtpRelay
) -> None:
    smtp_relay.clear()
    raw = _message("ankieta+abc123@um.example.pl")

    _send(smtp_relay, "ankieta+abc123@um.example.pl", raw)

    with MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=10).login(
        mailbox.address, mailbox.password
    ) as box:
        messages = list(box.fetch(mark_seen=False))
        assert [m.subject for m in messages] == ["Ankieta 2026"]
        assert messages[0].to == ("ankieta+abc123@um.example.pl",)
        assert "Zażółć gęślą jaźń." in messages[0].text
        assert "\\Seen" not in messages[0].flags
        # Fetching with mark_seen=False left it unread on the server.
        assert list(box.uids(AND(seen=False))) == [str(messages[0].uid)]
    [accepted] = smtp_relay.accepted
    assert accepted.rcpt_tos == ("ankieta+abc123@um.example.pl",)
    # smtplib sends CRLF line ends; the content is otherwise what the client gave.
    assert accepted.data.replace(b"\r\n", b"\n").strip() == raw.strip()


def test_it_answers_550_for_an_unknown_user(smtp_relay: SmtpRelay) -> None:
    with (
        smtplib.SMTP(smtp_relay.host, smtp_relay.port, timeout=10) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        client.sendmail("a@example.com", ["nobody@um.example.pl"], b"Subject: x\r\n\r\nx\r\n")
    code, _text = refused.value.recipients["nobody@um.example.pl"]
    assert code == 550


def test_it_can_refuse_with_a_chosen_reply_and_accept_again(
    mailbox: Account, smtp_relay: SmtpRelay
) -> None:
    smtp_relay.refuse("451 4.3.0 try again later", at="DATA")
    try:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            _send(smtp_relay, mailbox.address, _message(mailbox.address))
        assert refused.value.smtp_code == 451
    finally:
        smtp_relay.accept()
    _send(smtp_relay, mailbox.address, _message(mailbox.address, "second try"))
    assert _inbox_subjects(mailbox) == ["second try"]


def test_it_refuses_connections_while_stopped_and_delivers_after_start(
    mailbox: Account, smtp_relay: SmtpRelay
) -> None:
    smtp_relay.stop()
    try:
        with pytest.raises(OSError):
            smtplib.SMTP(smtp_relay.host, smtp_relay.port, timeout=5)
    finally:
        smtp_relay.start()
    _send(smtp_relay, mailbox.address, _message(mailbox.address, "after restart"))
    assert _inbox_subjects(mailbox) == ["after restart"]


def test_it_keeps_mail_across_a_dovecot_restart(
    dovecot: Dovecot, mailbox: Account, smtp_relay: SmtpRelay
) -> None:
    _send(smtp_relay, mailbox.address, _message(mailbox.address, "before restart"))

    dovecot.restart()

    assert _inbox_subjects(mailbox) == ["before restart"]


def test_it_ends_an_open_idle_session_when_dovecot_restarts(
    dovecot: Dovecot, mailbox: Account
) -> None:
    box = MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=10)
    box.login(mailbox.address, mailbox.password)
    try:
        box.idle.start()
        dovecot.restart()
        # The old connection is gone: the server said BYE or closed the socket. An IDLE
        # keepalive ("* OK Still here") sent before the restart may come first.
        seen: list[bytes] = []
        for _ in range(3):
            responses = box.idle.poll(timeout=5)
            seen += responses
            if not responses or any(b"BYE" in line for line in responses):
                break
        assert any(b"BYE" in line for line in seen) or responses == []
    finally:
        box.client.shutdown()  # the socket must not leak into the next test
    assert _inbox_subjects(mailbox) == []


def test_it_wipes_a_mailbox_so_uids_start_again(dovecot: Dovecot, mailbox: Account) -> None:
    dovecot.append_many("ankieta", [_message(mailbox.address)] * 3)
    dovecot.wipe("ankieta")
    dovecot.append_many("ankieta", [_message(mailbox.address)])
    with MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=10).login(
        mailbox.address, mailbox.password
    ) as box:
        assert list(box.uids()) == ["1"]


def test_it_appends_many_messages_fast_with_flags(dovecot: Dovecot, mailbox: Account) -> None:
    started = time.monotonic()
    stored = dovecot.append_many("ankieta", [_message(mailbox.address)] * 2000, flags=["\\Seen"])
    elapsed = time.monotonic() - started
    with MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=10).login(
        mailbox.address, mailbox.password
    ) as box:
        status = box.folder.status("INBOX")
    assert stored == 2000
    assert status["MESSAGES"] == 2000
    assert status["UNSEEN"] == 0
    assert elapsed < 20


def test_it_adds_users_on_demand(dovecot: Dovecot, smtp_relay: SmtpRelay) -> None:
    account = dovecot.add_user("dostawca1")
    _send(smtp_relay, "dostawca1+x@um.example.pl", _message(account.address, "for vendor"))
    assert _inbox_subjects(account) == ["for vendor"]


def test_it_changes_uidvalidity_on_request(dovecot: Dovecot, mailbox: Account) -> None:
    dovecot.append_many("ankieta", [_message(mailbox.address)])
    dovecot.set_uidvalidity("ankieta", "INBOX", 4242)
    with MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=10).login(
        mailbox.address, mailbox.password
    ) as box:
        assert box.folder.status("INBOX")["UIDVALIDITY"] == 4242


def test_it_gives_each_test_an_empty_database_on_both_engines(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE probe (id INTEGER PRIMARY KEY)"))
            connection.execute(sa.text("INSERT INTO probe (id) VALUES (1)"))
            assert connection.execute(sa.text("SELECT count(*) FROM probe")).scalar() == 1
    finally:
        engine.dispose()


def test_it_gives_the_run_a_fresh_postgresql_database(postgres_url: str) -> None:
    plain_url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain_url) as connection:
        row = connection.execute("SELECT current_database()").fetchone()
    assert row is not None
    assert str(row[0]).startswith("mailflow_test_")


def test_it_restarts_dovecot_hard_in_well_under_a_second(
    dovecot: Dovecot, mailbox: Account
) -> None:
    dovecot.append_many("ankieta", [_message(mailbox.address, "survives a crash")])
    started = time.monotonic()

    dovecot.restart(graceful=False)

    assert time.monotonic() - started < 1.5
    assert _inbox_subjects(mailbox) == ["survives a crash"]


def test_it_fails_instead_of_skipping_a_missing_service_under_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="unavailable under CI=true: no dovecot"):
        fixtures.unavailable("no dovecot")


def test_it_skips_a_missing_service_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no dovecot"):
        fixtures.unavailable("no dovecot")
