"""Raw message bytes -> a decoded message: headers, body text, real attachments, embedded mail.

What real clients send: multipart/alternative (text preferred, HTML sanitised to text when
there is no text), multipart/related with inline images (not attachments), attachments in any
branch (Apple Mail puts them inside the HTML alternative), RFC 2047 headers, RFC 2231 file
names, Polish charsets, TNEF and Outlook .msg containers, and attached messages (forwards as
.eml). Limits on the message and attachment sizes give a reason, never a crash.
"""

from __future__ import annotations

import binascii
import email
import email.header
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses

from mailflow.errors import ReadingRefused, TooComplexToRead, TooLargeToRead
from mailflow.mail.charsets import decode_text
from mailflow.mail.containers import is_outlook_msg, is_tnef, open_outlook_msg, open_tnef
from mailflow.mail.htmltext import html_to_text

MB = 1024 * 1024
# Parts of a delivery report: they belong to the bounce, they are not the sender's files.
REPORT_PART_TYPES = {
    "message/delivery-status",
    "message/global-delivery-status",
    "text/rfc822-headers",
    "message/disposition-notification",
}
# Nesting deeper than this is not mail a person wrote; it is a recursion bomb.
# Signatures of signed mail (S/MIME, PGP): part of the envelope, not files the sender sent.
SIGNATURE_TYPES = {
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pgp-signature",
}
MAX_DEPTH = 12
MAX_PARTS = 500
# Multiparts inside multiparts: real mail nests a few levels (mixed > alternative > related).
MAX_MIME_NESTING = 40


@dataclass(frozen=True)
class Limits:
    max_message_bytes: int = 25 * MB
    max_attachment_bytes: int = 20 * MB


@dataclass
class DecodedAttachment:
    filename: str
    content_type: str
    data: bytes  # empty when the attachment is over the size limit
    size: int
    sha256: str
    too_large: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


@dataclass
class DecodedMessage:
    """One message decoded: what a person would see in a mail client."""

    message: Message  # the parsed tree, for header checks (auto-reply, bounce)
    sender: str = ""  # lower-case address of From
    sender_name: str = ""
    subject: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    text: str = ""
    attachments: list[DecodedAttachment] = field(default_factory=list)
    # Messages carried inside this one (forwarded .eml or .msg), each decoded in turn.
    embedded: list[DecodedMessage] = field(default_factory=list)
    # Raw text of returned originals in a bounce (message/rfc822 or text/rfc822-headers).
    returned_headers: list[str] = field(default_factory=list)
    # What stops a full reading (size limits, broken containers): the message needs review.
    problems: list[str] = field(default_factory=list)
    # What was repaired on the way (a mislabelled charset): worth saying, not a doubt.
    notes: list[str] = field(default_factory=list)
    # Each problem as a named refusal with its Polish reason (``problems`` has the English).
    refusals: list[ReadingRefused] = field(default_factory=list)

    def refuse(self, refusal: ReadingRefused) -> None:
        self.problems.append(str(refusal))
        self.refusals.append(refusal)

    def addresses(self, *names: str) -> list[str]:
        """Lower-case addresses of the given headers (To, Cc, Delivered-To ...)."""
        return [addr for _, addr in address_list(self.message, *names)]


def _repair(value: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes: decode them like body text."""
    if not re.search("[\udc80-\udcff]", value):
        return value
    raw = value.encode("utf-8", errors="surrogateescape")
    return decode_text(raw, None)[0]


def raw_header_values(message: Message, name: str) -> list[str]:
    try:
        return [str(value) for value in message.get_all(name) or []]
    except Exception:  # a header the parser could not make sense of
        return []


# One RFC 2047 encoded word. Its text is printable ASCII without "?" (so a failed attempt
# stops at the next "?" and the scan stays linear).
_ENCODED_WORD = re.compile(
    r"=\?([^?\s*]{1,40})(?:\*[^?\s]{0,20})?\?([bBqQ])\?([\x21-\x3e\x40-\x7e]*)\?="
)
_QP_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")


def _word_bytes(encoding: str, text: str) -> bytes | None:
    data = text.encode("ascii", errors="surrogateescape")
    try:
        if encoding in "bB":
            return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
        return _QP_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data.replace(b"_", b" "))
    except (binascii.Error, ValueError):
        return None


def _decode_encoded_words(value: str) -> str:
    """RFC 2047 encoded words decoded in one pass; undecodable ones left as they are.

    The standard library's ``decode_header`` pops each word off the front of a list, which
    is quadratic: a Subject of 100 000 encoded words took 19 s. Adjacent words in one charset
    are joined before decoding (a character may be split between two words), and the white
    space between two encoded words is dropped, as RFC 2047 says.
    """
    pieces: list[str] = []
    pending = bytearray()
    pending_charset = ""
    position = 0

    def flush() -> None:
        nonlocal pending_charset
        if pending:
            pieces.append(decode_text(bytes(pending), pending_charset)[0])
            pending.clear()
        pending_charset = ""

    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        data = _word_bytes(match.group(2), match.group(3))
        charset = match.group(1).lower()
        if data is None:
            flush()
            pieces += [between, match.group(0)]
        else:
            if between.strip() or charset != pending_charset:
                flush()
                if between.strip() or not pieces:
                    pieces.append(between)
            pending += data
            pending_charset = charset
        position = match.end()
    flush()
    pieces.append(value[position:])
    return "".join(pieces)


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded; undecodable ones left as they are."""
    return _repair(" ".join(_decode_encoded_words(value).split()))


def header_text(message: Message, name: str) -> str:
    """The decoded value of one header ('' when absent or unreadable), all values joined."""
    return ", ".join(decode_words(value) for value in raw_header_values(message, name))


def address_list(message: Message, *names: str) -> list[tuple[str, str]]:
    """(display name, lower-case address) pairs of address headers such as To and Cc.

    Addresses are split before the display names are decoded: a decoded name may contain
    a comma ("Kowalski, Jan") that would split one address into two.
    """
    values = [value for name in names for value in raw_header_values(message, name)]
    try:
        pairs = getaddresses(values)
    except Exception:
        return []
    return [(decode_words(name), addr.strip().lower()) for name, addr in pairs if "@" in addr]


def header_param(part: Message, name: str) -> str:
    """A Content-Type parameter as text ('' when absent); RFC 2231 values collapsed."""
    value = part.get_param(name)
    if isinstance(value, tuple):
        return str(email.utils.collapse_rfc2231_value(value))
    return value or ""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    if not name:
        # Some clients put the name only in Content-Type; RFC 2047 there too.
        name = header_param(part, "name")
    return _repair(_decode_encoded_words(str(name))).strip().replace("\n", " ")


def _payload_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", errors="surrogateescape") if isinstance(raw, str) else b""


def _part_text(part: Message, notes: list[str]) -> str:
    text, note = decode_text(_payload_bytes(part), part.get_content_charset())
    if note and note not in notes:
        notes.append(note)
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    if header_param(part, "format").lower() == "flowed":
        return _unflow(text, header_param(part, "delsp").lower() == "yes")
    return text


def _unflow(text: str, delsp: bool) -> str:
    """RFC 3676 format=flowed: a line ending in a space continues on the next line."""
    # Pieces of each output line are joined once at the end: adding each piece to the line
    # copied the line so far every time (800 000 flowed lines took 28 s).
    out: list[list[str]] = []
    joining = False
    for line in text.replace("\r\n", "\n").split("\n"):
        flowed = line.endswith(" ") and line != "-- "
        piece = line[:-1] if flowed and delsp else line
        if joining and out:
            out[-1].append(piece)
        else:
            out.append([piece])
        joining = flowed
    return "\n".join("".join(pieces) for pieces in out)


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or bool(_filename(part))


def _is_inline_image(part: Message, parent_type: str = "") -> bool:
    """Logos and pasted pictures shown in the HTML: not files the sender attached."""
    if part.get_content_maintype() != "image":
        return False
    disposition = (part.get_content_disposition() or "").lower()
    shown_in_html = parent_type == "multipart/related" and bool(part.get("Content-ID"))
    return disposition != "attachment" or shown_in_html


class _Walker:
    """Collects text, attachments and embedded messages from a MIME tree."""

    def __init__(self, out: DecodedMessage, limits: Limits, depth: int) -> None:
        self.out = out
        self.limits = limits
        self.depth = depth
        self.parts_seen = 0

    def _too_deep(self) -> None:
        if not any(isinstance(r, TooComplexToRead) for r in self.out.refusals):
            self.out.refuse(
                TooComplexToRead(
                    f"MIME parts nested more than {MAX_MIME_NESTING} deep; the deeper not read",
                    f"Wiadomość ma części zagnieżdżone głębiej niż {MAX_MIME_NESTING} poziomów "
                    "— głębsze części nie zostały odczytane.",
                )
            )

    def body_text(self, part: Message, nesting: int = 0) -> str:
        """The text a reader sees: the preferred alternative, inline text parts in order."""
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            return ""  # an attached message is read on its own, not as this one's text
        if part.is_multipart():
            if nesting >= MAX_MIME_NESTING:
                self._too_deep()
                return ""
            children = [p for p in part.get_payload() if isinstance(p, Message)]
            deeper = nesting + 1
            if ctype == "multipart/alternative":
                return self.body_text(_preferred_alternative(children), deeper) if children else ""
            if ctype == "multipart/related" and children:
                return self.body_text(children[0], deeper)
            if ctype == "multipart/report" and children:
                return self.body_text(children[0], deeper)
            texts = [self.body_text(c, deeper) for c in children if not _is_attachment(c)]
            return "\n\n".join(t for t in texts if t.strip())
        if ctype in ("text/plain", "text/html") and not _is_attachment(part):
            return _part_text(part, self.out.notes)
        return ""

    def collect(self, part: Message, parent_type: str = "", nesting: int = 0) -> None:
        """Walk every branch (attachments hide in the non-preferred alternative too)."""
        self.parts_seen += 1
        if self.parts_seen > MAX_PARTS:
            if self.parts_seen == MAX_PARTS + 1:
                self.out.refuse(
                    TooComplexToRead(
                        f"more than {MAX_PARTS} MIME parts; the rest not read",
                        f"Wiadomość ma więcej niż {MAX_PARTS} części — dalsze części nie "
                        "zostały odczytane.",
                    )
                )
            return
        if nesting > MAX_MIME_NESTING:
            self._too_deep()
            return
        ctype = part.get_content_type()
        if ctype in REPORT_PART_TYPES:
            if ctype == "text/rfc822-headers":
                self.out.returned_headers.append(_payload_bytes(part).decode("utf-8", "replace"))
            return
        if ctype == "message/rfc822" and parent_type == "multipart/report":
            self._returned_original(part)
            return
        if ctype == "message/rfc822":
            self._embedded_message(part)
            return
        if part.is_multipart():
            for child in part.get_payload():
                if isinstance(child, Message):
                    self.collect(child, parent_type=ctype, nesting=nesting + 1)
            return
        if _is_inline_image(part, parent_type) or ctype in SIGNATURE_TYPES:
            return
        if not _is_attachment(part) and ctype in ("text/plain", "text/html"):
            return
        self._attachment(part)

    def _add_file(self, filename: str, content_type: str, data: bytes) -> DecodedAttachment:
        size = len(data)
        digest = hashlib.sha256(data).hexdigest()
        too_large = size > self.limits.max_attachment_bytes
        if too_large:
            self.out.refuse(
                TooLargeToRead(
                    f"attachment {filename} is {size / MB:.1f} MB, over the "
                    f"{self.limits.max_attachment_bytes / MB:.0f} MB limit; not read",
                    f"Załącznik „{filename[:200]}” ma {size / MB:.1f} MB, więcej niż dozwolone "
                    f"{self.limits.max_attachment_bytes / MB:.0f} MB — nie został odczytany.",
                )
            )
        item = DecodedAttachment(
            filename, content_type, b"" if too_large else data, size, digest, too_large
        )
        self.out.attachments.append(item)
        return item

    def _attachment(self, part: Message) -> None:
        ctype = part.get_content_type()
        filename = _filename(part) or "attachment" + (mimetypes.guess_extension(ctype) or ".bin")
        data = _payload_bytes(part)
        if is_tnef(filename, ctype):
            self._tnef(filename, data)
            return
        item = self._add_file(filename, ctype, data)
        if is_outlook_msg(filename, ctype) and not item.too_large:
            content = open_outlook_msg(data)
            if content.refusal:
                self.out.refuse(content.refusal)
                return
            inner = _with_headers(
                DecodedMessage(message=email.message_from_string(content.headers + "\n\n"))
            )
            sender = email.utils.parseaddr(content.sender)
            inner.sender = inner.sender or sender[1].lower()
            inner.sender_name = inner.sender_name or sender[0]
            inner.subject = inner.subject or content.subject
            inner.text = content.text
            inner_walker = _Walker(inner, self.limits, self.depth + 1)
            for file in content.files:
                inner_walker._add_file(file.filename, file.content_type, file.data)
            self.out.embedded.append(inner)

    def _tnef(self, filename: str, data: bytes) -> None:
        """winmail.dat is a wrapper, not a file: list what it holds instead."""
        if len(data) > self.limits.max_attachment_bytes:
            self._add_file(filename, "application/ms-tnef", data)
            return
        content = open_tnef(data)
        if content.refusal:
            self.out.refuse(content.refusal)
            self._add_file(filename, "application/ms-tnef", data)
            return
        for file in content.files:
            self._add_file(file.filename, file.content_type, file.data)
        if content.text.strip() and not self.out.text.strip():
            self.out.text = content.text

    def _returned_original(self, part: Message) -> None:
        """The original a bounce returns: its headers tell which inquiry it was."""
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            lines = [f"{name}: {header_text(inner, name)}" for name in dict.fromkeys(inner.keys())]
            self.out.returned_headers.append("\n".join(lines))

    def _embedded_message(self, part: Message) -> None:
        payload = part.get_payload()
        inner_msg = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner_msg, Message):
            return
        if self.depth >= MAX_DEPTH:
            # Checked before the inner message is written out again: each level would
            # otherwise copy all the levels inside it.
            self.out.refuse(
                TooComplexToRead(
                    "messages nested too deeply; the innermost not read",
                    f"Wiadomość zawiera wiadomości załączone jedna w drugiej głębiej niż "
                    f"{MAX_DEPTH} poziomów — najgłębsze nie zostały odczytane.",
                )
            )
            return
        try:
            raw = inner_msg.as_bytes()
        except Exception:
            raw = inner_msg.as_string().encode("utf-8", errors="replace")
        inner = decode_message(raw, self.limits, depth=self.depth + 1)
        name = _filename(part) or f"{inner.subject or 'wiadomosc'}.eml"
        self._add_file(name, "message/rfc822", raw)
        self.out.embedded.append(inner)


def _preferred_alternative(children: list[Message]) -> Message:
    """text/plain over HTML: a plain part is what the sender's client wrote as text."""

    def has_plain(part: Message) -> bool:
        if part.is_multipart():
            return any(has_plain(c) for c in part.get_payload() if isinstance(c, Message))
        return part.get_content_type() == "text/plain" and not _is_attachment(part)

    for child in children:
        if has_plain(child):
            return child
    return children[-1]


def _headers_only(raw: bytes) -> Message:
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    head = raw[: end if end >= 0 else min(len(raw), 256 * 1024)]
    return email.message_from_bytes(head + b"\n\n")


# Bytes a line of base64 may hold. A line of only these is never a MIME boundary ("--"), a
# header (":"), a continuation (leading white space) or a blank line, so the email parser
# treats a run of them as plain body lines; it just spends ~2.5 µs on each, which for a
# 150 KB attachment is most of the parse.
_BASE64_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Two line breaks in a row (\n\n, \n\r\n, \n\r): a blank line. (\r\r, the fourth way, turns
# the search off; the pattern starts with a plain \n so the regex engine can skip ahead.)
_EMPTY_LINE = re.compile(rb"\n[\r\n]")
# Runs shorter than this are not worth a marker.
_MIN_RUN_LINES = 32


def _base64_runs(raw: bytes) -> list[tuple[int, int]]:
    """(start, end) of runs of base64 lines that begin after a blank line (a part's body).

    A run holds no blank line, and the last line before whatever ends it (a boundary, a
    blank line) stays outside, so the parser still sees the real line that precedes a
    boundary (it strips that line's line break).
    """
    runs: list[tuple[int, int]] = []
    if b"\r\r" in raw:
        return runs
    empties = [match.start() for match in _EMPTY_LINE.finditer(raw)]
    # The next boundary-like line at or after a position. Starts only grow, so it is found
    # again only once passed: searching afresh at each blank line re-scanned the rest of the
    # message each time (100 000 blank lines took 12 s).
    dash = -1
    for index, at in enumerate(empties):
        if raw[at : at + 2] == b"\n\n":
            start = at + 2
        elif raw[at : at + 3] == b"\n\r\n":
            start = at + 3
        else:
            continue
        if runs and start < runs[-1][1]:
            continue
        # A run ends at the next boundary line at the latest, or earlier at a blank line.
        if dash < start and dash != len(raw) - 1:
            dash = raw.find(b"\n-", start)
            dash = len(raw) - 1 if dash < 0 else dash
        stop = dash
        if index + 1 < len(empties):
            stop = min(stop, empties[index + 1])
        # Everything up to the line break that begins the last line before ``stop``.
        end = raw.rfind(b"\n", start, stop) + 1
        if end <= start or raw[start : start + 1] in (b"\r", b"\n"):
            continue
        region = raw[start:end]
        if region.count(b"\n") >= _MIN_RUN_LINES and not region.translate(
            None, _BASE64_BYTES + b"\r\n"
        ):
            runs.append((start, end))
    return runs


def parse_bytes(raw: bytes) -> Message:
    """``email.message_from_bytes(raw)``, the same tree, several times faster for attachments.

    Every run of base64 lines is swapped for one marker line before parsing and put back into
    the payloads afterwards: the parser builds the same tree around one body line as around
    many. Should any marker not come back exactly once, the message is parsed again the
    ordinary way.
    """
    runs = _base64_runs(raw)
    if not runs:
        return email.message_from_bytes(raw)
    nonce = hashlib.sha256(raw[:4096]).hexdigest()[:16].encode()
    if nonce in raw:
        return email.message_from_bytes(raw)
    pieces: list[bytes] = []
    originals: dict[str, str] = {}
    position = 0
    for number, (start, end) in enumerate(runs):
        # Letters and digits only, like the lines it stands for.
        marker = b"MailflowRun" + nonce + b"N" + str(number).encode() + b"\n"
        pieces += [raw[position:start], marker]
        originals[marker.decode("ascii")] = raw[start:end].decode("ascii")
        position = end
    pieces.append(raw[position:])
    message = email.message_from_bytes(b"".join(pieces))
    if _restore_runs(message, originals) != len(originals):
        return email.message_from_bytes(raw)
    return message


def _restore_runs(message: Message, originals: dict[str, str]) -> int:
    """Put the base64 runs back in place of their markers; returns how many were restored."""
    restored = 0
    for part in message.walk():
        for attribute in ("_payload", "preamble", "epilogue"):
            value = getattr(part, attribute, None)
            if not isinstance(value, str) or "MailflowRun" not in value:
                continue
            for marker, original in originals.items():
                count = value.count(marker)
                if count:
                    value = value.replace(marker, original)
                    restored += count
            setattr(part, attribute, value)
    return restored


def decode_message(raw: bytes, limits: Limits | None = None, depth: int = 0) -> DecodedMessage:
    """Decode one raw message. Problems are listed in ``problems``; nothing raises."""
    limits = limits or Limits()
    if len(raw) > limits.max_message_bytes:
        out = _with_headers(DecodedMessage(message=_headers_only(raw)))
        out.refuse(
            TooLargeToRead(
                f"message is {len(raw) / MB:.1f} MB, over the "
                f"{limits.max_message_bytes / MB:.0f} MB limit; only its headers were read",
                f"Wiadomość ma {len(raw) / MB:.1f} MB, więcej niż dozwolone "
                f"{limits.max_message_bytes / MB:.0f} MB — odczytano tylko jej nagłówki.",
            )
        )
        return out
    # The compat32 policy: several times faster than policy.default, and headers are
    # decoded here anyway (leniently, which real mail needs).
    try:
        parsed = parse_bytes(raw)
    except RecursionError:  # the standard parser recurses for parts inside attached messages
        out = _with_headers(DecodedMessage(message=_headers_only(raw)))
        out.refuse(
            TooComplexToRead(
                "message parts nested too deeply to be parsed; only its headers were read",
                "Wiadomość ma zbyt głęboko zagnieżdżoną budowę — odczytano tylko jej nagłówki.",
            )
        )
        return out
    out = _with_headers(DecodedMessage(message=parsed))
    walker = _Walker(out, limits, depth)
    out.text = walker.body_text(parsed)
    walker.collect(parsed)
    return out


def _with_headers(out: DecodedMessage) -> DecodedMessage:
    msg = out.message
    senders = address_list(msg, "From")
    if senders:
        out.sender_name, out.sender = senders[0]
    out.subject = header_text(msg, "Subject")
    out.message_id = header_text(msg, "Message-ID")
    out.in_reply_to = header_text(msg, "In-Reply-To")
    out.references = header_text(msg, "References")
    return out
