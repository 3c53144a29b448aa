"""mailflow.mail.smtp against the rig's real SMTP relay (delivering into Dovecot)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from imap_tools import MailBoxUnencrypted

from mailflow.errors import PermanentError, TransientError, UserError
from mailflow.mail import smtp
from mailflow.mail.imap import xoauth2_string
from tests.rig.dovecot import Account, Dovecot, free_port
from tests.rig.smtp_relay import SmtpRelay

SENDER = "ankieta+abcd2345@um.example.pl"


def _message(subject: str, to: str = "ankieta@um.example.pl") -> bytes:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash(subject))}@um.example.pl>"
    message.set_content("Dzień dobry,\nproszę o ofertę.\n")
    return message.as_bytes().replace(b"\n", b"\r\n")


def _inbox_subjects(account: Account) -> list[str]:
    with MailBoxUnencrypted(account.host, account.port, timeout=10).login(
        account.address, account.password
    ) as box:
        return [message.subject for message in box.fetch(mark_seen=False)]


@pytest.fixture
def relay(smtp_relay: SmtpRelay) -> Iterator[SmtpRelay]:
    """The session relay, reset before and after the test."""
    smtp_relay.start()
    smtp_relay.accept()
    smtp_relay.clear()
    yield smtp_relay
    smtp_relay.start()
    smtp_relay.accept()


@pytest.fixture
def connection(relay: SmtpRelay) -> Iterator[smtp.SmtpConnection]:
    with smtp.SmtpConnection(relay.host, relay.port, "none", timeout_s=10) as opened:
        yield opened


def test_it_delivers_a_message_byte_for_byte(
    mailbox: Account, relay: SmtpRelay, connection: smtp.SmtpConnection
) -> None:
    raw = _message("Zapytanie o cenę")

    connection.send(SENDER, [mailbox.address], raw)

    [accepted] = relay.accepted
    assert accepted.mail_from == SENDER
    assert accepted.rcpt_tos == (mailbox.address,)
    assert accepted.data.rstrip(b"\r\n") == raw.rstrip(b"\r\n")
    assert _inbox_subjects(mailbox) == ["Zapytanie o cenę"]


def test_it_reuses_one_connection_for_several_sends(
    mailbox: Account, relay: SmtpRelay, connection: smtp.SmtpConnection
) -> None:
    connection.send(SENDER, [mailbox.address], _message("pierwsza"))
    first_client = connection._client
    connection.send(SENDER, [mailbox.address], _message("druga"))

    assert connection._client is first_client
    assert _inbox_subjects(mailbox) == ["pierwsza", "druga"]


def test_it_raises_permanent_with_the_reply_for_an_unknown_user(
    connection: smtp.SmtpConnection,
) -> None:
    with pytest.raises(PermanentError, match=r"nobody@um\.example\.pl: 550 5\.1\.1"):
        connection.send(SENDER, ["nobody@um.example.pl"], _message("x"))


@pytest.mark.parametrize("stage", ["MAIL", "RCPT", "DATA"])
def test_it_raises_transient_for_a_4xx_reply(
    relay: SmtpRelay, connection: smtp.SmtpConnection, stage: str
) -> None:
    relay.refuse("451 4.3.0 Spróbuj później", at=stage)
    with pytest.raises(TransientError, match=r"451 4\.3\.0"):
        connection.send(SENDER, ["ankieta@um.example.pl"], _message("x"))
    assert relay.accepted == []


@pytest.mark.parametrize("stage", ["MAIL", "RCPT", "DATA"])
def test_it_raises_permanent_for_a_5xx_reply(
    relay: SmtpRelay, connection: smtp.SmtpConnection, stage: str
) -> None:
    relay.refuse("554 5.7.1 Message rejected as spam", at=stage)
    with pytest.raises(PermanentError, match=r"554 5\.7\.1 Message rejected as spam"):
        connection.send(SENDER, ["ankieta@um.example.pl"], _message("x"))


def test_it_can_send_again_on_the_same_connection_after_a_refusal(
    mailbox: Account, relay: SmtpRelay, connection: smtp.SmtpConnection
) -> None:
    relay.refuse("452 4.3.1 Insufficient system storage", at="DATA")
    with pytest.raises(TransientError):
        connection.send(SENDER, [mailbox.address], _message("odrzucona"))
    relay.accept()

    connection.send(SENDER, [mailbox.address], _message("przyjęta"))

    assert _inbox_subjects(mailbox) == ["przyjęta"]


def test_it_refuses_partial_delivery_as_permanent_naming_both_sides(
    mailbox: Account, connection: smtp.SmtpConnection
) -> None:
    with pytest.raises(PermanentError) as refused:
        connection.send(SENDER, [mailbox.address, "nobody@um.example.pl"], _message("dwóch"))
    assert "accepted for ankieta@um.example.pl" in str(refused.value)
    assert "nobody@um.example.pl: 550" in str(refused.value)
    # It did go out to the accepted one: the caller must not send it again.
    assert isinstance(refused.value, smtp.PartlyAccepted)
    assert refused.value.accepted == (mailbox.address,)
    assert _inbox_subjects(mailbox) == ["dwóch"]


def test_it_runs_the_hook_before_the_final_dot_and_a_failure_there_sends_nothing(
    mailbox: Account, relay: SmtpRelay, connection: smtp.SmtpConnection
) -> None:
    class Crash(Exception):
        pass

    def crash() -> None:
        raise Crash  # stands for a process killed with the whole message but no dot sent

    with pytest.raises(Crash):
        connection.send(SENDER, [mailbox.address], _message("bez kropki"), crash)
    calls: list[str] = []
    connection.send(SENDER, [mailbox.address], _message("z kropką"), lambda: calls.append("dot"))

    assert calls == ["dot"]
    assert _inbox_subjects(mailbox) == ["z kropką"]
    assert [m.data.count(b"bez kropki") for m in relay.accepted] == [0]


def test_it_raises_transient_while_the_server_is_down_and_recovers(
    mailbox: Account, relay: SmtpRelay, connection: smtp.SmtpConnection
) -> None:
    connection.send(SENDER, [mailbox.address], _message("przed"))
    relay.stop()
    try:
        with pytest.raises(TransientError, match=r"SMTP 127\.0\.0\.1"):
            connection.send(SENDER, [mailbox.address], _message("w trakcie"))
        with pytest.raises(TransientError, match="connecting"):
            connection.send(SENDER, [mailbox.address], _message("w trakcie"))
    finally:
        relay.start()

    connection.send(SENDER, [mailbox.address], _message("po"))

    assert _inbox_subjects(mailbox) == ["przed", "po"]


def test_it_reports_a_closed_port_as_transient() -> None:
    with pytest.raises(TransientError, match="network error while connecting"):
        smtp.connect("127.0.0.1", free_port(), "none", timeout_s=5)


def test_it_refuses_plain_text_to_a_host_that_is_not_loopback() -> None:
    with pytest.raises(UserError, match="only on loopback"):
        smtp.SmtpConnection("smtp.example.pl", 25, "none")


def test_it_refuses_an_unknown_security_mode() -> None:
    with pytest.raises(UserError, match="must be one of"):
        smtp.SmtpConnection("127.0.0.1", 25, "ssl")


def test_it_reports_starttls_on_a_server_without_it_as_a_user_error(relay: SmtpRelay) -> None:
    with pytest.raises(UserError, match="does not offer STARTTLS"):
        smtp.connect(relay.host, relay.port, "starttls", timeout_s=5)


def test_it_reports_tls_against_a_plain_server_as_transient(relay: SmtpRelay) -> None:
    with pytest.raises(TransientError, match="connecting"):
        smtp.connect(relay.host, relay.port, "tls", timeout_s=5)


def test_it_needs_at_least_one_recipient(connection: smtp.SmtpConnection) -> None:
    with pytest.raises(UserError, match="at least one recipient"):
        connection.send(SENDER, [], _message("x"))


# -- login -------------------------------------------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        expected = xoauth2_string("ankieta@um.example.pl", "good-token")
        if len(args) == 2 and base64.b64decode(args[1]).decode() == expected:
            return AuthResult(success=True)
        # As Gmail does: an error challenge, then 535 after the client's empty answer.
        await server.challenge_auth('{"status":"401"}')
        return AuthResult(success=False, handled=False)

    async def handle_DATA(  # aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.messages.append(envelope.original_content or b"")
        return "250 OK"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: object
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.password == b"haslo"
    # handled=False: let aiosmtpd send its own 535 reply on failure.
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def auth_server() -> Iterator[tuple[Controller, _Recorder]]:
    recorder = _Recorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=_authenticate,
        auth_require_tls=False,  # loopback only, for the test
        ready_timeout=10,
    )
    controller.start()
    yield controller, recorder
    controller.stop()


def test_it_logs_in_when_credentials_are_given(
    auth_server: tuple[Controller, _Recorder],
) -> None:
    controller, recorder = auth_server
    with smtp.connect(
        "127.0.0.1", controller.port, "none", username="ankieta", password="haslo"
    ) as connection:
        connection.send(SENDER, ["x@example.com"], _message("z logowaniem"))
    assert len(recorder.messages) == 1


def test_it_reports_a_wrong_password_as_a_user_error(
    auth_server: tuple[Controller, _Recorder],
) -> None:
    controller, _recorder = auth_server
    with pytest.raises(UserError, match="login as 'ankieta' refused: 535"):
        smtp.connect(
            "127.0.0.1", controller.port, "none", username="ankieta", password="zle", timeout_s=5
        )


def test_it_logs_in_with_an_xoauth2_access_token(
    auth_server: tuple[Controller, _Recorder],
) -> None:
    controller, recorder = auth_server
    with smtp.connect(
        "127.0.0.1",
        controller.port,
        "none",
        username="ankieta@um.example.pl",
        access_token="good-token",
    ) as connection:
        connection.send(SENDER, ["x@example.com"], _message("z tokenem"))
    assert len(recorder.messages) == 1


def test_it_reports_a_refused_access_token_as_a_user_error(
    auth_server: tuple[Controller, _Recorder],
) -> None:
    controller, _recorder = auth_server
    with pytest.raises(UserError, match="refused: 535"):
        smtp.connect(
            "127.0.0.1",
            controller.port,
            "none",
            username="ankieta@um.example.pl",
            access_token="expired",
            timeout_s=5,
        )


def test_it_reports_a_server_without_xoauth2_as_a_user_error(relay: SmtpRelay) -> None:
    with pytest.raises(UserError, match="does not offer XOAUTH2"):
        smtp.connect(relay.host, relay.port, "none", username="a", access_token="t")


@pytest.mark.parametrize(
    ("username", "password", "access_token"),
    [("ankieta", None, None), (None, "x", None), ("a", "x", "t")],
)
def test_it_needs_a_username_with_exactly_one_secret(
    username: str | None, password: str | None, access_token: str | None
) -> None:
    with pytest.raises(UserError, match="needs a username with either"):
        smtp.SmtpConnection(
            "127.0.0.1",
            25,
            "none",
            username=username,
            password=password,
            access_token=access_token,
        )


# -- TLS ---------------------------------------------------------------------------------


@pytest.fixture
def tls_servers(dovecot: Dovecot) -> Iterator[dict[str, tuple[int, _Recorder]]]:
    """Two SMTP servers with the rig's certificate: STARTTLS and implicit TLS."""
    context = dovecot.server_ssl_context()
    starttls_recorder, tls_recorder = _Recorder(), _Recorder()
    starttls = Controller(
        starttls_recorder, hostname="127.0.0.1", port=free_port(), tls_context=context
    )
    implicit = Controller(tls_recorder, hostname="127.0.0.1", port=free_port(), ssl_context=context)
    starttls.start()
    implicit.start()
    yield {"starttls": (starttls.port, starttls_recorder), "tls": (implicit.port, tls_recorder)}
    starttls.stop()
    implicit.stop()


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_it_sends_over_tls_when_it_trusts_the_certificate(
    dovecot: Dovecot, tls_servers: dict[str, tuple[int, _Recorder]], security: str
) -> None:
    port, recorder = tls_servers[security]
    with smtp.connect(
        "127.0.0.1", port, security, ssl_context=dovecot.client_ssl_context(), timeout_s=10
    ) as connection:
        connection.send(SENDER, ["x@example.com"], _message("szyfrowana"))
    assert len(recorder.messages) == 1


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_it_refuses_a_certificate_it_does_not_trust(
    tls_servers: dict[str, tuple[int, _Recorder]], security: str
) -> None:
    port, recorder = tls_servers[security]
    with pytest.raises(UserError, match="certificate not trusted"):
        smtp.connect("127.0.0.1", port, security, timeout_s=10)
    assert recorder.messages == []
