"""Thin IMAP edge: log in, look, fetch without side effects, move one message, wait for mail.

No database and no decisions here; the intake calls these functions and decides. Every
operation has a timeout and turns network trouble into :class:`TransientError` (retry later),
a refusal by the server into :class:`PermanentError` (or :class:`TransientError` when the
server says it is busy), and bad settings or credentials into :class:`UserError`.

Built on imap-tools for connecting and logging in, but the commands that touch messages are
raw ``imaplib`` calls through ``MailBox.client``, because the imap-tools helpers are unsafe
for a shared office mailbox: ``fetch()`` sets ``\\Seen`` unless told otherwise, and
``flag()``/``delete()``/``move()`` fall back to a folder-wide EXPUNGE that would also remove
other people's messages marked ``\\Deleted``.
"""

from __future__ import annotations

import contextlib
import imaplib
import ipaddress
import re
import ssl
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from imap_tools.errors import ImapToolsError, MailboxLoginError
from imap_tools.imap_utf7 import utf7_encode
from imap_tools.mailbox import BaseMailBox

from mailflow.errors import PermanentError, TransientError, UserError

Security = Literal["tls", "starttls", "none"]
SECURITY_CHOICES: tuple[Security, ...] = ("tls", "starttls", "none")

DEFAULT_TIMEOUT_S = 30.0
# RFC 2177: clients should re-issue IDLE at least every 29 minutes; servers may drop an
# IDLE older than that. Staying well below also survives NAT boxes with short idle timers.
MAX_IDLE_S = 25 * 60.0
# A batch of UIDs per FETCH. Dovecot refuses command lines over 64 KiB (~12 700 single UIDs);
# 1000 keeps a line short even when no UIDs are consecutive, and the reply bounded in memory.
DEFAULT_FETCH_BATCH = 1000
# Response codes (RFC 5530) that mean "try again later" rather than "never".
_TRANSIENT_CODES = ("[UNAVAILABLE]", "[INUSE]", "[LIMIT]", "[SERVERBUG]", "[OVERQUOTA]")


@dataclass(frozen=True)
class FolderState:
    """What SELECT tells about a folder; the ledger keys messages by (folder, uidvalidity)."""

    name: str
    uidvalidity: int
    uidnext: int | None
    exists: int


@dataclass(frozen=True)
class HeaderFetch:
    """One message's header block and the facts needed to triage it without downloading it."""

    uid: int
    size: int
    flags: tuple[str, ...]
    header: bytes


@dataclass(frozen=True)
class _FetchItem:
    uid: int
    size: int | None
    flags: tuple[str, ...]
    literal: bytes | None


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IP literals; no DNS lookup is made."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_security(host: str, security: str, protocol: str) -> Security:
    """The validated ``security`` value; plain text is refused unless the host is loopback."""
    if security not in SECURITY_CHOICES:
        raise UserError(
            f"{protocol} security must be one of {', '.join(SECURITY_CHOICES)}, not {security!r}"
        )
    if security == "none" and not is_loopback_host(host):
        raise UserError(
            f"{protocol} security 'none' is allowed only on loopback, not on {host!r}: "
            "use 'tls' or 'starttls'"
        )
    return security


def xoauth2_string(user: str, access_token: str) -> str:
    """The SASL XOAUTH2 initial response (Gmail, Microsoft 365) before base64 encoding."""
    return f"user={user}\x01auth=Bearer {access_token}\x01\x01"


def uid_set(uids: Iterable[int]) -> str:
    """Compact IMAP sequence set: ``[1, 2, 3, 7]`` becomes ``"1:3,7"``."""
    ordered = sorted(set(uids))
    if not ordered:
        raise ValueError("empty UID set")
    ranges: list[str] = []
    start = previous = ordered[0]
    for uid in ordered[1:]:
        if uid == previous + 1:
            previous = uid
            continue
        ranges.append(str(start) if start == previous else f"{start}:{previous}")
        start = previous = uid
    ranges.append(str(start) if start == previous else f"{start}:{previous}")
    return ",".join(ranges)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _server_reply(data: Sequence[object] | None) -> str:
    return " ".join(_text(item) for item in (data or []) if item is not None).strip()


def _quote(value: str) -> str:
    """An IMAP quoted string; CR/LF cannot be quoted and are refused."""
    if "\r" in value or "\n" in value:
        raise UserError(f"IMAP string may not contain line breaks: {value!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mailbox_name(folder: str) -> str:
    return _quote(utf7_encode(folder).decode("ascii"))


class ImapConnection:
    """One logged-in IMAP connection. Not thread-safe: use one per thread."""

    def __init__(self, box: BaseMailBox, host: str, timeout_s: float) -> None:
        self._box = box
        self.host = host
        self.timeout_s = timeout_s
        self.selected: FolderState | None = None
        self.capabilities = self._read_capabilities()
        # How many IDLE commands this connection has issued (for tests and diagnostics).
        self.idle_commands = 0

    # -- plumbing ------------------------------------------------------------------------

    @property
    def client(self) -> imaplib.IMAP4:
        return self._box.client

    @contextlib.contextmanager
    def _network(self, doing: str) -> Iterator[None]:
        """Turn whatever the socket or imaplib raises while ``doing`` into a mailflow error."""
        try:
            yield
        except (TransientError, PermanentError, UserError):
            raise
        except imaplib.IMAP4.abort as error:
            raise TransientError(
                f"IMAP {self.host}: connection lost while {doing}: {error}"
            ) from error
        except imaplib.IMAP4.error as error:
            raise self._refusal(doing, str(error)) from error
        except (OSError, EOFError) as error:  # includes timeouts and ssl.SSLError
            raise TransientError(
                f"IMAP {self.host}: network error while {doing}: {error or type(error).__name__}"
            ) from error
        except ImapToolsError as error:  # e.g. IDLE answered with BYE instead of "+ idling"
            raise TransientError(
                f"IMAP {self.host}: unexpected reply while {doing}: {error}"
            ) from error

    def _refusal(self, doing: str, reply: str) -> TransientError | PermanentError:
        message = f"IMAP {self.host}: server refused {doing}: {reply}"
        if any(code in reply.upper() for code in _TRANSIENT_CODES):
            return TransientError(message)
        return PermanentError(message)

    def _check(self, doing: str, result: tuple[str, Sequence[object]]) -> Sequence[object]:
        status, data = result
        if status != "OK":
            raise self._refusal(doing, _server_reply(data))
        return data

    def _read_capabilities(self) -> frozenset[str]:
        # Servers often announce more after login (MOVE, UIDPLUS); imaplib keeps only the
        # greeting's list, so ask again.
        with self._network("reading capabilities"):
            data = self._check("CAPABILITY", self.client.capability())
        words = _server_reply(data).upper().split()
        return frozenset(words)

    def has(self, capability: str) -> bool:
        return capability.upper() in self.capabilities

    def close(self) -> None:
        """Log out; a connection that is already broken is just dropped.

        LOGOUT, never CLOSE: CLOSE expunges every ``\\Deleted`` message in the folder.
        """
        with contextlib.suppress(Exception):
            self.client.logout()
        with contextlib.suppress(Exception):
            self.client.shutdown()

    def __enter__(self) -> ImapConnection:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def noop(self) -> None:
        """Ask the server for news; raises TransientError if the connection is gone."""
        with self._network("NOOP"):
            self._check("NOOP", self.client.noop())

    # -- folders -------------------------------------------------------------------------

    def select(self, folder: str, readonly: bool = False) -> FolderState:
        """SELECT (or EXAMINE) ``folder`` and return its UIDVALIDITY, UIDNEXT and size."""
        with self._network(f"selecting {folder!r}"):
            # Stale untagged data from an earlier SELECT must not be read as this folder's.
            for key in ("UIDVALIDITY", "UIDNEXT", "EXISTS"):
                self.client.untagged_responses.pop(key, None)
            data = self._check(
                f"SELECT {folder!r}", self.client.select(_mailbox_name(folder), readonly)
            )
            uidvalidity = self._untagged_int("UIDVALIDITY")
            uidnext = self._untagged_int("UIDNEXT")
            # The count at SELECT is not news; later EXISTS replies are (see idle_wait).
            self._pop_new_mail_notices()
        if uidvalidity is None:
            raise PermanentError(f"IMAP {self.host}: folder {folder!r} has no UIDVALIDITY")
        state = FolderState(folder, uidvalidity, uidnext, int(_text(data[0]) or 0))
        self.selected = state
        return state

    def _untagged_int(self, key: str) -> int | None:
        values = self.client.untagged_responses.get(key) or []
        for value in reversed(values):
            with contextlib.suppress(ValueError):
                return int(_text(value).strip())
        return None

    def folder_exists(self, folder: str) -> bool:
        with self._network(f"listing {folder!r}"):
            data = self._check("LIST", self.client.list('""', _mailbox_name(folder)))
        return any(item is not None for item in data)

    def ensure_folder(self, folder: str) -> None:
        """Create ``folder`` (and subscribe to it) unless it exists; safe to call each start."""
        if self.folder_exists(folder):
            return
        with self._network(f"creating {folder!r}"):
            status, data = self.client.create(_mailbox_name(folder))
            # Another client may have created it between LIST and CREATE.
            if status != "OK" and "ALREADYEXISTS" not in _server_reply(data).upper():
                raise self._refusal(f"CREATE {folder!r}", _server_reply(data))
            self.client.subscribe(_mailbox_name(folder))

    # -- finding and fetching ------------------------------------------------------------

    def uids_above(self, last_uid: int) -> list[int]:
        """UIDs in the selected folder greater than ``last_uid``, ascending."""
        self._require_selected()
        with self._network("searching for new UIDs"):
            data = self._check("UID SEARCH", self.client.uid("SEARCH", "UID", f"{last_uid + 1}:*"))
        found = (int(word) for item in data for word in _text(item).split() if word.isdigit())
        # "n:*" always matches the highest message, even when its UID is below n (RFC 3501
        # "*" is the largest UID in use), so a mailbox with nothing new still returns one UID.
        return sorted(uid for uid in set(found) if uid > last_uid)

    def fetch_headers(
        self, uids: Sequence[int], batch: int = DEFAULT_FETCH_BATCH
    ) -> Iterator[HeaderFetch]:
        """Header, size and flags of ``uids``, in bounded batches; never sets ``\\Seen``.

        UIDs that no longer exist are skipped. Results come in UID order within a batch.
        """
        self._require_selected()
        ordered = sorted(set(uids))
        for start in range(0, len(ordered), batch):
            chunk = ordered[start : start + batch]
            with self._network("fetching headers"):
                data = self._check(
                    "UID FETCH",
                    self.client.uid(
                        "FETCH", uid_set(chunk), "(UID RFC822.SIZE FLAGS BODY.PEEK[HEADER])"
                    ),
                )
            wanted = set(chunk)
            found = [
                HeaderFetch(item.uid, item.size or 0, item.flags, item.literal)
                for item in _parse_fetch(data)
                if item.uid in wanted and item.literal is not None
            ]
            yield from sorted(found, key=lambda item: item.uid)

    def fetch_raw(self, uid: int) -> bytes | None:
        """The whole message exactly as stored, or None if the UID is gone; never sets \\Seen."""
        self._require_selected()
        with self._network(f"fetching UID {uid}"):
            data = self._check("UID FETCH", self.client.uid("FETCH", str(uid), "(UID BODY.PEEK[])"))
        for item in _parse_fetch(data):
            if item.uid == uid and item.literal is not None:
                return item.literal
        return None

    def flags(self, uid: int) -> tuple[str, ...] | None:
        """Current flags of ``uid`` (None if gone)."""
        self._require_selected()
        with self._network(f"fetching flags of UID {uid}"):
            data = self._check("UID FETCH", self.client.uid("FETCH", str(uid), "(UID FLAGS)"))
        for item in _parse_fetch(data):
            if item.uid == uid:
                return item.flags
        return None

    def search_header(self, folder: str, name: str, value: str) -> list[int]:
        """UIDs in ``folder`` whose header ``name`` contains ``value`` (e.g. a Message-ID).

        Selects ``folder`` read-only: callers that were working in another folder select it
        again afterwards.
        """
        if not re.fullmatch(r"[A-Za-z0-9-]+", name):
            raise UserError(f"not a header name: {name!r}")
        if not value.isascii():
            raise UserError(f"header search value must be ASCII: {value!r}")
        self.select(folder, readonly=True)
        with self._network(f"searching {folder!r} for {name}"):
            data = self._check(
                "UID SEARCH", self.client.uid("SEARCH", "HEADER", name, _quote(value))
            )
        return sorted(
            {int(word) for item in data for word in _text(item).split() if word.isdigit()}
        )

    # -- changing the mailbox ------------------------------------------------------------

    def move(self, uid: int, folder: str) -> None:
        """Move exactly one message; never EXPUNGEs anything but that UID.

        MOVE when the server has it; otherwise COPY, flag that one UID ``\\Deleted`` and,
        with UIDPLUS, ``UID EXPUNGE`` of that UID only. Without UIDPLUS the original stays
        flagged ``\\Deleted`` for the mailbox owner's client to expunge.
        """
        self._require_selected()
        target = _mailbox_name(folder)
        with self._network(f"moving UID {uid} to {folder!r}"):
            if self.has("MOVE"):
                self._check("UID MOVE", self.client.uid("MOVE", str(uid), target))
                return
            self._check("UID COPY", self.client.uid("COPY", str(uid), target))
            self._check(
                "UID STORE", self.client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)")
            )
            if self.has("UIDPLUS"):
                self._check("UID EXPUNGE", self.client.uid("EXPUNGE", str(uid)))

    def append(self, folder: str, raw: bytes, flags: Sequence[str] = ("\\Seen",)) -> int | None:
        """APPEND ``raw`` to ``folder`` (e.g. Sent); the new UID when the server says it."""
        flag_list = "(" + " ".join(flags) + ")"
        with self._network(f"appending to {folder!r}"):
            data = self._check(
                "APPEND",
                self.client.append(_mailbox_name(folder), flag_list, None, raw),
            )
        # UIDPLUS: "[APPENDUID <uidvalidity> <uid>] Append completed."
        match = re.search(r"APPENDUID \d+ (\d+)", _server_reply(data), re.IGNORECASE)
        return int(match.group(1)) if match else None

    # -- waiting -------------------------------------------------------------------------

    @property
    def supports_idle(self) -> bool:
        return self.has("IDLE")

    def idle_wait(self, timeout_s: float, reissue_s: float = MAX_IDLE_S) -> bool:
        """Wait up to ``timeout_s`` for new mail in the selected folder; True if some came.

        Uses IDLE, ended and issued again every ``reissue_s`` (at most 25 minutes, well
        inside the 29 of RFC 2177). A server without IDLE is polled once with NOOP at the
        end of the wait (so the caller's loop becomes a poll loop). A server restart shows
        up as TransientError: reconnect and carry on.
        """
        reissue_s = min(reissue_s, MAX_IDLE_S)
        self._require_selected()
        deadline = time.monotonic() + timeout_s
        if not self.supports_idle:
            if self._pop_new_mail_notices():
                return True
            time.sleep(max(0.0, timeout_s))
            with self._network("polling with NOOP"):
                self._check("NOOP", self.client.noop())
            return self._pop_new_mail_notices()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self._idle_once(min(remaining, reissue_s)):
                return True

    def _idle_once(self, timeout_s: float) -> bool:
        idle = self._box.idle
        deadline = time.monotonic() + timeout_s
        with self._network("waiting in IDLE"):
            # The server may have announced new mail in the reply to an earlier command
            # (imaplib keeps it); it will not announce it again inside IDLE.
            if self._pop_new_mail_notices():
                return True
            idle.start()
            self.idle_commands += 1
            try:
                new_mail = self._poll_idle(deadline)
            except BaseException:
                with contextlib.suppress(imaplib.IMAP4.error, ImapToolsError, OSError):
                    idle.stop()
                raise
            # Mail that arrives between IDLE commands is announced in reply to DONE or to the
            # next IDLE, not inside one; missing it would delay that message a whole round.
            _result, after = idle.stop()
            new_mail = any([new_mail, *map(_announces_mail, after)])
            return self._pop_new_mail_notices() or new_mail

    def _poll_idle(self, deadline: float) -> bool:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            lines = self._box.idle.poll(timeout=remaining)
            if not lines:
                # poll() returns nothing both on timeout and when the socket hit EOF.
                if time.monotonic() < deadline - 0.05:
                    raise TransientError(f"IMAP {self.host}: connection closed in IDLE")
                return False
            for line in lines:
                if line.upper().startswith(b"* BYE"):
                    raise TransientError(
                        f"IMAP {self.host}: server ended IDLE: {_text(line).strip()}"
                    )
            if any(map(_announces_mail, lines)):
                return True

    def _pop_new_mail_notices(self) -> bool:
        """Clear (and report) EXISTS/RECENT that imaplib stored from earlier replies."""
        found = [self.client.untagged_responses.pop(key, None) for key in ("EXISTS", "RECENT")]
        return any(found)

    def _require_selected(self) -> None:
        if self.selected is None:
            raise PermanentError("IMAP: select a folder first")


def _announces_mail(line: object) -> bool:
    """True for an untagged ``* n EXISTS`` / ``* n RECENT`` line."""
    upper = line.upper().strip() if isinstance(line, bytes) else b""
    return upper.startswith(b"* ") and upper.endswith((b" EXISTS", b" RECENT"))


_ATTRIBUTES = re.compile(
    rb"UID (?P<uid>\d+)|RFC822\.SIZE (?P<size>\d+)|FLAGS \((?P<flags>[^)]*)\)", re.IGNORECASE
)
_RESPONSE_START = re.compile(rb"^\d+ \(")


def _parse_fetch(data: Sequence[object]) -> Iterator[_FetchItem]:
    """Group imaplib's flat FETCH reply into one record per message.

    imaplib returns ``(b'12 (UID 5 RFC822.SIZE 99 FLAGS () BODY[HEADER] {99}', literal)``
    followed by ``b')'`` (or more attributes, e.g. FLAGS after the literal); unsolicited
    ``FETCH (FLAGS ...)`` lines about other messages may arrive in between as plain bytes.
    Callers keep only the UIDs they asked for.
    """
    parts: list[bytes] = []
    literal: bytes | None = None

    def finish() -> _FetchItem | None:
        if not parts:
            return None
        uid = size = None
        flags: tuple[str, ...] = ()
        for match in _ATTRIBUTES.finditer(b" ".join(parts)):
            if match.group("uid"):
                uid = int(match.group("uid"))
            elif match.group("size"):
                size = int(match.group("size"))
            elif match.group("flags") is not None:
                # \Recent is per session and changes by merely looking; it is not state.
                flags = tuple(
                    flag for flag in _text(match.group("flags")).split() if flag != "\\Recent"
                )
        return None if uid is None else _FetchItem(uid, size, flags, literal)

    for item in data:
        if isinstance(item, tuple):
            head, body = bytes(item[0]), bytes(item[1])
        elif isinstance(item, bytes):
            head, body = item, None
        else:
            continue
        if _RESPONSE_START.match(head):
            done = finish()
            if done:
                yield done
            parts, literal = [head], body
        else:
            parts.append(head)
            if body is not None:
                literal = body
    done = finish()
    if done:
        yield done


def connect(
    host: str,
    port: int,
    security: str,
    user: str,
    *,
    password: str | None = None,
    access_token: str | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    ssl_context: ssl.SSLContext | None = None,
) -> ImapConnection:
    """Connect and log in with a password (LOGIN) or an OAuth2 access token (XOAUTH2).

    ``security``: ``tls`` (implicit TLS, usually port 993), ``starttls`` (usually 143) or
    ``none`` (loopback only). Certificates are verified with the system's CA store unless
    an ``ssl_context`` is given.
    """
    mode = check_security(host, security, "IMAP")
    if (password is None) == (access_token is None):
        raise UserError("IMAP login needs exactly one of a password or an access token")
    try:
        box = _PreparedMailBox(_open_client(host, port, mode, timeout_s, ssl_context))
    except UserError:
        raise
    except ssl.SSLCertVerificationError as error:
        # Retrying will not make the certificate valid; a person has to look.
        raise UserError(
            f"IMAP {host}:{port}: server certificate not trusted: {error.verify_message}"
        ) from error
    except (imaplib.IMAP4.error, OSError, EOFError) as error:
        raise TransientError(
            f"IMAP {host}:{port}: cannot connect ({mode}): {error or type(error).__name__}"
        ) from error
    try:
        if access_token is not None:
            box.xoauth2(user, access_token, initial_folder=None)
        else:
            box.login(user, password or "", initial_folder=None)
    except (imaplib.IMAP4.abort, OSError, EOFError) as error:
        _drop(box)
        raise TransientError(f"IMAP {host}: login as {user!r} failed: {error}") from error
    except (MailboxLoginError, imaplib.IMAP4.error) as error:
        # A NO to LOGIN/AUTHENTICATE: wrong credentials or mechanism, unless the server says
        # it is only temporarily unable to check them.
        _drop(box)
        message = f"IMAP {host}: login as {user!r} refused: {error}"
        if any(code in str(error).upper() for code in _TRANSIENT_CODES):
            raise TransientError(message) from error
        raise UserError(message) from error
    try:
        return ImapConnection(box, host, timeout_s)
    except (TransientError, PermanentError):
        _drop(box)
        raise


class _PreparedMailBox(BaseMailBox):
    """imap-tools around a client we opened ourselves, so a failed STARTTLS leaks no socket."""

    def __init__(self, client: imaplib.IMAP4) -> None:
        self._prepared = client
        super().__init__()

    def _get_mailbox_client(self) -> imaplib.IMAP4:
        return self._prepared


def _open_client(
    host: str, port: int, mode: Security, timeout_s: float, context: ssl.SSLContext | None
) -> imaplib.IMAP4:
    # Loading the system CA store takes ~0.2 s, so only when TLS is actually used.
    if mode != "none" and context is None:
        context = ssl.create_default_context()
    if mode == "tls":
        return imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout_s)
    client = imaplib.IMAP4(host, port, timeout=timeout_s)
    if mode == "none":
        return client
    try:
        client.starttls(context)
    except BaseException as error:
        # A failed handshake may already have closed the socket; the first error matters.
        with contextlib.suppress(OSError):
            client.shutdown()
        if isinstance(error, imaplib.IMAP4.error) and "TLS not supported" in str(error):
            # imaplib checks the server's capabilities and gives up before sending STARTTLS.
            raise UserError(f"IMAP {host}:{port} does not offer STARTTLS") from error
        raise
    return client


def _drop(box: BaseMailBox) -> None:
    with contextlib.suppress(Exception):
        box.client.shutdown()
