"""The in-process IMAP (pymap) and SMTP (aiosmtpd) servers of `mailflow demo`."""

from __future__ import annotations

import email
import imaplib
import re
import smtplib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import cast

import pytest
from imap_tools import AND, MailBoxUnencrypted, MailMessageFlags
from imap_tools.errors import MailboxLoginError

from mailflow.demo.servers import (
    SURVEY_MAILBOX,
    DemoMailServers,
    delivery_status_notification,
    mailbox_owner,
    with_delivery_headers,
)

CORPUS = Path(__file__).resolve().parent / "data" / "dev"
PASSWORD = "ankieta-demo"
VENDOR = "oferty@drukarnia-example.pl"
VENDOR_PASSWORD = "vendor-demo"


def a_message(subject: str, *, to: str = SURVEY_MAILBOX, sender: str = VENDOR) -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{abs(hash(subject))}@drukarnia-example.pl>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        "Oferta cenowa: 1 234,56 zł brutto.\r\n"
    ).encode()


@pytest.fixture
def servers() -> Iterator[DemoMailServers]:
    with DemoMailServers({SURVEY_MAILBOX: PASSWORD, VENDOR: VENDOR_PASSWORD}) as running:
        yield running


def survey_mailbox(servers: DemoMailServers) -> MailBoxUnencrypted:
    return MailBoxUnencrypted(servers.host, servers.imap_port).login(SURVEY_MAILBOX, PASSWORD)


def parts(message: Message) -> list[Message]:
    """The sub-parts of a multipart (or message/*) part, typed for the checker."""
    payload = message.get_payload()
    assert isinstance(payload, list)
    return cast(list[Message], payload)


def send(servers: DemoMailServers, raw: bytes, recipients: list[str]) -> dict[str, object]:
    with smtplib.SMTP(servers.host, servers.smtp_port) as client:
        return dict(client.sendmail(VENDOR, recipients, raw))


# --- the plain delivery rules --------------------------------------------------------------


def test_it_gives_a_plus_address_to_its_base_mailbox() -> None:
    mailboxes = {SURVEY_MAILBOX}
    assert mailbox_owner("ankieta+k7f3q9@um.example.pl", mailboxes) == SURVEY_MAILBOX
    assert mailbox_owner("<Ankieta@UM.example.pl>", mailboxes) == SURVEY_MAILBOX


def test_it_finds_no_mailbox_for_an_unknown_address() -> None:
    mailboxes = {SURVEY_MAILBOX}
    assert mailbox_owner("nikt@um.example.pl", mailboxes) is None
    assert mailbox_owner("ankieta+x@inna-domena.pl", mailboxes) is None
    assert mailbox_owner("not-an-address", mailboxes) is None


def test_it_puts_return_path_and_delivered_to_above_the_message() -> None:
    stored = with_delivery_headers(
        b"Subject: x\r\n\r\nbody\r\n", envelope_sender=VENDOR, owner=SURVEY_MAILBOX
    )
    assert stored.startswith(
        f"Return-Path: <{VENDOR}>\r\nDelivered-To: {SURVEY_MAILBOX}\r\nSubject: x\r\n".encode()
    )


def test_it_builds_a_bounce_that_reads_as_an_rfc3464_delivery_report() -> None:
    original = a_message("Zapytanie ofertowe [IN13-2026-ZO-abc123]", to="zly@adres.pl")
    raw = delivery_status_notification(
        original,
        sender=SURVEY_MAILBOX,
        failed_recipients=["zly@adres.pl"],
        reporting_mta="mail.um.example.pl",
        arrival=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    )
    report = email.message_from_bytes(raw)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    text, status, returned = parts(report)
    assert "could not" in str(text.get_payload())
    assert status.get_content_type() == "message/delivery-status"
    per_message, per_recipient = parts(status)
    assert per_message["Reporting-MTA"] == "dns; mail.um.example.pl"
    assert per_recipient["Final-Recipient"] == "rfc822; zly@adres.pl"
    assert per_recipient["Action"] == "failed"
    assert per_recipient["Status"] == "5.1.1"
    assert returned.get_content_type() == "message/rfc822"
    (inner,) = parts(returned)
    assert inner["Subject"] == "Zapytanie ofertowe [IN13-2026-ZO-abc123]"


# --- the running servers -------------------------------------------------------------------


def test_it_starts_in_under_a_second_and_leaves_no_thread_behind() -> None:
    threads_before = set(threading.enumerate())
    started = time.perf_counter()
    with DemoMailServers({SURVEY_MAILBOX: PASSWORD}) as running:
        assert time.perf_counter() - started < 1.0
        assert running.imap_port != running.smtp_port
    assert set(threading.enumerate()) == threads_before


def test_it_closes_connections_that_are_still_open_when_it_stops() -> None:
    threads_before = set(threading.enumerate())
    running = DemoMailServers({SURVEY_MAILBOX: PASSWORD})
    running.start()
    imap_client = survey_mailbox(running)
    smtp_client = smtplib.SMTP(running.host, running.smtp_port)
    running.stop()
    assert set(threading.enumerate()) == threads_before
    with pytest.raises((imaplib.IMAP4.abort, OSError)):
        imap_client.client.noop()
    with pytest.raises((smtplib.SMTPServerDisconnected, OSError)):
        smtp_client.noop()
    smtp_client.close()
    imap_client.client.shutdown()


def test_it_lists_its_users_by_normalized_address(servers: DemoMailServers) -> None:
    assert servers.add_user("Urzednik@UM.example.pl", "u-demo") == "urzednik@um.example.pl"
    assert servers.users["urzednik@um.example.pl"] == "u-demo"
    assert set(servers.users) == {SURVEY_MAILBOX, VENDOR, "urzednik@um.example.pl"}
    with pytest.raises(ValueError, match="not a mailbox address"):
        servers.add_user("ankieta+x@um.example.pl", "x")


def test_it_names_the_folder_that_does_not_exist(servers: DemoMailServers) -> None:
    with pytest.raises(KeyError, match="no folder 'Archiwum'"):
        servers.messages(SURVEY_MAILBOX, "Archiwum")
    with pytest.raises(KeyError, match="no demo mailbox"):
        servers.messages("nikt@um.example.pl")


def test_it_starts_again_with_empty_mailboxes_after_a_stop() -> None:
    running = DemoMailServers({SURVEY_MAILBOX: PASSWORD})
    with running:
        running.deliver(a_message("Pierwsza"), SURVEY_MAILBOX)
    running.add_user(VENDOR, VENDOR_PASSWORD)
    with running:
        assert running.messages(SURVEY_MAILBOX) == []
        assert running.messages(VENDOR) == []


def test_it_logs_in_a_user_added_while_running(servers: DemoMailServers) -> None:
    servers.add_user("sekretarz@um.example.pl", "s-demo")
    with MailBoxUnencrypted(servers.host, servers.imap_port).login(
        "sekretarz@um.example.pl", "s-demo"
    ) as mailbox:
        assert mailbox.folder.get() == "INBOX"


def test_it_refuses_a_wrong_password(servers: DemoMailServers) -> None:
    mailbox = MailBoxUnencrypted(servers.host, servers.imap_port)
    with pytest.raises(MailboxLoginError):
        mailbox.login(SURVEY_MAILBOX, "wrong")
    mailbox.client.shutdown()


def test_it_reports_uidvalidity_and_uidnext_on_select(servers: DemoMailServers) -> None:
    client = imaplib.IMAP4(servers.host, servers.imap_port)
    client.login(SURVEY_MAILBOX, PASSWORD)
    status, _ = client.select("INBOX")
    assert status == "OK"
    _, uidvalidity = client.response("UIDVALIDITY")
    _, uidnext = client.response("UIDNEXT")
    assert int(cast(bytes, uidvalidity[0])) > 0
    assert int(cast(bytes, uidnext[0])) > 0
    client.logout()


def test_it_delivers_a_plus_address_into_the_survey_inbox_unseen(servers: DemoMailServers) -> None:
    raw = a_message("Oferta [IN13-2026-ZO-k7f3q9]", to="ankieta+k7f3q9@um.example.pl")
    assert send(servers, raw, ["ankieta+k7f3q9@um.example.pl"]) == {}
    with survey_mailbox(servers) as mailbox:
        (message,) = list(mailbox.fetch(mark_seen=False, bulk=True))
        assert message.subject == "Oferta [IN13-2026-ZO-k7f3q9]"
        assert message.headers["delivered-to"] == (SURVEY_MAILBOX,)
        assert message.headers["return-path"] == (f"<{VENDOR}>",)
        assert "1 234,56 zł" in message.text
        assert MailMessageFlags.SEEN not in message.flags


def test_it_delivers_one_copy_to_each_mailbox_of_a_message(servers: DemoMailServers) -> None:
    recipients = ["ankieta+a@um.example.pl", "ankieta+b@um.example.pl", VENDOR]
    send(servers, a_message("Do wielu"), recipients)
    assert len(servers.messages(SURVEY_MAILBOX)) == 1
    assert len(servers.messages(VENDOR)) == 1


def test_it_refuses_an_unknown_recipient_with_550(servers: DemoMailServers) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(servers, a_message("Zgubiona"), ["nikt@um.example.pl"])
    code, text = refused.value.recipients["nikt@um.example.pl"]
    assert code == 550
    assert b"5.1.1" in text
    # The other recipients of the same message still get it.
    assert set(send(servers, a_message("Czesciowo"), [SURVEY_MAILBOX, "nikt@x.pl"])) == {
        "nikt@x.pl"
    }
    assert len(servers.messages(SURVEY_MAILBOX)) == 1


def test_it_bounces_an_unknown_recipient_with_a_dsn_to_the_sender_in_bounce_mode() -> None:
    users = {SURVEY_MAILBOX: PASSWORD}
    with DemoMailServers(users, unknown_recipients="bounce") as running:
        raw = a_message("Zapytanie [IN13-2026-ZO-q1]", to="zly@adres.pl", sender=SURVEY_MAILBOX)
        with smtplib.SMTP(running.host, running.smtp_port) as client:
            assert client.sendmail("ankieta+q1@um.example.pl", ["zly@adres.pl"], raw) == {}
        (bounce,) = running.messages(SURVEY_MAILBOX)
    report = email.message_from_bytes(bounce)
    assert report["Return-Path"] == "<>"
    assert report.get_content_type() == "multipart/report"
    (returned,) = parts(parts(report)[2])
    assert returned["Subject"] == "Zapytanie [IN13-2026-ZO-q1]"


def test_it_never_bounces_a_bounce() -> None:
    with DemoMailServers({SURVEY_MAILBOX: PASSWORD}, unknown_recipients="bounce") as running:
        with smtplib.SMTP(running.host, running.smtp_port) as client:
            client.sendmail("", ["zly@adres.pl"], a_message("Bounce"))
        assert running.messages(SURVEY_MAILBOX) == []


def test_it_accepts_smtp_login_with_a_mailbox_password(servers: DemoMailServers) -> None:
    with smtplib.SMTP(servers.host, servers.smtp_port) as client:
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login(SURVEY_MAILBOX, "wrong")
        client.login(SURVEY_MAILBOX, PASSWORD)
        client.sendmail(SURVEY_MAILBOX, [VENDOR], a_message("Zapytanie", to=VENDOR))
    assert len(servers.messages(VENDOR)) == 1


def test_it_answers_uid_search_and_uid_fetch_of_headers_size_and_flags(
    servers: DemoMailServers,
) -> None:
    for number in range(3):
        servers.deliver(a_message(f"Wiadomosc {number}"), SURVEY_MAILBOX)
    client = imaplib.IMAP4(servers.host, servers.imap_port)
    client.login(SURVEY_MAILBOX, PASSWORD)
    client.select("INBOX")
    status, data = client.uid("SEARCH", "UID", "1:*")
    assert status == "OK"
    uids = [int(uid) for uid in data[0].split()]
    assert len(uids) == 3
    status, data = client.uid("FETCH", str(uids[1]), "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER])")
    assert status == "OK"
    envelope, header = data[0]
    assert re.search(rb"RFC822\.SIZE \d+", envelope)
    assert b"FLAGS (" in envelope
    assert b"Subject: Wiadomosc 1" in header
    assert b"Oferta cenowa" not in header
    status, data = client.uid("FETCH", str(uids[2]), "(BODY.PEEK[])")
    assert b"Oferta cenowa" in data[0][1]
    status, data = client.uid("FETCH", str(uids[2]), "(FLAGS)")
    assert b"\\Seen" not in data[0]
    client.logout()


def test_it_moves_a_message_into_a_created_folder(servers: DemoMailServers) -> None:
    servers.deliver(a_message("Do przeniesienia"), SURVEY_MAILBOX)
    servers.deliver(a_message("Skasowana przez urzednika"), SURVEY_MAILBOX)
    with survey_mailbox(servers) as mailbox:
        mailbox.folder.create("mailflow/processed")
        ours, persons = mailbox.uids()
        # A person sharing the mailbox deleted a message but has not expunged it yet.
        mailbox.client.uid("STORE", persons, "+FLAGS.SILENT", r"(\Deleted)")
        # imaplib reads capabilities before login only; without MOVE among them imap-tools
        # falls back to copy + delete + a folder-wide EXPUNGE, which would take the
        # person's message too. Reading them again after login makes it use UID MOVE.
        _, capability_lines = mailbox.client.capability()
        mailbox.client.capabilities = tuple(capability_lines[-1].decode().upper().split())
        mailbox.move([ours], "mailflow/processed")
        assert mailbox.uids() == [persons]
        mailbox.folder.set("mailflow/processed")
        (moved,) = list(mailbox.fetch(mark_seen=False))
        assert moved.subject == "Do przeniesienia"


def test_it_moves_by_uid_with_the_move_extension_after_login(servers: DemoMailServers) -> None:
    servers.deliver(a_message("Przeniesiona"), SURVEY_MAILBOX)
    servers.deliver(a_message("Zostaje"), SURVEY_MAILBOX)
    client = imaplib.IMAP4(servers.host, servers.imap_port)
    client.login(SURVEY_MAILBOX, PASSWORD)
    # Like Dovecot, MOVE and UIDPLUS are announced only once logged in.
    capabilities = client.capability()[1][0].split()
    assert {b"MOVE", b"UIDPLUS", b"IDLE"} <= set(capabilities)
    client.create("Processed")
    client.select("INBOX")
    first_uid = client.uid("SEARCH", "ALL")[1][0].split()[0].decode()
    assert client.uid("MOVE", first_uid, "Processed")[0] == "OK"
    client.logout()
    assert [b"Zostaje" in raw for raw in servers.messages(SURVEY_MAILBOX)] == [True]
    assert [b"Przeniesiona" in raw for raw in servers.messages(SURVEY_MAILBOX, "Processed")] == [
        True
    ]


def test_it_copies_flags_deleted_and_expunges_by_uid(servers: DemoMailServers) -> None:
    servers.deliver(a_message("Kopia"), SURVEY_MAILBOX)
    servers.deliver(a_message("Zostaje"), SURVEY_MAILBOX)
    client = imaplib.IMAP4(servers.host, servers.imap_port)
    client.login(SURVEY_MAILBOX, PASSWORD)
    client.create("Quarantine")
    client.select("INBOX")
    first_uid = client.uid("SEARCH", "ALL")[1][0].split()[0].decode()
    assert client.uid("COPY", first_uid, "Quarantine")[0] == "OK"
    assert client.uid("STORE", first_uid, "+FLAGS.SILENT", r"(\Deleted)")[0] == "OK"
    assert client.uid("EXPUNGE", first_uid)[0] == "OK"
    client.logout()
    assert [b"Zostaje" in raw for raw in servers.messages(SURVEY_MAILBOX)] == [True]
    assert [b"Kopia" in raw for raw in servers.messages(SURVEY_MAILBOX, "Quarantine")] == [True]


def test_it_appends_a_message_to_a_folder(servers: DemoMailServers) -> None:
    with survey_mailbox(servers) as mailbox:
        mailbox.folder.create("Sent")
        result = mailbox.append(a_message("Wyslana"), "Sent", flag_set=[MailMessageFlags.SEEN])
        assert result[0] == "OK"
        mailbox.folder.set("Sent")
        (sent,) = list(mailbox.fetch(AND(all=True), mark_seen=False))
        assert sent.subject == "Wyslana"
        assert MailMessageFlags.SEEN in sent.flags


def test_it_wakes_an_idle_client_when_mail_arrives(servers: DemoMailServers) -> None:
    with survey_mailbox(servers) as mailbox:
        mailbox.idle.start()
        send(servers, a_message("Nowa"), ["ankieta+idle@um.example.pl"])
        responses = mailbox.idle.poll(timeout=5)
        mailbox.idle.stop()
        assert any(b"EXISTS" in response for response in responses)


def test_it_gives_back_each_corpus_message_byte_for_byte(servers: DemoMailServers) -> None:
    originals = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    with smtplib.SMTP(servers.host, servers.smtp_port) as client:
        for raw in originals:
            client.sendmail(VENDOR, ["ankieta+corpus@um.example.pl"], raw)
    with survey_mailbox(servers) as mailbox:
        stored = [message.obj.as_bytes() for message in mailbox.fetch(mark_seen=False)]
    assert len(stored) == len(originals)
    for raw, delivered in zip(originals, servers.messages(SURVEY_MAILBOX), strict=True):
        # smtplib sends CRLF line ends; the delivery agent adds two header lines on top.
        assert delivered.split(b"\r\n", 2)[2] == raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_it_carries_a_year_of_mail_quickly(servers: DemoMailServers) -> None:
    started = time.perf_counter()
    with smtplib.SMTP(servers.host, servers.smtp_port) as client:
        for number in range(200):
            raw = a_message(f"Odpowiedz {number}", to=f"ankieta+t{number}@um.example.pl")
            client.sendmail(VENDOR, [f"ankieta+t{number}@um.example.pl"], raw)
    with survey_mailbox(servers) as mailbox:
        subjects = [message.subject for message in mailbox.fetch(mark_seen=False, bulk=True)]
    assert subjects == [f"Odpowiedz {number}" for number in range(200)]
    assert time.perf_counter() - started < 10.0
