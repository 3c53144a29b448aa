"""In-process IMAP and SMTP servers for `mailflow demo`: no root, no system packages.

The IMAP server is pymap's in-memory ("dict") backend; the SMTP server is aiosmtpd. Both run
on loopback in one background thread with its own asyncio loop, so the SMTP handler can put
each accepted message straight into the recipient's in-memory mailbox.

Delivery follows what the real installation does (see docs/test-servers.md): plus addresses
(``ankieta+TOKEN@um.example.pl``) land in the base mailbox's INBOX, each delivered copy gets
``Return-Path`` and ``Delivered-To`` headers, and an unknown recipient is either refused at
``RCPT`` with 550 or, as a relay that accepted the message would do, answered with an
RFC 3464 delivery status notification in the sender's mailbox.

The plain functions :func:`mailbox_owner`, :func:`with_delivery_headers` and
:func:`delivery_status_notification` hold the delivery rules; the classes around them are the
thin network part.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ssl
import threading
import uuid
import weakref
from argparse import Namespace
from collections.abc import Collection, Coroutine, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid
from types import MappingProxyType, TracebackType
from typing import Any, Literal, TypeVar

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from proxyprotocol.reader import ProxyProtocolReader
from pymap.backend.dict import Config as DictConfig
from pymap.backend.dict import Login as DictLogin
from pymap.backend.dict.filter import FilterSet
from pymap.backend.dict.mailbox import MailboxData, MailboxSet
from pymap.concurrent import Subsystem
from pymap.imap import IMAPServer
from pymap.parsing.message import AppendMessage
from pymap.parsing.specials import FetchRequirement
from pymap.user import UserMetadata
from pysasl.hashing import Cleartext

SURVEY_MAILBOX = "ankieta@um.example.pl"
LOOPBACK = "127.0.0.1"

UnknownRecipientPolicy = Literal["reject", "bounce"]

_T = TypeVar("_T")
_STARTUP_TIMEOUT_SECONDS = 10.0
_CALL_TIMEOUT_SECONDS = 30.0


# --- delivery rules: plain functions ------------------------------------------------------


def normalize_address(address: str) -> str:
    """The form addresses are compared in: no angle brackets, no spaces, lower case."""
    return address.strip().strip("<>").strip().lower()


def mailbox_owner(recipient: str, mailboxes: Collection[str]) -> str | None:
    """Which mailbox receives mail for `recipient`, or None if nobody does.

    `mailboxes` holds normalized addresses. ``base+detail@domain`` goes to ``base@domain``,
    as Dovecot does with ``recipient_delimiter = +``.
    """
    address = normalize_address(recipient)
    if address in mailboxes:
        return address
    local_part, at, domain = address.rpartition("@")
    if not at or "+" not in local_part:
        return None
    base_address = f"{local_part.split('+', 1)[0]}@{domain}"
    return base_address if base_address in mailboxes else None


def _line_ending(raw: bytes) -> bytes:
    return b"\r\n" if b"\r\n" in raw else b"\n"


def with_delivery_headers(raw: bytes, *, envelope_sender: str, owner: str) -> bytes:
    """The message as the delivery agent stores it: ``Return-Path`` and ``Delivered-To`` first.

    Real delivery (Dovecot LMTP) adds both, so code reading the demo mailbox sees them too.
    """
    eol = _line_ending(raw)
    return_path = b"Return-Path: <" + envelope_sender.encode("utf-8") + b">" + eol
    delivered_to = b"Delivered-To: " + owner.encode("utf-8") + eol
    return return_path + delivered_to + raw


def delivery_status_notification(
    original: bytes,
    *,
    sender: str,
    failed_recipients: Sequence[str],
    reporting_mta: str,
    arrival: datetime,
) -> bytes:
    """An RFC 3464 bounce for `original`, worded as Postfix words it.

    The whole original message is attached as ``message/rfc822`` so that the receiver can
    find its Message-ID and subject tag, which is how mailflow ties a bounce to its inquiry.
    """
    boundary = f"dsn-{uuid.uuid4().hex}"
    arrival_text = format_datetime(arrival)
    explanations = "".join(
        f"<{recipient}>: host {reporting_mta} said: {_rejection_text(recipient)}\r\n"
        for recipient in failed_recipients
    )
    recipient_blocks = "".join(
        f"\r\nFinal-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        f"Remote-MTA: dns; {reporting_mta}\r\n"
        f"Diagnostic-Code: smtp; {_rejection_text(recipient)}\r\n"
        for recipient in failed_recipients
    )
    original_crlf = original.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    # message/rfc822 allows only 7bit or 8bit; say 8bit when the original is not plain ASCII.
    transfer_encoding = "7bit" if original_crlf.isascii() else "8bit"
    head = (
        f"From: Mail Delivery System <MAILER-DAEMON@{reporting_mta}>\r\n"
        f"To: <{sender}>\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {arrival_text}\r\n"
        f"Message-ID: {make_msgid(domain=reporting_mta)}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        f'\tboundary="{boundary}"\r\n'
        "\r\n"
        "This is a MIME-encapsulated message.\r\n"
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Description: Notification\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        f"This is the mail system at host {reporting_mta}.\r\n"
        "\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients. It's attached below.\r\n"
        "\r\n"
        f"{explanations}"
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Description: Delivery report\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        f"Reporting-MTA: dns; {reporting_mta}\r\n"
        f"Arrival-Date: {arrival_text}\r\n"
        f"{recipient_blocks}"
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Description: Undelivered Message\r\n"
        "Content-Type: message/rfc822\r\n"
        f"Content-Transfer-Encoding: {transfer_encoding}\r\n"
        "\r\n"
    )
    if not original_crlf.endswith(b"\r\n"):
        original_crlf += b"\r\n"
    return head.encode("ascii") + original_crlf + f"\r\n--{boundary}--\r\n".encode("ascii")


def _rejection_text(recipient: str) -> str:
    return f"550 5.1.1 <{recipient}>: Recipient address rejected: User unknown"


# --- the in-memory mail store (runs on the servers' loop) ---------------------------------


class _DemoImapConfig(DictConfig):
    @property
    def greeting(self) -> bytes:
        # pymap's default greeting asks the resolver for the host's FQDN; no lookups here.
        return b"mailflow demo IMAP server ready"


def _imap_config(host: str) -> _DemoImapConfig:
    return _DemoImapConfig(
        Namespace(passlib_cfg=None, proxy_protocol=None, inherited_sockets=None),
        host=host,
        port=0,
        demo_data=False,
        demo_user="",
        demo_password="",
        # Loopback only: plain LOGIN, no STARTTLS, passwords kept as given.
        tls_enabled=False,
        ssl_context=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER),
        hash_context=Cleartext(),
        # Everything on the one loop: pymap's default CPU pool would be a thread we must join.
        subsystem=Subsystem.for_asyncio(),
        cpu_subsystem=Subsystem.for_asyncio(),
        invalid_user_sleep=0.0,
        reject_dnsbl=False,
    )


class _MailStore:
    """The users and their mailboxes, as pymap's dict backend keeps them."""

    def __init__(self, config: _DemoImapConfig, login: DictLogin) -> None:
        self._config = config
        self._login = login

    def addresses(self) -> Collection[str]:
        return self._login.users_dict.keys()

    def add_user(self, address: str, password: str) -> None:
        self._login.users_dict[address] = UserMetadata(self._config, address, password=password)
        self._mailbox_set(address)

    def check_password(self, address: str, password: str) -> bool:
        user = self._login.users_dict.get(address)
        return user is not None and user.password == password

    def _mailbox_set(self, address: str) -> MailboxSet:
        # The same cache pymap's login fills, so IMAP sessions and delivery share mailboxes.
        cached = self._config.set_cache.get(address)
        if cached is None:
            cached = (MailboxSet(), FilterSet())
            self._config.set_cache[address] = cached
        return cached[0]

    async def _folder(self, owner: str, folder: str) -> MailboxData:
        try:
            return await self._mailbox_set(owner).get_mailbox(folder)
        except KeyError:
            raise KeyError(f"no folder {folder!r} in the demo mailbox {owner}") from None

    async def deliver(self, owner: str, raw: bytes, folder: str = "INBOX") -> None:
        mailbox = await self._folder(owner, folder)
        await mailbox.append(AppendMessage(raw, datetime.now(UTC)), recent=True)

    async def messages(self, owner: str, folder: str = "INBOX") -> list[bytes]:
        mailbox = await self._folder(owner, folder)
        found: list[bytes] = []
        async for message in mailbox.messages():
            loaded = await message.load_content(FetchRequirement.CONTENT)
            found.append(bytes(loaded.content))
        return found


# --- SMTP ---------------------------------------------------------------------------------


class _DeliveringHandler:
    """aiosmtpd handler: accepted mail goes into the recipients' in-memory INBOXes."""

    def __init__(
        self, store: _MailStore, unknown_recipients: UnknownRecipientPolicy, hostname: str
    ) -> None:
        self._store = store
        self._unknown_recipients = unknown_recipients
        self._hostname = hostname

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if self._unknown_recipients == "reject" and self._owner(address) is None:
            return _rejection_text(address)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = _envelope_bytes(envelope)
        sender = envelope.mail_from or ""
        owners: dict[str, None] = {}
        unknown: list[str] = []
        for recipient in envelope.rcpt_tos:
            owner = self._owner(recipient)
            if owner is None:
                unknown.append(recipient)
            else:
                owners[owner] = None  # one copy per mailbox, however many plus addresses
        for owner in owners:
            stored = with_delivery_headers(raw, envelope_sender=sender, owner=owner)
            await self._store.deliver(owner, stored)
        if unknown:
            await self._bounce(raw, sender, unknown)
        return "250 2.0.0 Message accepted for delivery"

    async def _bounce(self, raw: bytes, sender: str, unknown: list[str]) -> None:
        # Never bounce a bounce (null sender), and a sender without a mailbox here is lost.
        sender_owner = self._owner(sender) if sender else None
        if sender_owner is None:
            return
        notification = delivery_status_notification(
            raw,
            sender=sender,
            failed_recipients=unknown,
            reporting_mta=self._hostname,
            arrival=datetime.now(UTC),
        )
        stored = with_delivery_headers(notification, envelope_sender="", owner=sender_owner)
        await self._store.deliver(sender_owner, stored)

    def _owner(self, address: str) -> str | None:
        return mailbox_owner(address, self._store.addresses())


def _envelope_bytes(envelope: Envelope) -> bytes:
    content = envelope.original_content or envelope.content or b""
    return content if isinstance(content, bytes) else content.encode("utf-8")


# --- the servers --------------------------------------------------------------------------


class DemoMailServers:
    """An IMAP and an SMTP server on loopback, running in one background thread.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. Every user logs in to
    IMAP (and optionally SMTP AUTH) with its full address and its password.
    """

    def __init__(
        self,
        users: Mapping[str, str] | None = None,
        *,
        host: str = LOOPBACK,
        hostname: str = "localhost",
        unknown_recipients: UnknownRecipientPolicy = "reject",
    ) -> None:
        """`users` maps address to password; `unknown_recipients` says what SMTP does with
        an address that has no mailbox: ``"reject"`` refuses it at RCPT with 550,
        ``"bounce"`` accepts the message and puts a DSN into the sender's INBOX."""
        self.host = host
        self.hostname = hostname
        self.unknown_recipients: UnknownRecipientPolicy = unknown_recipients
        self._users: dict[str, str] = {}
        for address, password in (users or {}).items():
            self._remember_user(address, password)
        self._imap_port: int | None = None
        self._smtp_port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested: asyncio.Event | None = None
        self._store: _MailStore | None = None

    # public surface

    @property
    def imap_port(self) -> int:
        if self._imap_port is None:
            raise RuntimeError("the demo mail servers are not running")
        return self._imap_port

    @property
    def smtp_port(self) -> int:
        if self._smtp_port is None:
            raise RuntimeError("the demo mail servers are not running")
        return self._smtp_port

    @property
    def users(self) -> Mapping[str, str]:
        """Address → password of every mailbox (read-only view)."""
        return MappingProxyType(self._users)

    def add_user(self, address: str, password: str) -> str:
        """Create a mailbox (or change its password); returns the normalized address."""
        normalized = self._remember_user(address, password)
        if self._store is not None:
            store = self._store

            async def add() -> None:
                store.add_user(normalized, password)

            self._call(add())
        return normalized

    def deliver(self, raw: bytes, owner: str, folder: str = "INBOX") -> None:
        """Put `raw` into a mailbox directly, as-is, bypassing SMTP (for seeding a demo)."""
        address = self._known(owner)
        self._call(self._running_store().deliver(address, raw, folder))

    def messages(self, owner: str, folder: str = "INBOX") -> list[bytes]:
        """The raw messages of one folder of a mailbox, oldest first (no IMAP, no flags)."""
        address = self._known(owner)
        return self._call(self._running_store().messages(address, folder))

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the demo mail servers are already running")
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="mailflow-demo-mail", daemon=True
        )
        self._thread.start()
        try:
            ready.result(timeout=_STARTUP_TIMEOUT_SECONDS)
        except BaseException:
            self._thread.join(timeout=_STARTUP_TIMEOUT_SECONDS)
            self._thread = None
            raise

    def stop(self) -> None:
        thread, loop, stop_requested = self._thread, self._loop, self._stop_requested
        if thread is None:
            return
        if loop is not None and stop_requested is not None and not loop.is_closed():
            # The loop may finish between the check and the call; then there is nothing to do.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop_requested.set)
        thread.join()
        self._thread = None
        self._stop_requested = None
        self._imap_port = self._smtp_port = None

    def __enter__(self) -> DemoMailServers:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # helpers on the caller's side

    def _remember_user(self, address: str, password: str) -> str:
        normalized = normalize_address(address)
        local_part, at, domain = normalized.partition("@")
        if not at or not local_part or not domain or "+" in local_part:
            raise ValueError(f"not a mailbox address: {address!r}")
        self._users[normalized] = password
        return normalized

    def _known(self, address: str) -> str:
        owner = mailbox_owner(address, self._users)
        if owner is None:
            raise KeyError(f"no demo mailbox for {address!r}")
        return owner

    def _running_store(self) -> _MailStore:
        if self._store is None:
            raise RuntimeError("the demo mail servers are not running")
        return self._store

    def _call(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        if self._loop is None:
            coroutine.close()
            raise RuntimeError("the demo mail servers are not running")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout=_CALL_TIMEOUT_SECONDS)

    # the background thread

    def _run(self, ready: concurrent.futures.Future[None]) -> None:
        asyncio.run(self._serve(ready))

    async def _serve(self, ready: concurrent.futures.Future[None]) -> None:
        config = _imap_config(self.host)
        config.apply_context()
        login = DictLogin(config)
        store = _MailStore(config, login)
        for address, password in self._users.items():
            store.add_user(address, password)
        connections: weakref.WeakSet[asyncio.BaseTransport] = weakref.WeakSet()
        servers: list[asyncio.Server] = []
        try:
            servers.append(await self._start_imap(config, login, connections))
            servers.append(await self._start_smtp(store, connections))
        except BaseException as error:
            await _close(servers, connections)
            ready.set_exception(error)
            return
        self._imap_port, self._smtp_port = (_bound_port(server) for server in servers)
        self._loop = asyncio.get_running_loop()
        self._stop_requested = asyncio.Event()
        self._store = store
        ready.set_result(None)
        try:
            await self._stop_requested.wait()
        finally:
            self._store = None
            self._loop = None
            await _close(servers, connections)

    async def _start_imap(
        self,
        config: _DemoImapConfig,
        login: DictLogin,
        connections: weakref.WeakSet[asyncio.BaseTransport],
    ) -> asyncio.Server:
        serve_connection = ProxyProtocolReader(config.proxy_protocol).get_callback(
            IMAPServer(login, config)
        )

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            connections.add(writer.transport)
            await serve_connection(reader, writer)

        return await asyncio.start_server(on_connect, host=self.host, port=0)

    async def _start_smtp(
        self, store: _MailStore, connections: weakref.WeakSet[asyncio.BaseTransport]
    ) -> asyncio.Server:
        handler = _DeliveringHandler(store, self.unknown_recipients, self.hostname)

        def authenticate(
            server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
        ) -> AuthResult:
            # SMTP AUTH is offered, never required: the outbox may log in or not.
            if isinstance(auth_data, LoginPassword):
                address = normalize_address(auth_data.login.decode("utf-8", "replace"))
                password = auth_data.password.decode("utf-8", "replace")
                if store.check_password(address, password):
                    return AuthResult(success=True, auth_data=auth_data)
            # handled=False: aiosmtpd answers 535 itself; True would leave the client waiting.
            return AuthResult(success=False, handled=False)

        def new_session() -> SMTP:
            smtp = _TrackedSMTP(
                connections,
                handler,
                hostname=self.hostname,
                ident="mailflow demo SMTP",
                authenticator=authenticate,
                auth_require_tls=False,
            )
            return smtp

        loop = asyncio.get_running_loop()
        return await loop.create_server(new_session, host=self.host, port=0)


class _TrackedSMTP(SMTP):
    """aiosmtpd's protocol, remembering its transport so shutdown can close it."""

    def __init__(
        self, connections: weakref.WeakSet[asyncio.BaseTransport], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._connections = connections

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._connections.add(transport)
        super().connection_made(transport)

    def _create_session(self) -> Session:
        return _QuietSession(self.loop)


class _QuietSession(Session):
    """aiosmtpd's session without the log line its own AUTH code causes on every login.

    aiosmtpd 1.4 sets the deprecated ``login_data`` itself after a successful AUTH, and the
    property logs a deprecation warning each time; the demo's output should stay readable.
    """

    @property
    def login_data(self) -> Any:
        return self._login_data

    @login_data.setter
    def login_data(self, value: Any) -> None:
        self._login_data = value


def _bound_port(server: asyncio.Server) -> int:
    return int(server.sockets[0].getsockname()[1])


async def _close(
    servers: list[asyncio.Server], connections: weakref.WeakSet[asyncio.BaseTransport]
) -> None:
    # Python 3.11's Server.close() leaves accepted connections open: close them ourselves,
    # then give the connection tasks a moment to see the end of their stream.
    for server in servers:
        server.close()
    for transport in list(connections):
        transport.close()
    for server in servers:
        await server.wait_closed()
    await asyncio.sleep(0)
