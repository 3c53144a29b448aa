"""Intake against the real Dovecot rig: exactly once, and never touching mail that is not ours.

The helpers at the top (``rig_config``, ``open_rig_app``, ``mail``, ``imap_client``) are shared
by the other mail-engine tests.
"""

from __future__ import annotations

import imaplib
import json
import re
import stat
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from mailflow import tokens
from mailflow.app import App, open_app
from mailflow.config import Config, load_config
from mailflow.db import models
from mailflow.intake import (
    MAX_ATTEMPTS,
    Act,
    Triage,
    access_token,
    content_digest,
    mailbox_lock,
    poll_once,
    process_message,
    run_intake_loop,
    run_token_command,
)
from mailflow.mail import imap
from mailflow.mail.parse import ParsedMessage
from tests.configs import TEST_ENV, write_config
from tests.rig.dovecot import PASSWORD, Account, Dovecot
from tests.rig.smtp_relay import SmtpRelay

CORPUS = Path(__file__).resolve().parent / "data" / "dev"
OWN = "ankieta@um.example.pl"
VENDOR = "oferty@kwadrant.example.pl"  # a configured vendor in config.example.toml

# -- shared helpers ------------------------------------------------------------------------


def rig_env() -> dict[str, str]:
    return {**TEST_ENV, "MAILFLOW_IMAP_PASSWORD": PASSWORD}


def rig_config_path(
    folder: Path,
    dovecot: Dovecot,
    database_url: str,
    smtp_port: int = 25,
    changes: dict[str, str] | None = None,
) -> Path:
    """A real config file pointing at the rig; ``changes`` are "section.key": TOML value."""
    keys = {
        ("imap", "host"): '"127.0.0.1"',
        ("imap", "port"): str(dovecot.imap_port),
        ("imap", "security"): '"none"',
        ("imap", "username"): '"ankieta"',
        ("imap", "poll_seconds"): "1",
        ("imap", "timeout_seconds"): "10",
        ("smtp", "host"): '"127.0.0.1"',
        ("smtp", "port"): str(smtp_port),
        ("smtp", "security"): '"none"',
        ("smtp", "username"): '""',
        ("smtp", "timeout_seconds"): "5",
        ("database", "url"): json.dumps(database_url),
        ("web", "enabled"): "false",
    }
    for dotted, value in (changes or {}).items():
        section, key = dotted.rsplit(".", 1)
        keys[(section, key)] = value
    path = write_config(folder, keys)
    # tests/configs.set_key joins the first key of a section onto its header line
    # ("[smtp]host = ..."); put the line break back.
    text = re.sub(r"^(\[[^\]\n]+\])(?=\S)", r"\1\n", path.read_text(), flags=re.M)
    path.write_text(text)
    return path


def rig_config(
    folder: Path,
    dovecot: Dovecot,
    database_url: str,
    smtp_port: int = 25,
    changes: dict[str, str] | None = None,
) -> Config:
    return load_config(
        rig_config_path(folder, dovecot, database_url, smtp_port, changes), rig_env()
    )


def open_rig_app(config: Config) -> App:
    return open_app(config, upgrade=True)


def mail(
    subject: str = "Pytanie",
    *,
    to: str = OWN,
    sender: str = "jan@example.com",
    body: str = "Dzień dobry,\nproszę o informację.\n",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2027, 3, 2, 10, 0, tzinfo=UTC))
    message["Message-ID"] = message_id or f"<{time.monotonic_ns()}.{id(body)}@example.com>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def ours(number: int = 0, subject: str = "Oferta") -> bytes:
    """A message that is ours by its plus-address."""
    token = tokens.new_token()
    return mail(
        f"{subject} {number}",
        to=tokens.plus_address(OWN, token),
        message_id=f"<o{number}.{token}@example.com>",
    )


def foreign(number: int) -> bytes:
    return mail(
        f"Sprawa {number}",
        sender=f"mieszkaniec{number}@example.com",
        message_id=f"<f{number}@example.com>",
    )


def imap_client(account: Account) -> imap.ImapConnection:
    return imap.connect(
        account.host, account.port, "none", account.login, password=account.password
    )


def folder_snapshot(
    account: Account, folder: str = "INBOX"
) -> dict[int, tuple[bytes, tuple[str, ...]]]:
    """UID -> (exact bytes, flags) of every message, read without changing anything."""
    with imap_client(account) as connection:
        connection.select(folder, readonly=True)
        result = {}
        for uid in connection.uids_above(0):
            raw = connection.fetch_raw(uid)
            flags = connection.flags(uid)
            assert raw is not None and flags is not None
            result[uid] = (raw, tuple(sorted(flags)))
        return result


def count(app: App, model: type, *where: Any) -> int:
    with app.sessions() as session:
        query: Any = select(func.count()).select_from(model).where(*where)
        return int(session.scalar(query) or 0)


def record_act(calls: list[str]) -> object:
    def act(app: App, session: Session, message: models.Message, parsed: ParsedMessage) -> None:
        calls.append(message.message_id_header)

    return act


@pytest.fixture
def app(tmp_path: Path, dovecot: Dovecot, mailbox: Account, database_url: str) -> Iterator[App]:
    application = open_rig_app(rig_config(tmp_path, dovecot, database_url))
    yield application
    application.close()


@pytest.fixture
def sqlite_app(tmp_path: Path, dovecot: Dovecot, mailbox: Account) -> Iterator[App]:
    url = f"sqlite:///{tmp_path / 'mailflow.sqlite3'}"
    application = open_rig_app(rig_config(tmp_path, dovecot, url))
    yield application
    application.close()


# -- tests ---------------------------------------------------------------------------------


def test_it_archives_and_processes_a_message_of_ours_once_and_moves_it(
    app: App, dovecot: Dovecot, mailbox: Account
) -> None:
    raw = ours(1)
    dovecot.append_many("ankieta", [raw])
    calls: list[str] = []

    stats = poll_once(app, record_act(calls))  # type: ignore[arg-type]
    again = poll_once(app, record_act(calls))  # type: ignore[arg-type]

    assert (stats.ours, stats.processed, stats.moved) == (1, 1, 1)
    assert (again.seen, again.processed) == (0, 0)
    assert len(calls) == 1
    with app.sessions() as session:
        message = session.scalars(select(models.Message)).one()
        assert message.status == "processed" and message.server_moved
        assert app.archive.get(message.sha256) == raw
        assert message.kind is not None and message.parsed["subject"] == "Oferta 1"
        ledger = session.scalars(select(models.LedgerEntry)).one()
        assert ledger.ours and ledger.message_id == message.id
    assert folder_snapshot(mailbox) == {}
    [(moved, flags)] = folder_snapshot(mailbox, "mailflow/processed").values()
    assert moved == raw and "\\Seen" not in flags


def test_it_leaves_200_messages_that_are_not_ours_byte_for_byte_and_flag_for_flag(
    sqlite_app: App, dovecot: Dovecot, mailbox: Account
) -> None:
    app = sqlite_app
    flag_sets = [(), ("\\Seen",), ("\\Flagged",), ("\\Seen", "\\Answered"), ("\\Deleted",)]
    for flags in flag_sets:
        dovecot.append_many("ankieta", [foreign(n) for n in range(40)], flags=flags)
    dovecot.append_many("ankieta", [ours(1)])
    before = folder_snapshot(mailbox)

    stats = poll_once(app, record_act([]))  # type: ignore[arg-type]

    after = folder_snapshot(mailbox)
    foreign_uids = sorted(before)[:200]
    assert {uid: after[uid] for uid in foreign_uids} == {uid: before[uid] for uid in foreign_uids}
    assert set(after) == set(foreign_uids)  # only ours moved out; \Deleted ones not expunged
    assert (stats.not_ours, stats.ours) == (200, 1)
    # Only headers of the foreign messages were downloaded, never a body.
    foreign_bytes = sum(len(before[uid][0]) for uid in foreign_uids)
    assert stats.body_bytes < foreign_bytes / 10
    assert count(app, models.LedgerEntry, models.LedgerEntry.ours.is_(False)) == 200
    assert count(app, models.Message) == 1


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (mail("Oferta [IN13-2027-ZO-7kq2mx4d]"), "token"),
        (
            mail(
                "Re: zapytanie",
                headers={"In-Reply-To": "<IN13-2027-ZO-7kq2mx4d.20270301090000@um.example.pl>"},
            ),
            "token",
        ),
        (mail("Oferta", sender=f"Kwadrant <{VENDOR}>"), "configured sender"),
        (
            mail("Re: coś", headers={"References": "<mailflow.abc123@um.example.pl>"}),
            "replies to a message we sent",
        ),
        (mail("Odpowiedź na zapytanie [IN13-2027-ZO-7kq2mx4d]"), "token"),  # RFC 2047 subject
        (mail("=?utf-8?q?Oferta?=", to="Ankieta <ankieta+7kq2mx4d@um.example.pl>"), "token"),
    ],
)
def test_it_decides_ours_from_the_headers_alone(sqlite_app: App, raw: bytes, why: str) -> None:
    triage = Triage(sqlite_app.config, lambda ids: {i for i in ids if "mailflow.abc123" in i})
    header = raw.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    reason = triage.reason(header)
    assert reason is not None and why in reason
    assert triage.reason(foreign(1).split(b"\r\n\r\n")[0]) is None
    polish = mail("Wniosek o dowód osobisty – pilne", sender="Józef Żak <jozef@example.com>")
    assert triage.reason(polish.split(b"\r\n\r\n")[0]) is None


def test_it_takes_everything_when_the_mailbox_is_not_shared(
    tmp_path: Path, dovecot: Dovecot, mailbox: Account
) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    app = open_rig_app(rig_config(tmp_path, dovecot, url, changes={"imap.shared_mailbox": "false"}))
    try:
        dovecot.append_many("ankieta", [foreign(n) for n in range(3)])
        stats = poll_once(app, record_act([]))  # type: ignore[arg-type]
        assert (stats.ours, stats.processed, stats.not_ours) == (3, 3, 0)
    finally:
        app.close()


def back_to_inbox_renumbered(dovecot: Dovecot, mailbox: Account, uidvalidity: int) -> None:
    """Processed mail moved back to INBOX, and INBOX given a new UIDVALIDITY (a restore)."""
    with imap_client(mailbox) as connection:
        connection.select("mailflow/processed")
        for uid in connection.uids_above(0):
            connection.move(uid, "INBOX")
    dovecot.set_uidvalidity("ankieta", "INBOX", uidvalidity)


def test_it_processes_each_message_once_across_a_uidvalidity_change(
    app: App, dovecot: Dovecot, mailbox: Account
) -> None:
    dovecot.append_many("ankieta", [ours(n) for n in range(3)])
    calls: list[str] = []
    poll_once(app, record_act(calls))  # type: ignore[arg-type]
    # The server "rebuilds" the processed folder's index and the messages come back to INBOX
    # (as after a restore): they are recognised by Message-ID + sha256 and not acted on again.
    back_to_inbox_renumbered(dovecot, mailbox, 4242)

    stats = poll_once(app, record_act(calls))  # type: ignore[arg-type]

    assert len(calls) == 3 and len(set(calls)) == 3
    assert (stats.duplicates, stats.processed, stats.moved) == (3, 0, 3)
    assert count(app, models.Message) == 3
    with app.sessions() as session:
        assert session.get(models.MailboxState, "INBOX").uidvalidity == 4242  # type: ignore[union-attr]
    assert folder_snapshot(mailbox) == {}


def test_it_records_a_copy_in_two_deliveries_once(
    sqlite_app: App, dovecot: Dovecot, mailbox: Account
) -> None:
    raw = ours(7)
    dovecot.append_many("ankieta", [raw, raw])
    calls: list[str] = []

    stats = poll_once(sqlite_app, record_act(calls))  # type: ignore[arg-type]

    assert len(calls) == 1 and stats.duplicates == 1
    assert count(sqlite_app, models.Message) == 1
    assert len(folder_snapshot(mailbox, "mailflow/processed")) == 2


def test_a_redelivery_has_the_content_digest_of_the_first_delivery() -> None:
    raw = ours(8)
    relayed = b"Received: from mx2.example.com\r\n\tby mx.um.example.pl; retry\r\n" + raw
    relayed = relayed.replace(b"\r\n\r\n", b"\r\nDelivered-To: ankieta@um.example.pl\r\n\r\n", 1)
    assert content_digest(relayed) == content_digest(raw)
    assert content_digest(raw.replace(b"\r\n", b"\n")) == content_digest(raw)
    # What the author wrote still tells two messages apart, even under one Message-ID.
    assert content_digest(raw.replace(b"Subject: ", b"Subject: Inny ", 1)) != content_digest(raw)
    assert content_digest(raw + b"PS.\r\n") != content_digest(raw)


def poison_act(calls: list[str]) -> Act:
    """Records an event for each message and fails on a "Trucizna" (poison) subject."""

    def act(app: App, session: Session, message: models.Message, parsed: ParsedMessage) -> None:
        session.add(models.Event(at=app.clock.now(), action="acted", actor="test"))
        if "Trucizna" in message.subject:
            raise ValueError("cannot read this one\nsecond line")
        calls.append(message.subject)

    return act


def without_message_id(raw: bytes) -> bytes:
    lines = raw.split(b"\r\n")
    return b"\r\n".join(line for line in lines if not line.lower().startswith(b"message-id:"))


def test_a_message_without_message_id_is_recognised_by_its_bytes(
    app: App, dovecot: Dovecot, mailbox: Account
) -> None:
    raw = without_message_id(ours(3))
    dovecot.append_many("ankieta", [raw, raw, ours(4)])
    calls: list[str] = []

    poll_once(app, record_act(calls))  # type: ignore[arg-type]
    # And again after the server renumbers the folder: still the same message.
    back_to_inbox_renumbered(dovecot, mailbox, 4243)
    dovecot.append_many("ankieta", [ours(5)])
    poll_once(app, record_act(calls))  # type: ignore[arg-type]

    assert len(calls) == 3 and calls[0] == ""  # the copies once; no pass stuck on them
    assert count(app, models.Message) == 3


def test_a_redelivery_is_found_among_many_messages_sharing_a_message_id(
    sqlite_app: App, dovecot: Dovecot, mailbox: Account
) -> None:
    # Some tools write one constant Message-ID: the newest copies are compared first.
    to = tokens.plus_address(OWN, tokens.new_token())
    raws = [
        mail(f"Oferta {n}", to=to, message_id="<constant@tool.example.com>", body=f"treść {n}\n")
        for n in range(25)
    ]
    relayed = b"Received: from mx2.example.com by mx.um.example.pl; retry\r\n" + raws[-1]
    dovecot.append_many("ankieta", [*raws, relayed])
    calls: list[str] = []

    stats = poll_once(sqlite_app, record_act(calls))  # type: ignore[arg-type]

    assert stats.duplicates == 1 and len(calls) == 25


def test_content_digest_keeps_apart_what_differs_in_substance() -> None:
    # One message Bcc'd to two of our plus-addresses answers two steps.
    base = mail("Oferta", to="zamowienia@firma.example.com", message_id="<x@firma.example.com>")
    one, two = (
        base.replace(
            b"\r\n\r\n",
            b"\r\nDelivered-To: "
            + tokens.plus_address(OWN, tokens.new_token()).encode()
            + b"\r\n\r\n",
            1,
        )
        for _ in range(2)
    )
    assert content_digest(one, OWN) != content_digest(two, OWN)
    # LF header lines end at the first blank line, whatever the body's line ends.
    a = b"From: a@x\nMessage-ID: <m@x>\nSubject: s\n\nline one\r\n\r\nKwota: 100 zl\r\n"
    assert content_digest(a) != content_digest(a.replace(b"100", b"900"))
    c = b"From: a@x\nMessage-ID: <m@x>\nSubject: s\n\nCena: 100 zl\nline one\r\n\r\n"
    assert content_digest(c) != content_digest(c.replace(b"100", b"900"))


def test_a_database_failure_defers_the_rest_of_the_pass_in_order(
    app: App, dovecot: Dovecot, mailbox: Account
) -> None:
    dovecot.append_many("ankieta", [ours(n) for n in range(60)])
    failed: list[bool] = []

    def act(app: App, session: Session, message: models.Message, parsed: ParsedMessage) -> None:
        if message.subject == "Oferta 3" and not failed:
            failed.append(True)
            raise OperationalError("UPDATE messages", {}, Exception("database is locked"))
        session.add(
            models.Event(
                at=app.clock.now(), action="acted", actor="test", details={"s": message.subject}
            )
        )

    first = poll_once(app, act)
    assert first.processed == 0  # the group rolled back whole, and nothing after it went ahead
    poll_once(app, act)

    with app.sessions() as session:
        order = [
            e.details["s"] for e in session.scalars(select(models.Event).order_by(models.Event.id))
        ]
    assert order == [f"Oferta {n}" for n in range(60)]


def test_it_quarantines_a_poison_message_and_goes_on_with_the_next(
    app: App, dovecot: Dovecot, mailbox: Account
) -> None:
    dovecot.append_many("ankieta", [ours(1, "Trucizna"), ours(2)])
    calls: list[str] = []

    stats = poll_once(app, poison_act(calls))

    assert (stats.processed, stats.quarantined) == (1, 1)
    assert calls == ["Oferta 2"]
    with app.sessions() as session:
        entry = session.scalars(select(models.QuarantineEntry)).one()
        assert entry.reason == "ValueError: cannot read this one"
        assert session.get(models.Message, entry.message_id).status == "quarantined"  # type: ignore[union-attr]
    assert count(app, models.Event) == 1  # the poison message's event was rolled back
    [(raw, _)] = folder_snapshot(mailbox, "mailflow/quarantine").values()
    assert b"Trucizna" in raw


def test_one_failing_message_in_a_large_batch_leaves_the_others_processed_once(
    app: App, dovecot: Dovecot, mailbox: Account
) -> None:
    # Twenty at once: parsed by the worker while fetched, stored and acted on in groups.
    dovecot.append_many("ankieta", [ours(n, "Trucizna" if n == 7 else "Oferta") for n in range(20)])
    calls: list[str] = []

    stats = poll_once(app, poison_act(calls))

    assert (stats.processed, stats.quarantined) == (19, 1)
    # Each message acted on once, in order of arrival; the poison one's savepoint rolled back.
    assert calls == [f"Oferta {n}" for n in range(20) if n != 7]
    assert count(app, models.Event) == 19
    assert len(folder_snapshot(mailbox, "mailflow/quarantine")) == 1


def test_it_parks_a_message_whose_processing_keeps_crashing(
    sqlite_app: App, dovecot: Dovecot, mailbox: Account
) -> None:
    app = sqlite_app
    dovecot.append_many("ankieta", [ours(1)])

    def crash(*_: object) -> None:
        raise SystemExit("the process dies here")  # not caught: like a SIGKILL mid-work

    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(SystemExit):
            poll_once(app, crash)
    stats = poll_once(app, crash)

    assert stats.quarantined == 1
    with app.sessions() as session:
        entry = session.scalars(select(models.QuarantineEntry)).one()
        assert f"after {MAX_ATTEMPTS} attempts" in entry.reason


def test_two_processors_of_one_message_act_on_it_once(
    app: App, dovecot: Dovecot, mailbox: Account
) -> None:
    # E.g. "retry" on the status page while the daemon's pass reaches the same message.
    dovecot.append_many("ankieta", [ours(1)])

    def crash(*_: object) -> None:
        raise SystemExit("the process dies here")

    with pytest.raises(SystemExit):
        poll_once(app, crash)  # archived, still "received"
    with app.sessions() as session:
        message_id = session.scalars(select(models.Message.id)).one()
    calls: list[int] = []

    def slow(app: App, session: Session, message: models.Message, parsed: ParsedMessage) -> None:
        calls.append(message.id)
        time.sleep(0.5)

    outcomes: list[str] = []
    workers = [
        threading.Thread(target=lambda: outcomes.append(process_message(app, slow, message_id)))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    assert calls == [message_id]
    # The second one waited and found it done (PostgreSQL), or was refused the write lock
    # and leaves it for a later pass, which then finds it done (SQLite).
    assert sorted(outcomes) in (["processed", "skipped"], ["deferred", "processed"])
    with app.sessions() as session:
        assert session.get(models.Message, message_id).status == "processed"  # type: ignore[union-attr]


def test_it_leaves_processed_mail_in_place_when_told_to(
    tmp_path: Path, dovecot: Dovecot, mailbox: Account
) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    app = open_rig_app(rig_config(tmp_path, dovecot, url, changes={"imap.move_processed": "false"}))
    try:
        dovecot.append_many("ankieta", [ours(1)])
        before = folder_snapshot(mailbox)
        stats = poll_once(app, record_act([]))  # type: ignore[arg-type]
        assert stats.processed == 1 and stats.moved == 0
        assert folder_snapshot(mailbox) == before
    finally:
        app.close()


def test_it_reads_the_dev_corpus_with_the_expected_kind_and_token(
    tmp_path: Path, dovecot: Dovecot, mailbox: Account
) -> None:
    expected = json.loads((CORPUS / "expected.json").read_text())
    files = {entry["file"]: (CORPUS / entry["file"]).read_bytes() for entry in expected}
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    # A mailbox of mailflow's own: every message is read (in a shared one, the replies of
    # survey firms that are not configured and carry no token are left to people).
    app = open_rig_app(rig_config(tmp_path, dovecot, url, changes={"imap.shared_mailbox": "false"}))
    dovecot.append_many("ankieta", files.values())
    read: dict[str, tuple[str, str | None]] = {}

    def act(app: App, session: Session, message: models.Message, parsed: ParsedMessage) -> None:
        read[message.sha256] = (parsed.kind, parsed.token)

    try:
        stats = poll_once(app, act)
    finally:
        app.close()

    from mailflow.archive import sha256_hex

    assert stats.processed == len(files)
    got = {entry["file"]: read[sha256_hex(files[entry["file"]])] for entry in expected}
    assert got == {entry["file"]: (entry["kind"], entry["token"]) for entry in expected}


def test_it_takes_from_the_corpus_only_what_is_ours_in_a_shared_mailbox(sqlite_app: App) -> None:
    expected = json.loads((CORPUS / "expected.json").read_text())
    triage = Triage(sqlite_app.config, lambda ids: set())
    for entry in expected:
        raw = (CORPUS / entry["file"]).read_bytes().replace(b"\r\n", b"\n")
        header = raw.split(b"\n\n")[0] + b"\n\n"
        configured = entry["from"] in {v.email for v in sqlite_app.config.vendors.values()}
        if entry["token"] or configured:
            assert triage.reason(header) is not None, entry["file"]
        if entry["kind"] == "other" and not entry["token"]:
            assert triage.reason(header) is None, entry["file"]


def test_it_never_marks_mail_seen_or_expunges_the_folder(
    sqlite_app: App, dovecot: Dovecot, mailbox: Account
) -> None:
    dovecot.append_many("ankieta", [foreign(1)], flags=("\\Deleted",))
    dovecot.append_many("ankieta", [ours(2), foreign(3)])

    poll_once(sqlite_app, record_act([]))  # type: ignore[arg-type]

    left = folder_snapshot(mailbox)
    assert len(left) == 2  # the \Deleted foreign message is still there
    assert all("\\Seen" not in flags for _, flags in left.values())


def test_it_builds_the_xoauth2_login_from_a_token_command(tmp_path: Path, dovecot: Dovecot) -> None:
    script = tmp_path / "token.sh"
    script.write_text("#!/bin/sh\necho ya29.test-access-token\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    assert run_token_command(str(script)) == "ya29.test-access-token"
    config = rig_config(
        tmp_path,
        dovecot,
        f"sqlite:///{tmp_path / 'x.sqlite3'}",
        changes={"imap.oauth2_token_command": json.dumps(str(script))},
    )
    assert access_token(config) == "ya29.test-access-token"
    assert imap.xoauth2_string("ankieta@um.example.pl", "ya29.test-access-token") == (
        "user=ankieta@um.example.pl\x01auth=Bearer ya29.test-access-token\x01\x01"
    )
    failing = tmp_path / "fail.sh"
    failing.write_text("#!/bin/sh\necho secret-looking-output; exit 3\n")
    failing.chmod(failing.stat().st_mode | stat.S_IEXEC)
    from mailflow.errors import TransientError

    with pytest.raises(TransientError) as error:
        run_token_command(str(failing))
    assert "exit 3" in str(error.value) and "secret-looking" not in str(error.value)


def test_it_allows_one_intake_per_mailbox_at_a_time(sqlite_app: App) -> None:
    with (
        mailbox_lock(sqlite_app) as first,
        mailbox_lock(sqlite_app, wait_s=0.1) as second,
    ):
        assert first and not second
    with mailbox_lock(sqlite_app) as again:
        assert again


def _wait_for(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_it_sees_new_mail_in_idle_and_carries_on_after_a_dovecot_restart(
    sqlite_app: App, dovecot: Dovecot, mailbox: Account, smtp_relay: SmtpRelay
) -> None:
    app = sqlite_app
    stop = threading.Event()
    loop = threading.Thread(target=run_intake_loop, args=(app, record_act([]), stop), daemon=True)
    loop.start()
    try:
        time.sleep(0.5)
        dovecot.append_many("ankieta", [ours(1)])
        _wait_for(lambda: count(app, models.Message, models.Message.status == "processed") == 1)
        dovecot.restart()  # the open IDLE connection is dropped
        dovecot.append_many("ankieta", [ours(2)])
        _wait_for(lambda: count(app, models.Message, models.Message.status == "processed") == 2)
    finally:
        stop.set()
        loop.join(timeout=15)
        dovecot.start()
    assert not loop.is_alive()
    with app.sessions() as session:
        status = session.get(models.ServiceStatus, "imap")
        assert status is not None and status.last_error is not None  # the restart was noticed


def test_imaplib_is_left_alone_by_the_intake_helpers() -> None:
    # The intake never uses imap-tools' fetch/flag/delete helpers (they set \Seen or EXPUNGE
    # the whole folder); this guards against someone adding them back.
    source = Path(__file__).resolve().parent.parent.joinpath("mailflow", "intake.py").read_text()
    for unsafe in (".fetch(", ".flag(", ".delete(", "expunge()"):
        assert unsafe not in source
    assert imaplib is not None


def test_two_hosts_sharing_postgresql_hold_a_lock_one_at_a_time(
    tmp_path: Path, dovecot: Dovecot, postgres_url: str
) -> None:
    from mailflow.locks import exclusive

    # Two machines: one database, each its own data folder (so no shared lock file).
    for host in ("a", "b"):
        (tmp_path / host).mkdir()
    first = open_rig_app(rig_config(tmp_path / "a", dovecot, postgres_url))
    second = open_rig_app(rig_config(tmp_path / "b", dovecot, postgres_url))
    try:
        with mailbox_lock(first) as one, mailbox_lock(second, wait_s=0.2) as two:
            assert one and not two
        with exclusive(first, "outbox") as one, exclusive(second, "outbox") as two:
            assert one and not two
        with mailbox_lock(second) as again:
            assert again  # released by the first
    finally:
        first.close()
        second.close()


def test_a_lock_whose_unlock_failed_is_not_left_in_the_pool(
    tmp_path: Path, dovecot: Dovecot, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import create_engine, text

    from mailflow import locks

    app = open_rig_app(rig_config(tmp_path, dovecot, postgres_url))
    real_text = locks.text

    def failing_unlock(sql: str) -> object:
        if "unlock" in sql:
            raise RuntimeError("statement cancelled")
        return real_text(sql)

    try:
        monkeypatch.setattr(locks, "text", failing_unlock)
        with locks.exclusive(app, "outbox") as taken:
            assert taken
        monkeypatch.setattr(locks, "text", real_text)
        other = create_engine(postgres_url)
        with other.connect() as connection:
            held = connection.scalar(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
            )
        other.dispose()
        assert held == 0
    finally:
        app.close()
