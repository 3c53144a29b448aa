"""A real SMTP receiver on loopback that delivers into the rig's Dovecot through LMTP.

aiosmtpd speaks SMTP to the code under test; each recipient is checked and delivered over
LMTP one at a time, because LMTP answers once per recipient after DATA and Python's
``smtplib.LMTP`` reads only one reply. Dovecot's answers (250, 4xx, 550 for an unknown user)
go back to the SMTP client unchanged. Tests can also make the server refuse with a chosen
reply, or stop and start it, and can read every accepted message from :attr:`accepted`.
"""

from __future__ import annotations

import asyncio
import smtplib
import threading
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.rig.dovecot import Account, append_many, free_port


@dataclass(frozen=True)
class AcceptedMessage:
    """One message the relay accepted (and Dovecot stored), as the client sent it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {message}".replace("\r", " ").replace("\n", " ")


class _LmtpHandler:
    def __init__(self, relay: SmtpRelay) -> None:
        self.relay = relay

    async def handle_MAIL(  # aiosmtpd's hook names
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        refusal = self.relay.refusal_for("MAIL")
        if refusal:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        refusal = self.relay.refusal_for("RCPT") or self.relay.refusal_for(f"RCPT {address}")
        if refusal:
            return refusal
        # Ask Dovecot now, so an unknown user gets its 550 at RCPT time as from a real MTA.
        # Blocking LMTP runs in a thread so one slow delivery does not stall other clients.
        loop = asyncio.get_running_loop()
        code, text = await loop.run_in_executor(None, self.relay.check_recipient, address)
        if code != 250:
            return _reply(code, text)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        refusal = self.relay.refusal_for("DATA")
        if refusal:
            return refusal
        data = envelope.original_content or b""
        mail_from = envelope.mail_from or ""
        loop = asyncio.get_running_loop()
        for rcpt in envelope.rcpt_tos:
            code, text = await loop.run_in_executor(None, self.relay.deliver, mail_from, rcpt, data)
            if code != 250:
                return _reply(code, text)
        await loop.run_in_executor(None, self.relay.file_in_sent, data)
        self.relay.record(AcceptedMessage(mail_from, tuple(envelope.rcpt_tos), data))
        delay = self.relay.reply_delay()
        if delay:
            await asyncio.sleep(delay)  # delivered, but the answer comes late (or never)
        return "250 OK delivered"


class SmtpRelay:
    """aiosmtpd on a free loopback port, delivering to Dovecot's LMTP at ``lmtp_port``."""

    def __init__(self, lmtp_host: str, lmtp_port: int) -> None:
        self.lmtp_host = lmtp_host
        self.lmtp_port = lmtp_port
        self.host = "127.0.0.1"
        self.port = free_port()
        self._lock = threading.Lock()
        self._accepted: list[AcceptedMessage] = []
        self._refusals: dict[str, str] = {}
        self._reply_delay = 0.0
        self._sent_account: Account | None = None
        self._sent_folder = "Sent"
        self._controller: Controller | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        if self._controller is not None:
            return
        # decode_data=False keeps the exact bytes; the original_content is what we store.
        controller = Controller(
            _LmtpHandler(self),
            hostname=self.host,
            port=self.port,
            decode_data=False,
            enable_SMTPUTF8=True,
            ready_timeout=10,
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop listening: clients now get 'connection refused', as with a server that is down."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    @property
    def running(self) -> bool:
        return self._controller is not None

    # -- behaviour switches --------------------------------------------------------------

    def refuse(self, reply: str, at: str = "MAIL") -> None:
        """Answer ``reply`` (e.g. "451 4.3.0 try later") to every ``at`` command until clear."""
        with self._lock:
            self._refusals[at.upper()] = reply

    def refuse_recipient(self, address: str, reply: str) -> None:
        """Answer ``reply`` to RCPT for ``address`` only (the others are taken)."""
        self.refuse(reply, at=f"RCPT {address}")

    def delay_final_reply(self, seconds: float) -> None:
        """Deliver each message, then wait ``seconds`` before answering the final dot."""
        with self._lock:
            self._reply_delay = seconds

    def reply_delay(self) -> float:
        with self._lock:
            return self._reply_delay

    def accept(self) -> None:
        """Stop refusing (and answer the final dot at once)."""
        with self._lock:
            self._refusals.clear()
            self._reply_delay = 0.0

    def refusal_for(self, command: str) -> str | None:
        with self._lock:
            return self._refusals.get(command.upper())

    def files_sent_into(self, account: Account | None, folder: str = "Sent") -> None:
        """Like Gmail and Microsoft 365, file a copy of each accepted message in ``folder``
        of ``account`` before answering 250 (None: stop doing so)."""
        with self._lock:
            self._sent_account = account
            self._sent_folder = folder

    def file_in_sent(self, data: bytes) -> None:
        with self._lock:
            account, folder = self._sent_account, self._sent_folder
        if account is not None:
            append_many(account, [data], folder=folder, flags=["\\Seen"])

    # -- what was sent -------------------------------------------------------------------

    def record(self, message: AcceptedMessage) -> None:
        with self._lock:
            self._accepted.append(message)

    @property
    def accepted(self) -> list[AcceptedMessage]:
        with self._lock:
            return list(self._accepted)

    def clear(self) -> None:
        with self._lock:
            self._accepted.clear()

    # -- LMTP ----------------------------------------------------------------------------

    def _lmtp(self) -> smtplib.LMTP:
        return smtplib.LMTP(self.lmtp_host, self.lmtp_port, timeout=30)

    def check_recipient(self, rcpt: str) -> tuple[int, bytes]:
        """Dovecot's answer to RCPT TO for ``rcpt`` (250, 4xx or 5xx), without delivering."""
        try:
            with self._lmtp() as lmtp:
                lmtp.ehlo_or_helo_if_needed()
                lmtp.mail("")
                return lmtp.rcpt(rcpt)
        except (OSError, smtplib.SMTPException) as error:
            return 451, f"4.4.0 LMTP unavailable: {error}".encode()

    def deliver(self, mail_from: str, rcpt: str, data: bytes) -> tuple[int, bytes]:
        """Deliver to one recipient over LMTP and return Dovecot's reply for it."""
        try:
            with self._lmtp() as lmtp:
                lmtp.ehlo_or_helo_if_needed()
                code, text = lmtp.mail(mail_from)
                if code != 250:
                    return code, text
                code, text = lmtp.rcpt(rcpt)
                if code != 250:
                    return code, text
                # With one recipient, the DATA reply is that recipient's LMTP reply.
                return lmtp.data(data)
        except (OSError, smtplib.SMTPException) as error:
            return 451, f"4.4.0 LMTP unavailable: {error}".encode()
