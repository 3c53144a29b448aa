"""What the daemon makes of one message, offline: ``mailflow parse FILE.eml --json``.

The pipeline of understanding, in order: decode the bytes; recognise bounces and automatic
replies before reading anything (they are never read as quotes or decisions); pick what
counts (for a forward, the message inside); separate the new text from quoted history and the
signature; hand that to :func:`mailflow.reading.read_reply`; find our token. The result is a
plain value whose ``to_json()`` is the contract shape.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from email.utils import getaddresses
from pathlib import Path

from mailflow.errors import (
    ReaderFailed,
    ReadingRefused,
    TooComplexToRead,
    TooLargeToRead,
    UserError,
)
from mailflow.mail.autoreply import autoreply_reasons, is_bulk
from mailflow.mail.bounce import Bounce, read_bounce
from mailflow.mail.containers import is_outlook_msg
from mailflow.mail.correlate import TokenHit, find_tokens
from mailflow.mail.decode import DecodedAttachment, DecodedMessage, Limits, decode_message
from mailflow.mail.quoting import forwarded_inline, is_forward_subject, split_reply
from mailflow.reading import Attachment, Decision, Progress, Quote, ReplyText, read_reply
from mailflow.reading.documents import Refusal
from mailflow.tokens import find_message_id_tags, find_tag

log = logging.getLogger(__name__)

# Places a token may come from that are the message's own headers: two different tokens
# there mean the message cannot be attributed without a person.
_HEADER_SOURCES = ("plus_address", "references", "subject_tag")


@dataclass
class ParsedMessage:
    kind: str
    sender: str
    subject: str
    token: str | None = None
    token_source: str | None = None
    needs_review: bool = False
    reasons: list[str] = field(default_factory=list)
    attachments: list[DecodedAttachment] = field(default_factory=list)
    quote: Quote | None = None
    decision: Decision | None = None
    progress: Progress | None = None
    bounce: Bounce | None = None
    message_id: str = ""
    in_reply_to: str = ""
    # The author of what was read: the inner message's sender for a forward.
    author: str = ""
    forwarded: bool = False
    bulk: bool = False  # a newsletter or list mail: never answered automatically
    token_hits: list[TokenHit] = field(default_factory=list)
    reply: ReplyText | None = None  # what was handed to the reply reader
    # What was not read (the message, a part, an attachment), each with its Polish reason.
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def polish_reasons(self) -> list[str]:
        """Why (parts of) the message were not read, for an official (the quarantine)."""
        return [refusal.polish for refusal in self.refusals]

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "from": self.sender,
            "subject": self.subject,
            "token": self.token,
            "needs_review": self.needs_review,
            "reasons": list(self.reasons),
            "attachments": [a.to_json() for a in self.attachments],
            "quote": self.quote.to_json() if self.quote else None,
            "decision": self.decision.to_json() if self.decision else None,
            "bounce": self.bounce.to_json() if self.bounce else None,
            "progress": self.progress.to_json() if self.progress else None,
            "token_source": self.token_source,
            "message_id": self.message_id,
            "in_reply_to": self.in_reply_to,
            "author": self.author,
            "forwarded": self.forwarded,
        }


def _choose_token(parsed: ParsedMessage, hits: list[TokenHit]) -> None:
    parsed.token_hits = hits
    if not hits:
        return
    parsed.token, parsed.token_source = hits[0].token, hits[0].source
    in_headers = {hit.token for hit in hits if hit.source in _HEADER_SOURCES}
    if len(in_headers) > 1:
        parsed.needs_review = True
        parsed.reasons.append(f"different tokens in the headers: {', '.join(sorted(in_headers))}")


def _bounce_result(parsed: ParsedMessage, bounce: Bounce) -> None:
    parsed.kind = "bounce"
    parsed.bounce = bounce
    nature = "permanent" if bounce.permanent else "temporary"
    parsed.reasons.append(
        f"delivery report: {bounce.recipient or 'unknown recipient'} "
        f"{bounce.status or 'without status'} ({nature})"
    )
    if not bounce.standard:
        parsed.reasons.append("non-standard bounce text")
    if bounce.recipient is None or bounce.status is None:
        parsed.needs_review = True
        parsed.reasons.append("bounce without a clear recipient or status")


def _reading_attachments(decoded: DecodedMessage) -> tuple[Attachment, ...]:
    """Files for the reader: attached messages are read as messages, big files not at all."""
    return tuple(
        Attachment(a.filename, a.content_type, a.data)
        for a in decoded.attachments
        if not a.too_large
        and a.content_type != "message/rfc822"
        and not is_outlook_msg(a.filename, a.content_type)
    )


def _reply_from(
    decoded: DecodedMessage, parsed: ParsedMessage, unwrap_forward: bool
) -> tuple[ReplyText, str]:
    """The reply to read and the quoted text to search for tokens.

    For a forward (an attached .eml/.msg, or a forward written inline under a From/Subject
    header block) the forwarded message is what counts, not the forwarder's cover note.
    """
    outer = split_reply(decoded.text)
    forward_subject = is_forward_subject(decoded.subject) and unwrap_forward
    if decoded.embedded and unwrap_forward and (forward_subject or len(outer.new_text) < 600):
        inner = decoded.embedded[0]
        parsed.forwarded = True
        parsed.reasons.append(
            f"forwarded by {decoded.sender}: the attached message from "
            f"{inner.sender or 'an unknown sender'} is read"
        )
        split = split_reply(inner.text)
        attachments = _reading_attachments(inner) + _reading_attachments(decoded)
        reply = ReplyText(
            sender=inner.sender,
            subject=inner.subject,
            new_text=split.new_text,
            quoted_text=split.quoted_text,
            signature=split.signature,
            attachments=attachments,
        )
        return reply, outer.quoted_text + "\n" + split.quoted_text
    inline = forwarded_inline(decoded.text) if forward_subject else None
    if inline is not None and inline.sender and inline.sender != decoded.sender:
        parsed.forwarded = True
        parsed.reasons.append(
            f"forwarded by {decoded.sender}: the message from {inline.sender} inside is read"
        )
        split = split_reply(inline.text)
        reply = ReplyText(
            sender=inline.sender,
            subject=inline.subject or decoded.subject,
            new_text=split.new_text,
            quoted_text=split.quoted_text,
            signature=split.signature,
            attachments=_reading_attachments(decoded),
        )
        return reply, outer.quoted_text
    reply = ReplyText(
        sender=decoded.sender,
        subject=decoded.subject,
        new_text=outer.new_text,
        quoted_text=outer.quoted_text,
        signature=outer.signature,
        attachments=_reading_attachments(decoded),
    )
    return reply, outer.quoted_text


def _thread_code(decoded: DecodedMessage) -> str | None:
    """The document code (ZO, WYN, ...) of our e-mail this message answers, if any."""
    tag = find_tag(decoded.subject)
    if tag is not None:
        return tag.code
    ours = find_message_id_tags(decoded.in_reply_to + " " + decoded.references)
    return ours[-1].code if ours else None


def parse_message(
    raw: bytes,
    own_address: str | None = None,
    limits: Limits | None = None,
    forwarders: Collection[str] | None = None,
    office_nip: str | None = None,
) -> ParsedMessage:
    """Understand one raw message (no network, no database). Never raises on bad input.

    ``own_address`` is the daemon's ``[smtp] from_address``; offline it may be unknown, and
    then any plus-address with a well-formed token counts. ``forwarders`` are the addresses
    whose forwards are unwrapped (the configured officials); ``None`` unwraps any forward,
    as ``mailflow parse`` does without a configuration.

    Whatever cannot be read becomes a named refusal in ``refusals`` (with a Polish reason)
    and ``needs_review``; a failure nobody foresaw is logged and refused as
    :class:`~mailflow.errors.ReaderFailed`, so no exception leaves here.
    """
    try:
        return _parse_message(raw, own_address, limits, forwarders, office_nip)
    except ReadingRefused as error:
        return _refused(error)
    except RecursionError:  # thousands of nested parts: refuse, never crash
        return _refused(
            TooComplexToRead(
                "the message is nested too deeply to be read",
                "Wiadomość ma zbyt głęboko zagnieżdżoną budowę — nie została odczytana.",
            )
        )
    except MemoryError:
        return _refused(
            TooLargeToRead(
                "the message needs more memory than allowed to be read",
                "Odczytanie wiadomości wymaga więcej pamięci niż dozwolone — nie została "
                "odczytana.",
            )
        )
    except Exception:  # a bug on bytes nobody foresaw: logged with its traceback, not shown
        log.exception("reading a message failed")
        return _refused(
            ReaderFailed(
                "the reader failed on this message (logged); it needs a person",
                "Wiadomości nie udało się odczytać z powodu błędu programu — wymaga "
                "przejrzenia przez osobę.",
            )
        )


def _refused(error: ReadingRefused) -> ParsedMessage:
    return ParsedMessage(
        kind="other",
        sender="",
        subject="",
        needs_review=True,
        reasons=[str(error)],
        refusals=[Refusal.of(error)],
    )


def _parse_message(
    raw: bytes,
    own_address: str | None,
    limits: Limits | None,
    forwarders: Collection[str] | None,
    office_nip: str | None,
) -> ParsedMessage:
    decoded = decode_message(raw, limits)
    parsed = ParsedMessage(
        kind="other",
        sender=decoded.sender,
        subject=decoded.subject,
        attachments=list(decoded.attachments),
        message_id=decoded.message_id,
        in_reply_to=decoded.in_reply_to,
        author=decoded.sender,
        bulk=is_bulk(decoded.message),
    )
    parsed.reasons += decoded.notes + decoded.problems
    parsed.refusals += [Refusal.of(refusal) for refusal in decoded.refusals]
    parsed.needs_review = bool(decoded.problems)
    if not decoded.sender:
        parsed.needs_review = True
        parsed.reasons.append("no sender address")
    authors = getaddresses([str(v) for v in decoded.message.get_all("From") or []])
    if len({address.lower() for _, address in authors if address}) > 1:
        # Whose decision or quote would it be? Nobody's for sure.
        parsed.needs_review = True
        parsed.reasons.append("more than one author in From")
    own = {own_address.lower()} if own_address else set()
    quoted = ""
    bounce = read_bounce(decoded, own)
    auto = autoreply_reasons(decoded.message, decoded.subject, decoded.text)
    if bounce is not None:
        _bounce_result(parsed, bounce)
    elif auto:
        parsed.kind = "auto_reply"
        parsed.reasons.append("automatic reply: " + "; ".join(auto))
    elif not decoded.problems or decoded.text:
        unwrap = forwarders is None or decoded.sender in {f.lower() for f in forwarders}
        reply, quoted = _reply_from(decoded, parsed, unwrap)
        # Which of our e-mails this answers decides how a one-word reply is read: "ZATWIERDZAM"
        # on a routing thread is a decision, even when the client rewrote the subject.
        reply = dataclasses.replace(reply, thread_code=_thread_code(decoded))
        parsed.reply = reply
        parsed.author = reply.sender
        reading = read_reply(reply, office_nip=office_nip)
        parsed.kind = reading.kind
        parsed.quote, parsed.decision, parsed.progress = (
            reading.quote,
            reading.decision,
            reading.progress,
        )
        parsed.needs_review = parsed.needs_review or reading.needs_review
        parsed.reasons += reading.reasons
        parsed.refusals += reading.refusals
    if parsed.bulk:
        parsed.reasons.append("mass mailing (Precedence/List-Id): never answered")
    _choose_token(parsed, find_tokens(decoded, quoted, own_address))
    return parsed


def parse_file(
    path: str, own_address: str | None = None, limits: Limits | None = None
) -> ParsedMessage:
    """Parse a .eml file; a missing, unreadable or non-mail file is a :class:`UserError`."""
    file = Path(path)
    if not file.is_file():
        raise UserError(f"{path}: no such file")
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise UserError(f"{path}: cannot read the file ({error.strerror})") from error
    if not _looks_like_mail(raw):
        raise UserError(f"{path}: not an e-mail message (no headers at the start)")
    return parse_message(raw, own_address, limits)


def _looks_like_mail(raw: bytes) -> bool:
    first_line = raw.lstrip(b"\r\n").split(b"\n", 1)[0]
    if first_line.startswith(b"From "):  # an mbox "From " line before the headers
        first_line = raw.split(b"\n", 2)[1] if raw.count(b"\n") >= 2 else b""
    name, colon, _ = first_line.partition(b":")
    return bool(colon) and bool(name) and all(33 <= c <= 126 for c in name)
