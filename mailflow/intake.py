"""Exactly-once intake from one IMAP folder.

A pass, in order:

1. ``UID SEARCH`` for UIDs above the last one seen in this (folder, UIDVALIDITY).
2. Headers only, in bounded batches with ``BODY.PEEK`` (the server sets no ``\\Seen``).
   :func:`ours_reason` decides from them whether a message is ours; a message that is not ours
   is never downloaded in full and never touched, only noted in the ledger.
3. Ours: the raw bytes go to the archive and the message, its ledger entry and the new
   "last UID" into the database in one transaction, before anything acts on it. A message
   already known by (Message-ID, sha256) is not recorded twice.
4. Each received message is processed: an attempt is counted and committed first (so a
   message that crashes the process cannot do so forever), then it is parsed and handed to
   the procedure (``act``). Any error parks it in the quarantine. Parsing is pure, so a
   worker process starts on a large batch while it is still being fetched; the messages of
   a group are then stored and acted on in one transaction, each inside its own savepoint,
   which gives the same result as a transaction per message at a fraction of the cost.
5. After the commit, the server copy is moved to the processed or quarantine folder, one UID
   at a time (never a folder-wide EXPUNGE).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import multiprocessing
import os
import re
import shlex
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from mailflow.app import App
from mailflow.config import Config
from mailflow.db import lock_rows, models, transaction
from mailflow.errors import MailflowError, TransientError, UserError
from mailflow.locks import exclusive
from mailflow.logs import log_context
from mailflow.mail import imap
from mailflow.mail.decode import Limits, header_text
from mailflow.mail.parse import ParsedMessage, parse_message

log = logging.getLogger(__name__)

# What the procedure does with one message, inside the transaction that stores it. It may run
# again for the same message when that transaction is rolled back (the database failed
# mid-group, the process died), so its effects belong in the database: outbox rows, events,
# archived files under their hash.
Act = Callable[[App, Session, models.Message, ParsedMessage], None]

# A message whose processing was started this many times without finishing (the process
# died each time) is quarantined unprocessed: no crash loop on one message.
MAX_ATTEMPTS = 5
# The IDLE wait is cut into short pieces so a stop request is honoured quickly; each piece
# is a fresh IDLE command, far below the 29-minute limit of RFC 2177.
IDLE_SLICE_S = 2.0
MAX_RECONNECT_DELAY_S = 300.0
RESELECT_EVERY_S = 600.0
# ServiceStatus is written at most this often on success, to keep empty polls cheap.
STATUS_EVERY_S = 30.0
# Received messages handled together: their first attempts counted in one commit, their
# attachments archived in parallel (each is still stored and acted on in its own transaction).
PROCESS_GROUP = 50
GROUP_BYTES = 32_000_000  # and at most about this much mail parsed and held at once


@dataclass
class IntakeStats:
    seen: int = 0  # new UIDs looked at
    not_ours: int = 0
    ours: int = 0  # archived this pass (including copies of known messages)
    duplicates: int = 0  # copies of a message already recorded
    processed: int = 0
    quarantined: int = 0
    moved: int = 0
    header_bytes: int = 0
    body_bytes: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: IntakeStats) -> None:
        for name in (
            "seen", "not_ours", "ours", "duplicates", "processed", "quarantined", "moved",
            "header_bytes", "body_bytes",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors


# -- logging in ----------------------------------------------------------------------------


def run_token_command(command: str, timeout_s: float = 30.0) -> str:
    """Run ``oauth2_token_command`` and return the access token it prints."""
    try:
        completed = subprocess.run(
            shlex.split(command), capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except (OSError, ValueError) as error:
        raise UserError(f"imap.oauth2_token_command cannot run: {error}") from None
    except subprocess.TimeoutExpired:
        raise TransientError(f"imap.oauth2_token_command took over {timeout_s:.0f} s") from None
    token = completed.stdout.strip()
    if completed.returncode != 0 or not token:
        # The command's stderr may say why, but could also echo secrets: keep only its code.
        raise TransientError(
            f"imap.oauth2_token_command failed (exit {completed.returncode}, "
            f"{'no output' if not token else 'output ignored'})"
        )
    return token.splitlines()[0].strip()


def access_token(config: Config) -> str | None:
    """The OAuth2 access token for XOAUTH2, or None when the mailbox uses a password."""
    if config.imap.oauth2_token_command:
        return run_token_command(config.imap.oauth2_token_command, config.imap.timeout_seconds)
    return config.imap.oauth2_token


def imap_login(config: Config) -> imap.ImapConnection:
    """A logged-in connection to the configured mailbox (password or XOAUTH2)."""
    token = access_token(config)
    return imap.connect(
        config.imap.host,
        config.imap.port,
        config.imap.security,
        config.imap.username,
        password=None if token else (config.imap.password or ""),
        access_token=token,
        timeout_s=float(config.imap.timeout_seconds),
    )


def mailbox_lock(app: App, wait_s: float = 0.0) -> contextlib.AbstractContextManager[bool]:
    """One intake per mailbox folder at a time (see :mod:`mailflow.locks`)."""
    config = app.config
    return exclusive(app, f"intake-{config.imap.username}-{config.imap.folder}", wait_s)


# -- is it ours? (headers only) -----------------------------------------------------------


class Triage:
    """Decides from a header block alone whether a message is ours.

    A cheap byte search rules out almost every message that is not ours; only headers that
    mention one of our markers (or hide text in RFC 2047 encoded words) are parsed.
    """

    def __init__(self, config: Config, known_ids: Callable[[list[str]], set[str]]) -> None:
        self.own = config.smtp.from_address.lower()
        self.shared = config.imap.shared_mailbox
        self.known_ids = known_ids
        senders = [v.email for v in config.vendors.values()]
        senders += [p.email for p in config.people.values()]
        self.senders = {s.lower() for s in senders if s}
        local = self.own.partition("@")[0]
        # Our untagged Message-IDs start with "mailflow." (see outbox._message_id).
        markers = [f"{local}+", "in13-", "<mailflow.", *self.senders]
        # Plain substring tests on the lower-cased header: several times faster than one
        # case-insensitive regex alternation, and this runs on every message in the box.
        self._markers = tuple(m.lower().encode() for m in markers)

    def reason(self, header: bytes) -> str | None:
        """Why the message is ours (one line), or None when it is not."""
        if not self.shared:
            return "delivered to mailflow's own mailbox"
        lowered = header.lower()
        for marker in self._markers:  # a plain loop: no generator frame per message
            if marker in lowered:
                break
        else:
            if not _encoded_subject_has_tag(header):
                return None
        message = BytesHeaderParser(policy=compat32).parsebytes(header)
        found = tokens_in_header_message(header, self.own)
        if found:
            return f"token {sorted(found)[0]} in the headers"
        sender = _address(header_text(message, "From"))
        if sender in self.senders:
            return f"from configured sender {sender}"
        refs = " ".join(header_text(message, h) for h in ("In-Reply-To", "References"))
        ids = re.findall(r"<[^<>\s]+>", refs)
        if ids and self.known_ids(ids):
            return "replies to a message we sent"
        return None


_SUBJECT = re.compile(rb"^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


def _encoded_subject_has_tag(header: bytes) -> bool:
    """A subject tag hidden in RFC 2047 encoded words (addresses are never encoded)."""
    if b"=?" not in header:
        return False
    match = _SUBJECT.search(header)
    if not match or b"=?" not in match.group(1):
        return False
    try:
        text = str(make_header(decode_header(match.group(1).decode("ascii", "replace"))))
    except Exception:  # undecodable: look properly rather than guess
        return True
    return "in13-" in text.lower()


def tokens_in_header_message(header: bytes, own_address: str) -> set[str]:
    from mailflow.mail.correlate import tokens_in_headers

    return tokens_in_headers(header, own_address)


def _address(value: str) -> str:
    found = [addr for _, addr in getaddresses([value]) if addr]
    return found[0].lower() if found else ""


def _message_id(raw_header: bytes) -> str:
    message = BytesHeaderParser(policy=compat32).parsebytes(raw_header)
    value = header_text(message, "Message-ID").strip()
    match = re.search(r"<[^<>]*>", value)
    return (match.group(0) if match else value)[:998]


# Whole messages fetched per command, by total size: one round trip for many small
# messages, bounded memory for large ones.
BODY_BATCH_BYTES = 16_000_000


def fetch_bodies(
    connection: imap.ImapConnection,
    items: list[imap.HeaderFetch],
    on_group: Callable[[dict[int, bytes]], None] | None = None,
) -> dict[int, bytes]:
    """The raw bytes of several messages with few round trips; never sets ``\\Seen``.

    A UID missing from the answer (deleted meanwhile) is simply absent from the result.
    ``on_group`` gets each command's messages as they arrive (to start parsing them early).
    """
    found: dict[int, bytes] = {}
    group: list[int] = []
    size = 0
    for index, item in enumerate(items):
        group.append(item.uid)
        size += item.size
        if size < BODY_BATCH_BYTES and index < len(items) - 1:
            continue
        with connection._network("fetching messages"):
            data = connection._check(
                "UID FETCH",
                connection.client.uid("FETCH", imap.uid_set(group), "(UID BODY.PEEK[])"),
            )
        wanted = set(group)
        arrived = {}
        for fetched in imap._parse_fetch(data):
            if fetched.uid in wanted and fetched.literal is not None:
                arrived[fetched.uid] = fetched.literal
        found.update(arrived)
        if on_group is not None:
            on_group(arrived)
        group, size = [], 0
    return found


def _header_part(raw: bytes) -> bytes:
    """The header block with the blank line that ends it (CRLF or bare LF line ends).

    The first blank line of either kind ends it: LF headers may well be followed by a body
    with CRLF lines.
    """
    found = [(at, len(sep)) for sep in (b"\r\n\r\n", b"\n\n") if (at := raw.find(sep)) >= 0]
    if not found:
        return raw
    at, length = min(found)
    return raw[: at + length]


# Header fields the author (or the author's client) writes. Everything else in the header
# block may be added or changed on the way (Received, Delivered-To, Authentication-Results,
# ARC-*, spam scores...), so a message delivered twice differs there and only there.
_AUTHOR_FIELDS = frozenset(
    b"from to cc subject date message-id in-reply-to references mime-version "
    b"content-type content-transfer-encoding".split()
)


def content_digest(raw: bytes, own_address: str = "") -> str:
    """sha256 of the message as its author wrote it: the author's header fields and the body.

    Dedupe by (Message-ID, this) recognises a re-delivery that gained a ``Received:`` line,
    while a different message reusing a Message-ID still differs. Our tokens anywhere in the
    header count too: one message Bcc'd to two of our plus-addresses arrives as two copies
    that differ only in ``Delivered-To``, and each answers its own step.
    """
    header = _header_part(raw)
    body = raw[len(header) :].replace(b"\r\n", b"\n")
    fields: list[bytes] = []
    for line in header.replace(b"\r\n", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if fields:
                fields[-1] += b" " + line.strip()  # folded: part of the field above
            continue
        fields.append(line)
    digest = hashlib.sha256()
    for entry in fields:
        name, colon, value = entry.partition(b":")
        if colon and name.strip().lower() in _AUTHOR_FIELDS:
            digest.update(name.strip().lower() + b":" + b" ".join(value.split()) + b"\n")
    if own_address:
        found = tokens_in_header_message(header, own_address)
        digest.update(b"tokens:" + " ".join(sorted(found)).encode() + b"\n")
    digest.update(b"\n")
    digest.update(body)
    return digest.hexdigest()


# -- one pass --------------------------------------------------------------------------------


def _known_outbox_ids(app: App) -> Callable[[list[str]], set[str]]:
    def known(ids: list[str]) -> set[str]:
        # Our tagged Message-IDs carry the token and were already caught; this finds replies
        # to our untagged ones.
        with app.sessions() as session:
            rows = session.scalars(
                select(models.OutboxMessage.message_id_header).where(
                    models.OutboxMessage.message_id_header.in_(ids)
                )
            )
            return set(rows)

    return known


class _KnownRows:
    """What the database already holds for a batch's messages: a few queries, not one each.

    Messages are looked up by their exact identity (Message-ID, sha256) and by Message-ID;
    the rows made during the batch are added, so a second copy in the same batch is
    recognised as before.
    """

    # Copies compared by content per Message-ID at most, the newest first: a Message-ID many
    # messages share (some tools write a constant one) must not make every arrival read the
    # whole archive.
    MAX_CANDIDATES = 20

    def __init__(
        self, app: App, session: Session, digests: list[str], message_ids: list[str]
    ) -> None:
        self.app = app
        self.files: set[str] = set()
        self.exact: dict[tuple[str, str], models.Message] = {}
        self.by_message_id: dict[str, list[models.Message]] = {}
        self.new_raws: dict[str, bytes] = {}
        unique = sorted(set(digests))
        wanted = sorted({m for m in message_ids if m})
        for column, values in (
            (models.Message.sha256, unique),  # also finds copies without a Message-ID
            (models.Message.message_id_header, wanted),
        ):
            for start in range(0, len(values), 500):  # bounded IN lists
                for row in session.scalars(
                    select(models.Message)
                    .where(column.in_(values[start : start + 500]))
                    .order_by(models.Message.id)
                ):
                    self.remember(row)
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            self.files.update(
                session.scalars(
                    select(models.StoredFile.sha256).where(models.StoredFile.sha256.in_(part))
                )
            )
        self.old_ids = {row.id for row in self.exact.values()}

    def remember(self, row: models.Message, raw: bytes | None = None) -> None:
        """Note a row; ``raw`` for one made in this batch, whose file may not be written yet."""
        if (row.message_id_header, row.sha256) in self.exact:
            return  # found by both queries
        self.exact[(row.message_id_header, row.sha256)] = row
        self.by_message_id.setdefault(row.message_id_header, []).append(row)
        if raw is not None:
            self.new_raws[row.sha256] = raw

    def find(self, message_id: str, digest: str, raw: bytes) -> models.Message | None:
        """The row of this same message, if recorded: the same bytes, or the same content.

        Dedupe is by Message-ID plus sha256; a copy whose bytes differ only in the trace
        headers a delivery adds (a retry via a second MX gains a ``Received:`` line) is the
        same message too. Without a Message-ID only identical bytes are the same message.
        """
        row = self.exact.get((message_id, digest))
        if row is not None or not message_id:
            return row
        candidates = self.by_message_id.get(message_id, [])
        if not candidates:
            return None
        content = content_digest(raw, self.app.config.smtp.from_address)
        for row in reversed(candidates[-self.MAX_CANDIDATES :]):
            try:
                earlier = self.new_raws.get(row.sha256) or self.app.archive.get(row.sha256)
            except OSError:  # an archive problem shows in `mailflow check`, not here
                continue
            if content_digest(earlier, self.app.config.smtp.from_address) == content:
                return row
        return None

    def add_file(self, app: App, session: Session, digest: str, size: int) -> None:
        """Like :func:`mailflow.app.store_file` for bytes already archived (and fsynced)."""
        if digest not in self.files:
            self.files.add(digest)
            session.add(models.StoredFile(sha256=digest, size=size, created_at=app.clock.now()))


class Intake:
    """Intake on one open connection; :meth:`poll` is one pass."""

    def __init__(self, app: App, act: Act, connection: imap.ImapConnection) -> None:
        self.app = app
        self.act = act
        self.connection = connection
        self.config = app.config
        self.triage = Triage(app.config, _known_outbox_ids(app))
        self.state: imap.FolderState | None = None
        self._last_uid = 0
        self._status_written = 0.0
        self._folders_ready = False
        self._unfinished = True  # received or unmoved messages may wait from an earlier run
        self.early = EarlyParses(_parse_options(app))

    # -- the ledger --

    def open_folder(self) -> None:
        """SELECT the folder and load (or reset, on a new UIDVALIDITY) the ledger state."""
        folder = self.config.imap.folder
        if not self._folders_ready:
            for name in (self.config.imap.quarantine_folder, self.config.imap.processed_folder):
                if name and (name != self.config.imap.processed_folder or self._moves()):
                    self.connection.ensure_folder(name)
            self._folders_ready = True
        state = self.connection.select(folder)
        with transaction(self.app.sessions) as session:
            row = session.get(models.MailboxState, folder)
            if row is None:
                row = models.MailboxState(folder=folder, uidvalidity=state.uidvalidity, last_uid=0)
                session.add(row)
            elif row.uidvalidity != state.uidvalidity:
                # Every UID the server gave before is meaningless now; start again from the
                # beginning. Messages already recorded are recognised by (Message-ID, sha256).
                log.warning(
                    "UIDVALIDITY changed: reading the folder again",
                    extra=log_context(folder=folder, old=row.uidvalidity, new=state.uidvalidity),
                )
                row.uidvalidity, row.last_uid = state.uidvalidity, 0
            self._last_uid = row.last_uid
        self.state = state

    def _moves(self) -> bool:
        return self.config.imap.move_processed and bool(self.config.imap.processed_folder)

    def poll(self) -> IntakeStats:
        stats = IntakeStats()
        if self.state is None or self.connection.selected != self.state:
            self.open_folder()
        assert self.state is not None
        uids = self.connection.uids_above(self._last_uid)
        if uids:
            self._triage_and_archive(uids, stats)
        if uids or self._unfinished:
            # Also on the first pass of a connection: work a crash or an error left behind.
            self._unfinished = True
            self.process_received(stats)
            self.settle_server_copies(stats)
            self._unfinished = False
        self._record_ok()
        return stats

    def _triage_and_archive(self, uids: list[int], stats: IntakeStats) -> None:
        assert self.state is not None
        folder, validity = self.state.name, self.state.uidvalidity
        with self.app.sessions() as session:
            done = set(
                session.scalars(
                    select(models.LedgerEntry.uid).where(
                        models.LedgerEntry.folder == folder,
                        models.LedgerEntry.uidvalidity == validity,
                        models.LedgerEntry.uid >= uids[0],
                    )
                )
            )
        batch = max(1, self.config.imap.batch_size)
        for start in range(0, len(uids), batch):
            chunk = [uid for uid in uids[start : start + batch] if uid not in done]
            entries: list[dict[str, object]] = []  # the batch's ledger, ours and not ours
            highest = uids[min(start + batch, len(uids)) - 1]
            headers = list(self.connection.fetch_headers(chunk, batch=batch)) if chunk else []
            decided = [(item, self.triage.reason(item.header)) for item in headers]
            limit = self.config.imap.max_message_bytes
            wanted = [i for i, why in decided if why and i.size <= limit]
            digests: dict[int, str] = {}
            parse_early = len(wanted) >= PARSE_IN_WORKER_FROM

            bodies = fetch_bodies(
                self.connection,
                wanted,
                functools.partial(self._arrived, digests, parse_early),
            )
            for item, why in decided:
                if why and item.size <= limit and item.uid not in bodies:
                    # Not in the batch answer: asked once more alone (None: deleted meanwhile).
                    fetched = self.connection.fetch_raw(item.uid)
                    if fetched is not None:
                        bodies[item.uid] = fetched
            raws = {
                item.uid: item.header if item.size > limit else bodies[item.uid]
                for item, why in decided
                if why and (item.size > limit or item.uid in bodies)
            }
            # The files are written by a few threads (fsync waits release the GIL) while the
            # rows are built, and all are on disk before the one transaction that records
            # the batch commits; nothing acts on any of its messages before that commit. A
            # crash in between leaves files the next pass finds in place (same name).
            with ThreadPoolExecutor(max_workers=4) as pool:
                for uid, raw in raws.items():
                    if uid not in digests:  # fetched alone, or only its header
                        digests[uid] = hashlib.sha256(raw).hexdigest()
                writes = [
                    pool.submit(self.app.archive.put, raw, digests[uid])
                    for uid, raw in raws.items()
                ]
                with transaction(self.app.sessions) as session:
                    message_ids = {uid: _message_id(_header_part(raw)) for uid, raw in raws.items()}
                    known = _KnownRows(
                        self.app,
                        session,
                        list(digests.values()),
                        list(message_ids.values()),
                    )
                    for uid, raw in raws.items():
                        known.add_file(self.app, session, digests[uid], len(raw))
                    session.flush()  # the files' rows first: the messages' rows refer to them
                    recorded: list[tuple[imap.HeaderFetch, str | None, models.Message | None]] = []
                    for item, reason in decided:
                        stats.seen += 1
                        stats.header_bytes += len(item.header)
                        if reason is None:
                            stats.not_ours += 1
                            recorded.append((item, None, None))
                        else:
                            row = self._archive_one(
                                session,
                                known,
                                item,
                                reason,
                                raws.get(item.uid),
                                stats,
                                (digests, message_ids),
                            )
                            recorded.append((item, reason, row))
                    session.flush()  # one INSERT round for the batch's new rows: their ids
                    announced = set(known.old_ids)
                    for item, reason, row in recorded:
                        row_id = row.id if row is not None else None
                        entries.append(self._ledger(item.uid, row is not None, row_id))
                        if row is not None and row.id not in announced:
                            announced.add(row.id)
                            self._after_insert(session, item, reason or "", row)
                    self._write_ledger(session, entries, highest)
                    for write in writes:
                        write.result()  # raises (and rolls back) if a file could not be written

    def _arrived(self, digests: dict[int, str], parse_early: bool, group: dict[int, bytes]) -> None:
        """Messages just fetched: hash each once, and have the worker parse them meanwhile."""
        for uid, raw in group.items():
            digests[uid] = hashlib.sha256(raw).hexdigest()
        if parse_early:  # the worker parses this group while the next one is fetched
            self.early.start([(digests[uid], raw) for uid, raw in group.items()])

    def _ledger(self, uid: int, ours: bool, message_id: int | None = None) -> dict[str, object]:
        assert self.state is not None
        return {
            "folder": self.state.name,
            "uidvalidity": self.state.uidvalidity,
            "uid": uid,
            "ours": ours,
            "message_id": message_id,
            "seen_at": self.app.clock.now(),
        }

    def _write_ledger(self, session: Session, entries: list[dict[str, object]], upto: int) -> None:
        assert self.state is not None
        if entries:
            # Core insert of plain rows: a pass may note thousands of UIDs that are not ours.
            table: Any = models.LedgerEntry.__table__
            session.connection().execute(insert(table), entries)
        state = session.get(models.MailboxState, self.state.name)
        assert state is not None
        state.last_uid = max(state.last_uid, upto)
        state.last_poll_at = self.app.clock.now()
        self._last_uid = state.last_uid

    def _archive_one(
        self,
        session: Session,
        known: _KnownRows,
        item: imap.HeaderFetch,
        reason: str,
        raw: bytes | None,
        stats: IntakeStats,
        identities: tuple[dict[int, str], dict[int, str]],
    ) -> models.Message | None:
        """Record one archived message of ours in the batch's transaction (None: deleted)."""
        assert self.state is not None
        if raw is None:  # deleted meanwhile by a person
            return None
        stats.body_bytes += len(raw)
        stats.ours += 1
        digest, message_id = identities[0][item.uid], identities[1][item.uid]
        row = known.find(message_id, digest, raw)
        if row is not None:
            stats.duplicates += 1
            # The same message again (a new UIDVALIDITY, a re-delivery, a second copy):
            # not processed again, but this copy is put where the first one went.
            row.folder, row.uidvalidity, row.uid = (
                self.state.name,
                self.state.uidvalidity,
                item.uid,
            )
            if row.status != "received":
                row.server_moved = False
            log.info("known message seen again", extra=log_context(message=row.id, uid=item.uid))
            return row
        parsed_headers = BytesHeaderParser(policy=compat32).parsebytes(_header_part(raw))
        row = models.Message(
            message_id_header=message_id,
            sha256=digest,
            size=len(raw),
            received_at=self.app.clock.now(),
            folder=self.state.name,
            uidvalidity=self.state.uidvalidity,
            uid=item.uid,
            from_addr=_address(header_text(parsed_headers, "From"))[:320],
            subject=header_text(parsed_headers, "Subject")[:2000],
            status="received",
            reasons=[f"ours: {reason}"],
            parsed={},
            attempts=0,
            server_moved=False,
            needs_review=False,
        )
        session.add(row)
        known.remember(row, raw)
        return row

    def _after_insert(
        self, session: Session, item: imap.HeaderFetch, reason: str, row: models.Message
    ) -> None:
        """A new row has its id: park it if too large, and say it was archived."""
        if item.size > self.config.imap.max_message_bytes:
            # Parked unread, with only its header archived; a person decides.
            row.status = "quarantined"
            session.add(
                models.QuarantineEntry(
                    message_id=row.id,
                    reason=f"too large to download ({item.size} bytes; limit "
                    f"imap.max_message_bytes = {self.config.imap.max_message_bytes})",
                    created_at=self.app.clock.now(),
                )
            )
        assert self.state is not None
        log.info(
            "message archived",
            extra=log_context(folder=self.state.name, uid=item.uid, message=row.id, why=reason),
        )

    # -- processing --

    def process_received(self, stats: IntakeStats) -> None:
        with self.app.sessions() as session:
            waiting = session.execute(
                select(models.Message.id, models.Message.size)
                .where(models.Message.status == "received")
                .order_by(models.Message.id)
            ).all()
        group: list[int] = []
        size = 0
        for index, (message_id, message_size) in enumerate(waiting):
            group.append(message_id)
            size += message_size or 0
            if len(group) < PROCESS_GROUP and size < GROUP_BYTES and index < len(waiting) - 1:
                continue
            outcomes = process_messages(self.app, self.act, group, self.early)
            stats.processed += outcomes.count("processed")
            stats.quarantined += outcomes.count("quarantined")
            group, size = [], 0
            if "deferred" in outcomes:
                break  # the database is failing: the next pass starts again in order
        self.early.clear()  # parses of copies that turned out known: not needed any more

    def settle_server_copies(self, stats: IntakeStats) -> None:
        """Move processed/quarantined messages out of the watched folder, one UID at a time.

        Every copy the ledger links to the message in this folder is moved (a message
        delivered twice has two UIDs); a UID already gone is simply not found by the server.
        """
        assert self.state is not None
        folder, validity = self.state.name, self.state.uidvalidity
        with self.app.sessions() as session:
            rows = session.execute(
                select(models.Message.id, models.Message.uid, models.Message.status).where(
                    models.Message.server_moved.is_(False),
                    models.Message.status.in_(("processed", "quarantined")),
                    models.Message.folder == folder,
                    models.Message.uidvalidity == validity,
                )
            ).all()
            copies: dict[int, set[int]] = {row_id: {uid} for row_id, uid, _ in rows if uid}
            if rows:
                for message_id, uid in session.execute(
                    select(models.LedgerEntry.message_id, models.LedgerEntry.uid).where(
                        models.LedgerEntry.message_id.in_([r[0] for r in rows]),
                        models.LedgerEntry.folder == folder,
                        models.LedgerEntry.uidvalidity == validity,
                    )
                ):
                    if message_id is not None:
                        copies.setdefault(message_id, set()).add(uid)
        moved: list[int] = []
        try:
            for row_id, _, status in rows:
                target = self.config.imap.quarantine_folder if status == "quarantined" else None
                if status == "processed" and self._moves():
                    target = self.config.imap.processed_folder
                if target:
                    for uid in sorted(copies.get(row_id, ())):
                        self.connection.move(uid, target)
                        stats.moved += 1
                moved.append(row_id)
        finally:
            # One transaction for all: should it be lost, the next pass moves those UIDs
            # again and the server simply no longer finds them in this folder.
            if moved:
                with transaction(self.app.sessions) as session:
                    for message in session.scalars(
                        select(models.Message).where(models.Message.id.in_(moved))
                    ):
                        message.server_moved = True

    def _record_ok(self) -> None:
        now = time.monotonic()
        if now - self._status_written < STATUS_EVERY_S:
            return
        self._status_written = now
        record_service(self.app, "imap", None)


def record_service(app: App, name: str, error: str | None) -> None:
    with transaction(app.sessions) as session:
        row = session.get(models.ServiceStatus, name)
        if row is None:
            row = models.ServiceStatus(name=name)
            session.add(row)
        if error is None:
            row.last_ok_at = app.clock.now()
        else:
            row.last_error_at, row.last_error = app.clock.now(), error[:2000]


def one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    first = text[0] if text else ""
    return (
        f"{type(error).__name__}: {first}"[:500]
        if not isinstance(error, MailflowError)
        else first[:500] or type(error).__name__
    )


QuarantineListener = Callable[[App, Session, models.Message, str], None]
_quarantine_listeners: list[QuarantineListener] = []


def on_quarantine(listener: QuarantineListener) -> None:
    """Call ``listener`` in the transaction that quarantines a message (e.g. to tell a person)."""
    if listener not in _quarantine_listeners:
        _quarantine_listeners.append(listener)


def quarantine_message(
    app: App, message_id: int, reason: str, parsed: ParsedMessage | None = None
) -> None:
    with transaction(app.sessions) as session:
        claim_received(session, [message_id])
        message = session.get(models.Message, message_id)
        if message is None or message.status != "received":
            return  # finished meanwhile by another processor (a retry, the daemon)
        _quarantine_in(app, session, message, reason, parsed)
    log.warning("message quarantined: %s", reason, extra=log_context(message=message_id))


def _quarantine_in(
    app: App,
    session: Session,
    message: models.Message,
    reason: str,
    parsed: ParsedMessage | None,
) -> None:
    """Park ``message`` in the caller's transaction, and tell the listeners."""
    message.status = "quarantined"
    message.server_moved = False
    if parsed is not None:
        # What was understood stays visible to the person who decides about the message.
        message.kind, message.token = parsed.kind, parsed.token
        message.needs_review = True
        message.reasons = [*(message.reasons or [])[:1], *parsed.reasons]
        message.parsed = parsed.to_json()
    session.add(
        models.QuarantineEntry(message_id=message.id, reason=reason, created_at=app.clock.now())
    )
    for listener in _quarantine_listeners:
        try:
            with session.begin_nested():  # a failing listener must not undo the quarantine
                listener(app, session, message, reason)
        except Exception:
            log.exception("quarantine listener failed", extra=log_context(message=message.id))


def _store_parse(
    app: App,
    session: Session,
    message: models.Message,
    parsed: ParsedMessage,
    known: set[str] | None = None,
) -> None:
    message.kind = parsed.kind
    message.token = parsed.token
    message.needs_review = parsed.needs_review
    message.reasons = [*(message.reasons or [])[:1], *parsed.reasons]
    message.parsed = parsed.to_json()
    if parsed.sender and not message.from_addr:
        message.from_addr = parsed.sender[:320]
    if parsed.subject:
        message.subject = parsed.subject
    files = [a for a in parsed.attachments if a.data and not a.too_large]
    # One query for the message's files (or the group's, passed in as ``known``), and plain
    # INSERTs for the new ones (what store_file does per file with a lookup and a flush each).
    if known is None:
        known = _known_files(session, {a.sha256 for a in files})
    # Core INSERTs of plain rows: the ORM's bookkeeping for each one cost more than the row.
    connection = session.connection()
    for attachment in files:
        digest = attachment.sha256  # sha256 of ``data``, the archive's name for it
        if not app.archive.exists(digest):  # usually put already, in parallel, by the group
            app.archive.put(attachment.data, digest)
        if digest not in known:
            known.add(digest)
            connection.execute(
                insert(_STORED_FILES).values(
                    sha256=digest, size=len(attachment.data), created_at=app.clock.now()
                )
            )
        connection.execute(
            insert(_ATTACHMENTS).values(
                message_id=message.id,
                filename=(attachment.filename or "")[:512],
                content_type=(attachment.content_type or "application/octet-stream")[:255],
                size=attachment.size,
                sha256=digest,
            )
        )


_STORED_FILES: Any = models.StoredFile.__table__
_ATTACHMENTS: Any = models.Attachment.__table__


def _known_files(session: Session, digests: set[str]) -> set[str]:
    if not digests:
        return set()
    return set(
        session.scalars(
            select(models.StoredFile.sha256).where(models.StoredFile.sha256.in_(digests))
        )
    )


def _parse_options(app: App) -> dict[str, Any]:
    return {
        "own_address": app.config.smtp.from_address,
        "limits": Limits(max_message_bytes=app.config.imap.max_message_bytes),
        # Only the coordinator's forwards (of a firm's mail) are unwrapped: nobody else can
        # make mailflow read an attached message as if its author had sent it.
        "forwarders": [app.config.person_for("coordinator").email],
        "office_nip": app.config.office.nip,
    }


def _parse(app: App, raw: bytes) -> ParsedMessage:
    return parse_message(raw, **_parse_options(app))


def _parse_archived(paths: list[str], options: dict[str, Any]) -> list[ParsedMessage | Exception]:
    """Runs in the parsing worker, which reads the archived files itself."""
    results: list[ParsedMessage | Exception] = []
    for path in paths:
        try:
            results.append(parse_message(Path(path).read_bytes(), **options))
        except Exception as error:  # handed back, and quarantined there
            results.append(error)
    return results


# Parsing is pure and takes most of the CPU: a large group is parsed by a worker process
# while this one stores and acts, so two cores work. Small groups (a message arriving during
# IDLE) are parsed here, without the round trip.
PARSE_IN_WORKER_FROM = 16
# Messages per task: each hand-over needs this process's executor thread, which waits for
# the GIL while this process works, so tasks must be few.
PARSE_CHUNK = 8
_worker: ProcessPoolExecutor | None = None


def _parse_worker() -> ProcessPoolExecutor | None:
    global _worker
    if _worker is None and (os.cpu_count() or 1) >= 2:
        # forkserver: a clean process, not a fork of one that holds threads and connections.
        _worker = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver"))
    return _worker


ParseJob = tuple[Future[list[ParsedMessage | Exception]], int]


def _parse_raws(raws: list[bytes], options: dict[str, Any]) -> list[ParsedMessage | Exception]:
    """Runs in the parsing worker, on messages just fetched."""
    results: list[ParsedMessage | Exception] = []
    for raw in raws:
        try:
            results.append(parse_message(raw, **options))
        except Exception as error:  # handed back, and quarantined there
            results.append(error)
    return results


class EarlyParses:
    """Parses started while a batch is still being fetched, by the raw message's sha256.

    Parsing is pure, so a result is valid whenever the same bytes are processed; until then
    it waits in memory, at most ``limit`` bytes of mail at a time.
    """

    def __init__(self, options: dict[str, Any], limit: int = 128_000_000) -> None:
        self.options = options
        self.limit = limit
        self.jobs: dict[str, tuple[ParseJob, int]] = {}
        self.waiting = 0

    def start(self, raws: list[tuple[str, bytes]]) -> None:
        """Start parsing these (sha256, raw message) pairs in the worker."""
        worker = _parse_worker()
        if worker is None:
            return
        fresh = []
        for digest, raw in raws:
            if digest not in self.jobs and self.waiting + len(raw) <= self.limit:
                self.waiting += len(raw)
                fresh.append((digest, raw))
        try:
            for start in range(0, len(fresh), PARSE_CHUNK):
                chunk = fresh[start : start + PARSE_CHUNK]
                future = worker.submit(_parse_raws, [raw for _, raw in chunk], self.options)
                for n, (digest, raw) in enumerate(chunk):
                    self.jobs[digest] = ((future, n), len(raw))
        except (BrokenProcessPool, RuntimeError):
            _drop_parse_worker()  # what was not submitted is parsed later, as usual

    def take(self, digest: str) -> ParseJob | None:
        found = self.jobs.pop(digest, None)
        if found is None:
            return None
        self.waiting -= found[1]
        return found[0]

    def clear(self) -> None:
        self.jobs.clear()
        self.waiting = 0


def _drop_parse_worker() -> None:
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker.shutdown(wait=False, cancel_futures=True)


def _parsed(
    app: App, sha256: str, future: tuple[Future[list[ParsedMessage | Exception]], int] | None
) -> ParsedMessage | Exception:
    """The worker's result, or (without a worker, or when it died) a parse in this process."""
    if future is not None:
        try:
            return future[0].result()[future[1]]
        except BrokenProcessPool:
            # The worker died (killed, or a library crashed it): parse here, where a crash
            # is counted as an attempt like any other.
            _drop_parse_worker()
        except Exception:  # e.g. a result that could not be handed back: parse here
            log.warning("parsing worker failed; parsing in the daemon", exc_info=True)
    try:
        return _parse(app, app.archive.get(sha256))
    except Exception as error:
        return error


def _put_quietly(app: App, data: bytes, digest: str) -> None:
    """Archive ahead of time; a failure shows (and quarantines) when the message is stored."""
    with contextlib.suppress(OSError):
        app.archive.put(data, digest)


def process_messages(
    app: App, act: Act, message_ids: list[int], early: EarlyParses | None = None
) -> list[str]:
    """:func:`process_message` for several messages, in order, with fewer transactions.

    Messages never tried before get their first attempt counted together in one commit,
    are parsed, and their attachments are archived in parallel; each is then stored and
    handed to ``act`` in its own transaction, as alone. A message tried before (a crash
    interrupted a group) goes alone through :func:`process_message`, so a poison message
    is parked after the same number of tries and never takes the others with it.
    """
    with transaction(app.sessions) as session:
        rows = session.scalars(
            select(models.Message).where(
                models.Message.id.in_(message_ids), models.Message.status == "received"
            )
        ).all()
        fresh = {row.id: row.sha256 for row in rows if row.attempts == 0}
        for row in rows:
            if row.id in fresh:
                # Committed before the work, so a crash during it still counts as a try.
                row.attempts = 1
    futures: dict[int, ParseJob] = {}
    for message_id, digest in fresh.items():
        job = early.take(digest) if early is not None else None
        if job is not None:
            futures[message_id] = job
    worker = _parse_worker() if len(fresh) - len(futures) >= PARSE_IN_WORKER_FROM else None
    if worker is not None:
        options = _parse_options(app)
        in_order = [m for m in message_ids if m in fresh and m not in futures]
        try:
            for start in range(0, len(in_order), PARSE_CHUNK):
                chunk = in_order[start : start + PARSE_CHUNK]
                paths = [str(app.archive.path_for(fresh[m])) for m in chunk]
                future = worker.submit(_parse_archived, paths, options)
                futures.update({m: (future, n) for n, m in enumerate(chunk)})
        except (BrokenProcessPool, RuntimeError):
            _drop_parse_worker()  # what was not submitted is parsed here
    prepared: dict[int, ParsedMessage | Exception] = {}
    writes: dict[str, Future[None]] = {}
    needed: dict[int, set[str]] = {}
    outcomes = []

    def prepare(message_id: int) -> None:
        parsed = _parsed(app, fresh[message_id], futures.get(message_id))
        prepared[message_id] = parsed
        needed[message_id] = set()
        if isinstance(parsed, Exception):
            return  # quarantined in its turn
        for a in parsed.attachments:
            if a.data and not a.too_large:
                # One write per file: two messages with the same attachment both wait for
                # that one write, never for a copy that found it half done.
                if a.sha256 not in writes:
                    writes[a.sha256] = pool.submit(_put_quietly, app, a.data, a.sha256)
                needed[message_id].add(a.sha256)

    # Attachments are archived by a few threads (fsync waits release the GIL) while the next
    # messages are parsed; each message waits for its own files before its transaction.
    ready: list[tuple[int, ParsedMessage]] = []  # parsed well, files being written

    def finish_ready() -> None:
        for message_id, _ in ready:
            for digest in needed[message_id]:
                writes[digest].result()
        outcomes.extend(_finish_group(app, act, ready))
        ready.clear()

    with ThreadPoolExecutor(max_workers=4) as pool:
        if not futures:
            for message_id in fresh:
                prepare(message_id)
        for index, message_id in enumerate(message_ids):
            if "deferred" in outcomes:
                break  # the database failed: the rest waits too, so order is kept
            if message_id not in fresh:
                finish_ready()  # in order: what came before is stored first
                if "deferred" not in outcomes:
                    outcomes.append(process_message(app, act, message_id))
                continue
            if message_id not in prepared:
                prepare(message_id)
            # Start the files of the next messages the worker has finished already.
            for later in message_ids[index + 1 : index + 5]:
                pending = futures.get(later)
                if later not in prepared and pending is not None and pending[0].done():
                    prepare(later)
            parsed = prepared.pop(message_id)
            if isinstance(parsed, Exception):
                finish_ready()
                if "deferred" not in outcomes:
                    outcomes.append(_finish(app, act, message_id, 1, parsed))
            else:
                ready.append((message_id, parsed))
        if "deferred" not in outcomes:
            finish_ready()
    # A message after a deferred one is deferred with it: processed later, in its turn.
    return outcomes + ["deferred"] * (len(message_ids) - len(outcomes))


# A group of messages is stored and acted on in one transaction while its work takes at most
# this long, so a long group never holds SQLite's write lock for long.
GROUP_TRANSACTION_S = 0.5


def _finish_group(app: App, act: Act, items: list[tuple[int, ParsedMessage]]) -> list[str]:
    """:func:`_finish` for several parsed messages, in as few transactions as possible.

    Each message is stored and acted on inside a savepoint of the group's transaction, so a
    message whose act fails is rolled back and quarantined alone, exactly as if it had its own
    transaction, and no act runs twice. A database failure (busy, connection lost) rolls the
    whole group back: every message of it stays "received" for the next pass ("deferred").
    """
    outcomes: list[str] = []
    start = 0
    while start < len(items):
        began = time.monotonic()
        group = items[start : start + PROCESS_GROUP]
        # id, outcome, kind, token, reason (for a quarantine)
        done: list[tuple[int, str, str | None, str | None, str]] = []
        try:
            with transaction(app.sessions) as session:
                claim_received(session, [m for m, _ in group])
                rows = {
                    row.id: row
                    for row in session.scalars(
                        select(models.Message).where(models.Message.id.in_([m for m, _ in group]))
                    )
                }
                known = _known_files(
                    session,
                    {
                        a.sha256
                        for _, parsed in group
                        for a in parsed.attachments
                        if a.data and not a.too_large
                    },
                )
                for message_id, parsed in group:
                    message = rows.get(message_id)
                    if message is None or message.status != "received":
                        done.append((message_id, "skipped", None, None, ""))
                    else:
                        done.append(_finish_in_group(app, act, session, message, parsed, known))
                    if time.monotonic() - began > GROUP_TRANSACTION_S:
                        break
        except OperationalError as error:
            # Nothing of the group was stored. What follows waits as well: acting on later
            # messages first would change the order in which the procedure sees them.
            log.warning(
                "database unavailable; %d messages left for the next pass: %s",
                len(items) - start,
                one_line(error),
            )
            return outcomes + ["deferred"] * (len(items) - start)
        milliseconds = round((time.monotonic() - began) * 1000 / max(1, len(done)), 1)
        for message_id, outcome, kind, token, reason in done:
            outcomes.append(outcome)
            if outcome == "processed":
                log.info(
                    "message processed",
                    extra=log_context(
                        message=message_id, attempt=1, kind=kind, token=token, ms=milliseconds
                    ),
                )
            elif outcome == "quarantined":
                log.warning(
                    "message quarantined: %s", reason, extra=log_context(message=message_id)
                )
        start += len(done)
    return outcomes


def _finish_in_group(
    app: App,
    act: Act,
    session: Session,
    message: models.Message,
    parsed: ParsedMessage,
    known: set[str],
) -> tuple[int, str, str | None, str | None, str]:
    files_before = set(known)
    try:
        with session.begin_nested():
            _store_parse(app, session, message, parsed, known)
            act(app, session, message, parsed)
            message.status = "processed"
            message.server_moved = False
    except OperationalError:
        raise  # the database, not the message: the whole group waits for the next pass
    except Exception as error:
        known.intersection_update(files_before)  # their rows went with the savepoint
        reason = one_line(error)
        _quarantine_in(app, session, message, reason, parsed)
        return (message.id, "quarantined", None, None, reason)
    return (message.id, "processed", parsed.kind, parsed.token, "")


def claim_received(session: Session, message_ids: list[int]) -> None:
    """Lock these messages, while received, until the transaction ends; read them after this.

    A second processor of the same message (a retry from the status page while the daemon's
    pass reaches it) waits here, then reads it processed and skips it, instead of acting on it
    a second time. It is the first statement of every processing transaction: on SQLite that
    is also what makes a group of messages one transaction (see :func:`lock_rows`).
    """
    lock_rows(
        session,
        models.Message,
        models.Message.id.in_(message_ids),
        models.Message.status == "received",
    )


def process_message(app: App, act: Act, message_id: int) -> str:
    """Parse one received message and hand it to ``act``: processed, quarantined or skipped."""
    with transaction(app.sessions) as session:
        claim_received(session, [message_id])
        message = session.get(models.Message, message_id)
        if message is None or message.status != "received":
            return "skipped"
        # Committed before the work, so a crash during the work still counts as a try.
        message.attempts += 1
        attempts = message.attempts
    if attempts > MAX_ATTEMPTS:
        quarantine_message(
            app, message_id, f"processing did not finish after {MAX_ATTEMPTS} attempts"
        )
        return "quarantined"
    return _finish(app, act, message_id, attempts, None)


def _finish(
    app: App,
    act: Act,
    message_id: int,
    attempts: int,
    prepared: ParsedMessage | Exception | None,
) -> str:
    """Parse (unless ``prepared``), store and act on one message in one transaction."""
    started = time.monotonic()
    parsed: ParsedMessage | None = None
    try:
        if isinstance(prepared, Exception):
            raise prepared
        with transaction(app.sessions) as session:
            claim_received(session, [message_id])
            message = session.get(models.Message, message_id)
            if message is None or message.status != "received":
                return "skipped"
            parsed = prepared or _parse(app, app.archive.get(message.sha256))
            _store_parse(app, session, message, parsed)
            act(app, session, message, parsed)
            message.status = "processed"
            message.server_moved = False
            kind, token = parsed.kind, parsed.token
    except OperationalError as error:
        # The database was busy or went away ("database is locked", a lost connection): the
        # message is fine, so it stays "received" for the next pass. Its attempt is already
        # counted, so a database that never recovers still parks it after MAX_ATTEMPTS.
        log.warning(
            "database unavailable; message left for the next pass: %s",
            one_line(error),
            extra=log_context(message=message_id),
        )
        return "deferred"
    except Exception as error:  # any other failure parks the message; the loop goes on
        quarantine_message(app, message_id, one_line(error), parsed)
        return "quarantined"
    log.info(
        "message processed",
        extra=log_context(
            message=message_id,
            attempt=attempts,
            kind=kind,
            token=token,
            ms=round((time.monotonic() - started) * 1000, 1),
        ),
    )
    return "processed"


def poll_once(app: App, act: Act, connection: imap.ImapConnection | None = None) -> IntakeStats:
    """One pass over the configured folder (see the module docstring)."""
    own = connection is None
    conn = connection or imap_login(app.config)
    try:
        with mailbox_lock(app, wait_s=60.0) as locked:
            if not locked:
                raise TransientError("another intake is working on this mailbox")
            stats = Intake(app, act, conn).poll()
    except MailflowError as error:
        record_service(app, "imap", str(error))
        raise
    finally:
        if own:
            conn.close()
    return stats


# -- the long-running loop -------------------------------------------------------------------


def run_intake_loop(
    app: App,
    act: Act,
    stop: threading.Event,
    after_poll: Callable[[IntakeStats], None] | None = None,
) -> None:
    """Watch the folder until ``stop``: IDLE where offered, else poll; reconnect with backoff.

    Only one loop per mailbox runs at a time (a lock file beside the database); a second
    one waits for the first to end.
    """
    delay = 1.0

    def connected() -> None:
        nonlocal delay
        delay = 1.0  # the backoff starts again after every good connection

    while not stop.is_set():
        try:
            with mailbox_lock(app) as locked:
                if not locked:
                    log.info("another intake holds this mailbox; waiting")
                    stop.wait(5.0)
                    continue
                _watch(app, act, stop, after_poll, connected)
        except MailflowError as error:
            with contextlib.suppress(Exception):
                record_service(app, "imap", str(error))
            log.warning("intake: %s; reconnecting in %.0f s", error, delay)
            stop.wait(delay)
            delay = min(delay * 2, MAX_RECONNECT_DELAY_S)
        except Exception:  # a bug or a database outage must not end the loop for good
            log.exception("intake failed; reconnecting in %.0f s", delay)
            stop.wait(delay)
            delay = min(delay * 2, MAX_RECONNECT_DELAY_S)


def _watch(
    app: App,
    act: Act,
    stop: threading.Event,
    after_poll: Callable[[IntakeStats], None] | None,
    connected: Callable[[], None],
) -> None:
    with imap_login(app.config) as connection:
        intake = Intake(app, act, connection)
        idle = app.config.imap.use_idle and connection.supports_idle
        log.info("intake connected", extra=log_context(idle=idle, folder=app.config.imap.folder))
        connected()
        selected_at = time.monotonic()
        while not stop.is_set():
            if time.monotonic() - selected_at > RESELECT_EVERY_S:
                # SELECT again now and then: a changed UIDVALIDITY is reported only there.
                intake.state, selected_at = None, time.monotonic()
            stats = intake.poll()
            if stats.seen or stats.processed or stats.quarantined:
                log.info(
                    "intake pass",
                    extra=log_context(
                        seen=stats.seen,
                        ours=stats.ours,
                        processed=stats.processed,
                        quarantined=stats.quarantined,
                    ),
                )
            if after_poll is not None:
                after_poll(stats)
            if idle:
                deadline = time.monotonic() + max(app.config.imap.poll_seconds, IDLE_SLICE_S)
                while not stop.is_set() and time.monotonic() < deadline:
                    if connection.idle_wait(IDLE_SLICE_S):
                        break
            else:
                stop.wait(app.config.imap.poll_seconds)
