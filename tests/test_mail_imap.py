"""mailflow.mail.imap against the real Dovecot of the test rig."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from mailflow.errors import PermanentError, TransientError, UserError
from mailflow.mail import imap
from tests.rig.dovecot import Account, Dovecot, free_port


def _message(number: int, message_id: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = "mieszkaniec@example.com"
    message["To"] = "ankieta@um.example.pl"
    message["Subject"] = f"Wiadomość {number}"
    message["Message-ID"] = message_id or f"<msg-{number}@example.com>"
    message.set_content(f"Treść numer {number}.\n")
    return message.as_bytes().replace(b"\n", b"\r\n")


def _connect(account: Account, password: str | None = None) -> imap.ImapConnection:
    return imap.connect(
        account.host,
        account.port,
        "none",
        account.address,
        password=password or account.password,
        timeout_s=10.0,
    )


@pytest.fixture
def connection(mailbox: Account) -> Iterator[imap.ImapConnection]:
    with _connect(mailbox) as opened:
        yield opened


def _snapshot(account: Account, folder: str = "INBOX") -> dict[int, tuple[bytes, frozenset[str]]]:
    """Every message's exact bytes and flags, read with BODY.PEEK (changes nothing)."""
    with _connect(account) as reader:
        reader.select(folder, readonly=True)
        uids = reader.uids_above(0)
        result = {}
        for uid in uids:
            raw = reader.fetch_raw(uid)
            flags = reader.flags(uid)
            assert raw is not None
            assert flags is not None
            result[uid] = (raw, frozenset(flags))
        return result


# -- security and login ------------------------------------------------------------------


def test_it_refuses_plain_text_to_a_host_that_is_not_loopback() -> None:
    with pytest.raises(UserError, match="only on loopback"):
        imap.connect("imap.example.pl", 143, "none", "ankieta", password="x")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.1.2.3"])
def test_it_counts_loopback_hosts_as_loopback(host: str) -> None:
    assert imap.is_loopback_host(host)


@pytest.mark.parametrize("host", ["10.0.0.1", "imap.um.example.pl", "localhost.example.pl"])
def test_it_does_not_count_other_hosts_as_loopback(host: str) -> None:
    assert not imap.is_loopback_host(host)


def test_it_refuses_an_unknown_security_mode() -> None:
    with pytest.raises(UserError, match="must be one of"):
        imap.connect("127.0.0.1", 143, "ssl", "ankieta", password="x")


def test_it_builds_the_xoauth2_string() -> None:
    assert imap.xoauth2_string("a@b.pl", "tok") == "user=a@b.pl\x01auth=Bearer tok\x01\x01"


def test_it_reports_a_wrong_password_as_a_user_error(mailbox: Account) -> None:
    with pytest.raises(UserError, match=r"login as 'ankieta@um\.example\.pl' refused"):
        _connect(mailbox, password="wrong")


def test_it_reports_a_refused_xoauth2_login_as_a_user_error(mailbox: Account) -> None:
    # The rig's Dovecot offers no XOAUTH2, so the server refuses the mechanism.
    with pytest.raises(UserError, match="refused"):
        imap.connect(
            mailbox.host, mailbox.port, "none", mailbox.address, access_token="t", timeout_s=5
        )


def test_it_reports_a_closed_port_as_transient() -> None:
    with pytest.raises(TransientError, match="cannot connect"):
        imap.connect("127.0.0.1", free_port(), "none", "a", password="x")


def test_it_reports_tls_against_a_plain_port_as_transient(mailbox: Account) -> None:
    with pytest.raises(TransientError, match="cannot connect"):
        imap.connect(mailbox.host, mailbox.port, "tls", "a", password="x", timeout_s=5)


@pytest.fixture
def server_without_starttls() -> Iterator[int]:
    """A loopback server that greets like an IMAP server offering no STARTTLS."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])

    def greet_one() -> None:
        with contextlib.suppress(OSError):
            connection, _address = listener.accept()
            with connection, connection.makefile("rb") as lines:
                connection.sendall(b"* OK ready\r\n")
                for line in lines:
                    tag = line.split(b" ", 1)[0]
                    if b"CAPABILITY" in line.upper():
                        connection.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n")
                    connection.sendall(tag + b" OK done\r\n")

    thread = threading.Thread(target=greet_one, daemon=True)
    thread.start()
    yield port
    listener.close()
    thread.join(timeout=5)


def test_it_reports_starttls_on_a_server_without_it_as_a_user_error(
    server_without_starttls: int,
) -> None:
    with pytest.raises(UserError, match="does not offer STARTTLS"):
        imap.connect("127.0.0.1", server_without_starttls, "starttls", "a", password="x")


def test_it_logs_in_over_implicit_tls(dovecot: Dovecot, mailbox: Account) -> None:
    context = dovecot.client_ssl_context()
    with imap.connect(
        "127.0.0.1", dovecot.imaps_port, "tls", mailbox.address, password=mailbox.password,
        ssl_context=context, timeout_s=10,
    ) as connection:  # fmt: skip
        assert connection.select("INBOX").exists == 0


def test_it_logs_in_over_starttls(dovecot: Dovecot, mailbox: Account) -> None:
    context = dovecot.client_ssl_context()
    with imap.connect(
        "127.0.0.1", dovecot.imap_port, "starttls", mailbox.address, password=mailbox.password,
        ssl_context=context, timeout_s=10,
    ) as connection:  # fmt: skip
        assert connection.select("INBOX").exists == 0


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_it_refuses_a_certificate_it_does_not_trust(
    dovecot: Dovecot, mailbox: Account, security: str
) -> None:
    # The system CA store does not know the rig's self-signed certificate.
    port = dovecot.imaps_port if security == "tls" else dovecot.imap_port
    with pytest.raises(UserError, match="certificate not trusted"):
        imap.connect("127.0.0.1", port, security, mailbox.address, password=mailbox.password)


def test_it_reads_capabilities_announced_after_login(connection: imap.ImapConnection) -> None:
    assert connection.has("MOVE")
    assert connection.has("UIDPLUS")
    assert connection.supports_idle


# -- folders, search ---------------------------------------------------------------------


def test_it_reads_uidvalidity_and_uidnext(
    dovecot: Dovecot, mailbox: Account, connection: imap.ImapConnection
) -> None:
    dovecot.append_many("ankieta", [_message(1), _message(2)])
    dovecot.set_uidvalidity("ankieta", "INBOX", 777)

    state = connection.select("INBOX")

    assert state == imap.FolderState("INBOX", 777, 3, 2)


def test_it_filters_the_highest_message_quirk_of_uid_search(
    dovecot: Dovecot, mailbox: Account, connection: imap.ImapConnection
) -> None:
    dovecot.append_many("ankieta", [_message(n) for n in range(1, 4)])
    connection.select("INBOX")
    # Dovecot answers UID 3 to "UID SEARCH UID 4:*": the quirk the function must hide.
    _status, raw = connection.client.uid("SEARCH", "UID", "4:*")
    assert raw[0] == b"3"

    assert connection.uids_above(0) == [1, 2, 3]
    assert connection.uids_above(1) == [2, 3]
    assert connection.uids_above(3) == []
    assert connection.uids_above(100) == []


def test_it_finds_a_message_in_sent_by_message_id(
    mailbox: Account, connection: imap.ImapConnection
) -> None:
    message_id = "<IN13-2026-ZO-abcd2345.20260126101500@um.example.pl>"
    connection.ensure_folder("Sent")
    uid = connection.append("Sent", _message(1, message_id))
    connection.append("Sent", _message(2))

    assert connection.search_header("Sent", "Message-ID", message_id) == [uid]
    assert connection.search_header("Sent", "Message-ID", "<nope@example.com>") == []


def test_it_appends_with_flags_and_returns_the_new_uid(
    mailbox: Account, connection: imap.ImapConnection
) -> None:
    raw = _message(5)
    uid = connection.append("Sent", raw, flags=("\\Seen",))
    connection.select("Sent")
    assert uid == 1
    assert connection.fetch_raw(1) == raw
    assert connection.flags(1) == ("\\Seen",)


@pytest.mark.parametrize("folder", ["Przetworzone/IN-13", "Kwarantanna – błędy"])
def test_it_creates_a_missing_folder_once(
    mailbox: Account, connection: imap.ImapConnection, folder: str
) -> None:
    connection.ensure_folder(folder)
    connection.ensure_folder(folder)  # second call is harmless
    assert connection.folder_exists(folder)
    assert connection.select(folder).exists == 0


def test_it_reports_selecting_a_missing_folder_as_permanent(
    connection: imap.ImapConnection,
) -> None:
    with pytest.raises(PermanentError, match="Nieistniejący"):
        connection.select("Nieistniejący")


# -- fetching never changes anything -----------------------------------------------------


def test_it_fetches_headers_sizes_and_flags_without_setting_seen(
    dovecot: Dovecot, mailbox: Account, connection: imap.ImapConnection
) -> None:
    dovecot.append_many("ankieta", [_message(1)])
    dovecot.append_many("ankieta", [_message(2)], flags=["\\Flagged"])
    before = _snapshot(mailbox)
    connection.select("INBOX")

    fetched = list(connection.fetch_headers([1, 2]))
    raw = connection.fetch_raw(1)

    assert [item.uid for item in fetched] == [1, 2]
    assert fetched[0].header.startswith(b"From: mieszkaniec@example.com")
    assert fetched[0].header.endswith(b"\r\n\r\n")
    assert b"Tre" not in fetched[0].header  # the body was not downloaded
    assert fetched[0].size == len(_message(1))
    assert "\\Flagged" in fetched[1].flags
    assert raw == _message(1)
    assert _snapshot(mailbox) == before
    assert all("\\Seen" not in flags for _raw, flags in before.values())


def test_it_skips_uids_that_do_not_exist(
    dovecot: Dovecot, mailbox: Account, connection: imap.ImapConnection
) -> None:
    dovecot.append_many("ankieta", [_message(1)])
    connection.select("INBOX")
    assert [item.uid for item in connection.fetch_headers([1, 99])] == [1]
    assert connection.fetch_raw(99) is None


def test_it_fetches_20000_headers_in_bounded_batches(
    dovecot: Dovecot, mailbox: Account, connection: imap.ImapConnection
) -> None:
    template = b"From: a@example.com\r\nSubject: %d\r\nMessage-ID: <%d@example.com>\r\n\r\nx\r\n"
    dovecot.append_many("ankieta", (template % (n, n) for n in range(20_000)), batch=5000)
    connection.select("INBOX")
    uids = connection.uids_above(0)
    # Every other UID: no ranges compress, so one command would be far over 64 KiB.
    wanted = uids[::2]

    fetched = list(connection.fetch_headers(wanted, batch=5000))

    assert [item.uid for item in fetched] == wanted
    assert all(item.header.startswith(b"From:") for item in fetched)


def test_it_compacts_uid_sets_into_ranges() -> None:
    assert imap.uid_set([7, 1, 2, 3, 9, 10]) == "1:3,7,9:10"


# -- moving exactly one message ----------------------------------------------------------


@pytest.mark.parametrize("has_move", [True, False], ids=["MOVE", "COPY+UID EXPUNGE"])
def test_it_moves_only_the_given_uid_and_leaves_the_rest_untouched(
    dovecot: Dovecot, mailbox: Account, connection: imap.ImapConnection, has_move: bool
) -> None:
    dovecot.append_many("ankieta", [_message(n) for n in range(1, 6)])
    # Another person's message already marked \Deleted: a folder-wide EXPUNGE would lose it.
    dovecot.append_many("ankieta", [_message(6)], flags=["\\Deleted", "\\Seen"])
    dovecot.append_many("ankieta", [_message(7)], flags=["\\Answered", "$Label1"])
    before = _snapshot(mailbox)
    connection.ensure_folder("Przetworzone")
    if not has_move:
        connection.capabilities = connection.capabilities - {"MOVE"}
    connection.select("INBOX")

    connection.move(3, "Przetworzone")

    after = _snapshot(mailbox)
    assert set(after) == set(before) - {3}
    assert all(after[uid] == before[uid] for uid in after)
    moved = _snapshot(mailbox, "Przetworzone")
    assert [raw for raw, _flags in moved.values()] == [before[3][0]]


def test_it_leaves_the_copy_flagged_without_uidplus_and_never_expunges(
    dovecot: Dovecot, mailbox: Account, connection: imap.ImapConnection
) -> None:
    dovecot.append_many("ankieta", [_message(1), _message(2)])
    connection.ensure_folder("Przetworzone")
    connection.capabilities = connection.capabilities - {"MOVE", "UIDPLUS"}
    connection.select("INBOX")

    connection.move(1, "Przetworzone")

    assert connection.uids_above(0) == [1, 2]
    assert connection.flags(1) is not None
    assert "\\Deleted" in (connection.flags(1) or ())
    assert "\\Deleted" not in (connection.flags(2) or ())


# -- IDLE and restarts -------------------------------------------------------------------


def test_it_returns_from_idle_when_new_mail_arrives(
    dovecot: Dovecot, mailbox: Account, connection: imap.ImapConnection
) -> None:
    connection.select("INBOX")
    timer = threading.Timer(0.3, lambda: dovecot.append_many("ankieta", [_message(1)]))
    timer.start()
    started = time.monotonic()
    try:
        assert connection.idle_wait(10) is True
    finally:
        timer.join()
    assert time.monotonic() - started < 5
    assert connection.uids_above(0) == [1]


def test_it_returns_false_from_idle_when_nothing_arrives(
    mailbox: Account, connection: imap.ImapConnection
) -> None:
    connection.select("INBOX")
    started = time.monotonic()
    assert connection.idle_wait(0.5) is False
    assert 0.4 < time.monotonic() - started < 3
    connection.noop()  # the connection is still usable after IDLE


def test_it_reissues_idle_and_still_sees_mail_that_arrives_later(
    dovecot: Dovecot, mailbox: Account, connection: imap.ImapConnection
) -> None:
    connection.select("INBOX")
    timer = threading.Timer(1.0, lambda: dovecot.append_many("ankieta", [_message(1)]))
    timer.start()
    try:
        assert connection.idle_wait(10, reissue_s=0.3) is True
    finally:
        timer.join()
    assert connection.idle_commands >= 3
    assert connection.uids_above(0) == [1]


def test_it_returns_at_once_for_mail_announced_before_idle_started(
    dovecot: Dovecot, mailbox: Account, connection: imap.ImapConnection
) -> None:
    connection.select("INBOX")
    dovecot.append_many("ankieta", [_message(1)])
    connection.noop()  # the server announces "* 1 EXISTS" in this reply
    started = time.monotonic()
    assert connection.idle_wait(10) is True
    assert time.monotonic() - started < 1
    assert connection.idle_wait(0.3) is False  # the notice was consumed


def test_it_polls_with_noop_when_the_server_has_no_idle(
    dovecot: Dovecot, mailbox: Account, connection: imap.ImapConnection
) -> None:
    connection.select("INBOX")
    connection.capabilities = connection.capabilities - {"IDLE"}
    assert connection.idle_wait(0.1) is False
    dovecot.append_many("ankieta", [_message(1)])
    assert connection.idle_wait(0.1) is True


def test_it_raises_transient_when_dovecot_restarts_during_idle_and_reconnects(
    dovecot: Dovecot, mailbox: Account
) -> None:
    connection = _connect(mailbox)
    connection.select("INBOX")
    timer = threading.Timer(0.3, dovecot.restart)
    timer.start()
    try:
        with pytest.raises(TransientError):
            connection.idle_wait(20)
    finally:
        timer.join()
        connection.close()
    dovecot.append_many("ankieta", [_message(1)])
    with _connect(mailbox) as again:
        again.select("INBOX")
        assert again.uids_above(0) == [1]


def test_it_raises_transient_for_a_command_after_the_server_went_away(
    dovecot: Dovecot, mailbox: Account
) -> None:
    connection = _connect(mailbox)
    connection.select("INBOX")
    try:
        dovecot.stop()
        with pytest.raises(TransientError):
            connection.uids_above(0)
        with pytest.raises(TransientError, match="cannot connect"):
            _connect(mailbox)
    finally:
        connection.close()
        dovecot.start()
