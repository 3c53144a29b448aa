"""Thin SMTP edge: deliver one finished message, and say whether retrying can help.

The outbox decides what to send and when; this module only hands bytes to the server.
:meth:`SmtpConnection.send` returns normally only when the server accepted the message for
every recipient. Otherwise it raises :class:`TransientError` (4xx, connection trouble,
timeouts: retry later) or :class:`PermanentError` (5xx: record as failed and show a person),
always with the server's reply in the message. Bad settings raise :class:`UserError`.
Two subclasses say more where the caller's next step depends on it: :class:`ConnectionLost`
(no reply came at all, so after the final dot the server may have accepted the message) and
:class:`PartlyAccepted` (the message went out to some recipients only).
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from mailflow.errors import PermanentError, TransientError, UserError
from mailflow.mail.imap import check_security, xoauth2_string

if TYPE_CHECKING:
    from mailflow.config import Config

DEFAULT_TIMEOUT_S = 30.0
# RFC 5321 4.5.3.2.6: wait 10 minutes for the reply to the final dot; servers scan large
# attachments before they answer, and giving up early makes the outcome unknown.
FINAL_REPLY_TIMEOUT_S = 600.0


class ConnectionLost(TransientError):
    """The connection broke or timed out without a reply from the server."""


class RecipientsDeferred(TransientError):
    """Every recipient of this message got a 4xx (greylisting, a full mailbox): this message
    waits; others may go on."""


class SenderRefused(PermanentError):
    """5xx to MAIL FROM: the server will take no message from this sender (a setting, an
    account or a reputation problem), so every message would fail the same way."""


class PartlyAccepted(PermanentError):
    """The server took the message for ``accepted`` and refused it for the others: it is out,
    so sending it again would duplicate it for the accepted ones. ``refused`` maps each
    refused recipient to the reply code (4xx: may be tried again later, 5xx: never)."""

    def __init__(
        self, message: str, accepted: Sequence[str], refused: dict[str, int] | None = None
    ) -> None:
        super().__init__(message)
        self.accepted = tuple(accepted)
        self.refused = dict(refused or {})


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(message.split())}"


def _by_code(code: int, message: str) -> TransientError | PermanentError:
    # RFC 5321: 4yz is a transient failure, 5yz permanent. Anything else here is odd
    # (a 2xx would not raise); treat it as retryable rather than give up on a message.
    if 500 <= code <= 599:
        return PermanentError(message)
    return TransientError(message)


class SmtpConnection:
    """A connection to the submission server, opened on first use and reused for several
    sends. Not thread-safe: use one per thread."""

    def __init__(
        self,
        host: str,
        port: int,
        security: str,
        *,
        username: str | None = None,
        password: str | None = None,
        access_token: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        final_reply_timeout_s: float = FINAL_REPLY_TIMEOUT_S,
        local_hostname: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.security = check_security(host, security, "SMTP")
        secrets_given = (password is not None) + (access_token is not None)
        if secrets_given > 1 or (username is None) != (secrets_given == 0):
            raise UserError(
                "SMTP login needs a username with either a password or an access token, "
                "or none of them"
            )
        self.username = username
        self._password = password
        self._access_token = access_token
        self.timeout_s = timeout_s
        self.final_reply_timeout_s = final_reply_timeout_s
        self.local_hostname = local_hostname
        self._ssl_context = ssl_context
        self._client: smtplib.SMTP | None = None

    # -- connection ----------------------------------------------------------------------

    def _context(self) -> ssl.SSLContext:
        # Loading the system CA store is slow (~0.2 s), so only when TLS is used.
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    def connect(self) -> None:
        """Open and (if configured) log in; sends do this themselves when needed."""
        if self._client is not None:
            return
        where = f"SMTP {self.host}:{self.port}"
        client: smtplib.SMTP
        with self._errors("connecting"):
            if self.security == "tls":
                client = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    local_hostname=self.local_hostname,
                    timeout=self.timeout_s,
                    context=self._context(),
                )
            else:
                client = smtplib.SMTP(
                    self.host,
                    self.port,
                    local_hostname=self.local_hostname,
                    timeout=self.timeout_s,
                )
        try:
            with self._errors("starting the session"):
                client.ehlo()
                if self.security == "starttls":
                    if not client.has_extn("starttls"):
                        raise UserError(f"{where} does not offer STARTTLS")
                    client.starttls(context=self._context())
                    client.ehlo()
                if self.username is not None:
                    self._login(client)
        except BaseException:
            _drop(client)
            raise
        self._client = client

    def _login(self, client: smtplib.SMTP) -> None:
        where = f"SMTP {self.host}:{self.port}"
        try:
            if self._access_token is not None:
                self._xoauth2(client)
            else:
                client.login(self.username or "", self._password or "")
        except smtplib.SMTPAuthenticationError as error:
            message = f"{where}: login as {self.username!r} refused: " + _reply(
                error.smtp_code, error.smtp_error
            )
            if 400 <= error.smtp_code <= 499:
                raise TransientError(message) from error
            raise UserError(message) from error
        except smtplib.SMTPNotSupportedError as error:
            raise UserError(f"{where} offers no login (AUTH) on this connection") from error
        except smtplib.SMTPException as error:
            if "No suitable authentication method" in str(error):
                raise UserError(f"{where}: no authentication method in common") from error
            raise

    def _xoauth2(self, client: smtplib.SMTP) -> None:
        offered = str(client.esmtp_features.get("auth", "")).upper().split()
        if "XOAUTH2" not in offered:
            raise UserError(f"SMTP {self.host}:{self.port} does not offer XOAUTH2 login")
        initial = xoauth2_string(self.username or "", self._access_token or "")

        def respond(challenge: bytes | None = None) -> str:
            # On failure the server sends a JSON error as a challenge; the protocol wants an
            # empty reply, after which the server answers 535 (or 454).
            return initial if challenge is None else ""

        client.auth("XOAUTH2", respond)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            _drop(client)

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Map smtplib and socket failures while ``doing`` to transient/permanent errors."""
        where = f"SMTP {self.host}:{self.port}"
        try:
            yield
        except (UserError, TransientError, PermanentError):
            raise
        except ssl.SSLCertVerificationError as error:
            # Retrying will not make the certificate valid; a person has to look.
            self._forget()
            raise UserError(
                f"{where}: server certificate not trusted: {error.verify_message}"
            ) from error
        except smtplib.SMTPAuthenticationError as error:
            # The same for every message: a setting to fix, not a message to give up on.
            raise UserError(
                f"{where}: login refused: {_reply(error.smtp_code, error.smtp_error)}"
            ) from error
        except smtplib.SMTPSenderRefused as error:
            message = (
                f"{where}: {doing} refused for sender {error.sender!r}: "
                f"{_reply(error.smtp_code, error.smtp_error)}"
            )
            if 500 <= error.smtp_code <= 599:
                raise SenderRefused(message) from error
            raise TransientError(message) from error
        except UnicodeError as error:
            # smtplib cannot put a non-ASCII address in a command without SMTPUTF8: this
            # message cannot go out as it is, and the next one must not wait for it.
            raise PermanentError(f"{where}: cannot send while {doing}: {error}") from error
        except smtplib.SMTPRecipientsRefused as error:
            # Every recipient refused; the first reply decides, all are reported.
            replies = {rcpt: _reply(code, text) for rcpt, (code, text) in error.recipients.items()}
            codes = [code for code, _text in error.recipients.values()]
            detail = "; ".join(f"{rcpt}: {reply}" for rcpt, reply in replies.items())
            permanent = all(500 <= code <= 599 for code in codes)
            message = f"{where}: recipients refused while {doing}: {detail}"
            raise (PermanentError(message) if permanent else RecipientsDeferred(message)) from error
        except smtplib.SMTPResponseException as error:
            message = f"{where}: {doing} refused: {_reply(error.smtp_code, error.smtp_error)}"
            raise _by_code(error.smtp_code, message) from error
        except smtplib.SMTPServerDisconnected as error:
            self._forget()
            raise ConnectionLost(f"{where}: connection lost while {doing}: {error}") from error
        except (OSError, smtplib.SMTPException) as error:  # refused, reset, timeout, TLS
            self._forget()
            raise ConnectionLost(
                f"{where}: network error while {doing}: {error or type(error).__name__}"
            ) from error

    def _forget(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()

    def _alive(self) -> bool:
        """True if the open connection still answers; a server may drop idle clients."""
        if self._client is None:
            return False
        try:
            code, _text = self._client.noop()
        except (OSError, smtplib.SMTPException):
            self._forget()
            return False
        if code != 250:
            self.close()
            return False
        return True

    def noop(self) -> str:
        """Connect (and log in) if needed, then NOOP; returns the reply, e.g. "250 2.0.0 Ok"."""
        self.connect()
        client = self._client
        assert client is not None
        with self._errors("checking the connection"):
            code, text = client.noop()
        return _reply(code, text)

    # -- sending -------------------------------------------------------------------------

    def send(
        self,
        mail_from: str,
        rcpt_to: Sequence[str],
        raw: bytes,
        before_final_dot: Callable[[], None] | None = None,
    ) -> None:
        """Deliver ``raw`` unchanged to ``rcpt_to`` with envelope sender ``mail_from``.

        Returns only when every recipient was accepted. If some were accepted and others
        refused, it still sends the message to the accepted ones and then raises
        :class:`PartlyAccepted` naming both sides. ``before_final_dot`` runs when the server
        has the whole message but not the final ``.``: until then the server drops the
        message if anything fails; from then on a :class:`ConnectionLost` means it may
        have accepted it.
        """
        if not rcpt_to:
            raise UserError("SMTP send needs at least one recipient")
        # Reconnecting is safe only before the transaction starts: nothing was sent yet.
        if not self._alive():
            self.connect()
        client = self._client
        assert client is not None  # connect() either set it or raised
        try:
            with self._errors("sending"):
                refused = self._transaction(
                    client, mail_from, rcpt_to, raw, before_final_dot, self.final_reply_timeout_s
                )
        except BaseException:
            # A half-done transaction must never be finished by a later send; closing the
            # socket before the dot also makes the server drop the message.
            self._forget()
            raise
        if refused:
            accepted = [rcpt for rcpt in rcpt_to if rcpt not in refused]
            detail = "; ".join(f"{rcpt}: {_reply(*reply)}" for rcpt, reply in refused.items())
            raise PartlyAccepted(
                f"SMTP {self.host}:{self.port}: accepted for {', '.join(accepted)} "
                f"but refused for {detail}",
                accepted,
                {rcpt: code for rcpt, (code, _text) in refused.items()},
            )

    @staticmethod
    def _transaction(
        client: smtplib.SMTP,
        mail_from: str,
        rcpt_to: Sequence[str],
        raw: bytes,
        before_final_dot: Callable[[], None] | None,
        final_reply_timeout_s: float = FINAL_REPLY_TIMEOUT_S,
    ) -> dict[str, tuple[int, bytes]]:
        """MAIL, RCPT, DATA by hand (``smtplib.sendmail`` has no point between the message
        and its final dot); returns the refused recipients, if only some were refused."""
        code, reply = client.mail(mail_from)
        if code != 250:
            client.rset()
            raise smtplib.SMTPSenderRefused(code, reply, mail_from)
        refused: dict[str, tuple[int, bytes]] = {}
        for rcpt in rcpt_to:
            code, reply = client.rcpt(rcpt)
            if code not in (250, 251):
                refused[rcpt] = (code, reply)
        if len(refused) == len(rcpt_to):
            client.rset()
            raise smtplib.SMTPRecipientsRefused(refused)
        code, reply = client.docmd("DATA")
        if code != 354:
            client.rset()
            raise smtplib.SMTPDataError(code, reply)
        body = re.sub(rb"(?m)^\.", b"..", raw)  # RFC 5321 dot-stuffing
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        client.send(body)
        if before_final_dot is not None:
            before_final_dot()
        client.send(b".\r\n")
        if client.sock is not None:
            client.sock.settimeout(final_reply_timeout_s)
        code, reply = client.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        return refused

    @classmethod
    def from_config(cls, config: Config) -> SmtpConnection:
        """The connection the configuration describes (not opened yet)."""
        smtp = config.smtp
        # No username or no password means no login (the rig, some internal relays).
        login = bool(smtp.username and smtp.password)
        return cls(
            smtp.host,
            smtp.port,
            smtp.security,
            username=smtp.username if login else None,
            password=smtp.password if login else None,
            timeout_s=float(smtp.timeout_seconds),
            final_reply_timeout_s=float(smtp.final_reply_timeout_seconds),
        )


def connect(
    host: str,
    port: int,
    security: str,
    *,
    username: str | None = None,
    password: str | None = None,
    access_token: str | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    local_hostname: str | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> SmtpConnection:
    """Open an SMTP connection now (so settings and credentials fail early) and return it."""
    connection = SmtpConnection(
        host,
        port,
        security,
        username=username,
        password=password,
        access_token=access_token,
        timeout_s=timeout_s,
        local_hostname=local_hostname,
        ssl_context=ssl_context,
    )
    connection.connect()
    return connection


def _drop(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        with contextlib.suppress(Exception):
            client.close()
