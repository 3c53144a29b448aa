"""Finding our correlation token anywhere in a message, and saying where it was found.

The token (format in :mod:`mailflow.tokens`) can be in the plus-address a reply goes to, in
our Message-IDs in In-Reply-To/References, in the subject tag, inside a returned or forwarded
original, or in a quoted header or subject line. Places are tried from the most to the least
direct; a token alone never authorises anything (the caller checks the sender).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message

from mailflow import tokens
from mailflow.mail.decode import DecodedMessage, decode_words, raw_header_values

ADDRESS_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To", "Resent-To")
_TOKEN_HEADERS = (*ADDRESS_HEADERS, "In-Reply-To", "References", "Subject")
# A plus-address is found from its "+token@" middle, which starts with a literal the regex
# engine skips ahead to; the local part before it is read from a bounded window. A pattern
# that starts with the local part (``[\w.-]+\+...``) tries every letter of a long run as the
# start of an address and backtracks over the rest: quadratic (100 000 letters took 16 s).
_PLUS_MIDDLE = re.compile(r"\+([0-9a-z]{8,16})@([\w-]+(?:\.[\w-]+)+)", re.IGNORECASE)
_LOCAL_PART = re.compile(r"[\w.-]+\Z")
MAX_LOCAL_PART = 64  # RFC 5321
# The header fields correlation needs, with their folded continuation lines.
_WANTED_FIELD = re.compile(
    rb"^(" + b"|".join(re.escape(n.encode()) for n in _TOKEN_HEADERS) + rb"):[ \t]*"
    rb"(.*(?:\r?\n[ \t].*)*)",
    re.MULTILINE | re.IGNORECASE,
)
_END_OF_HEADERS = re.compile(rb"\r?\n\r?\n")

# Where a token was found, most direct first.
SOURCES = (
    "plus_address",
    "references",
    "subject_tag",
    "returned_original",
    "forwarded_original",
    "quoted_text",
    "body",
)


@dataclass(frozen=True)
class TokenHit:
    token: str
    source: str  # one of SOURCES


def _plus_tokens(text: str, own_address: str | None) -> list[str]:
    found = []
    for match in _PLUS_MIDDLE.finditer(text or ""):
        start = match.start()
        local = _LOCAL_PART.search(text, max(0, start - MAX_LOCAL_PART), start)
        if local is None:
            continue
        address = text[local.start() : match.end()]
        if own_address:
            token = tokens.token_from_address(address, own_address)
        else:
            # Offline (mailflow parse) the mailbox address may be unknown: any plus part that
            # has the exact token format is taken.
            token = match.group(1).lower() if tokens.is_token(match.group(1).lower()) else None
        if token:
            found.append(token)
    return found


def tokens_in_text(text: str, own_address: str | None = None) -> list[str]:
    """Tokens in free text: subject tags, our Message-IDs and plus-addresses."""
    found = [tag.token for tag in tokens.find_message_id_tags(text)]
    found += [m.group(3).lower() for m in tokens.TAG_RE.finditer(text or "")]
    found += _plus_tokens(text, own_address)
    return list(dict.fromkeys(found))


def _hits_in_headers(values: Mapping[str, list[str]], own_address: str | None) -> list[TokenHit]:
    """Tokens in raw header values (lower-case names), most direct place first."""
    addresses = " ".join(v for name in ADDRESS_HEADERS for v in values.get(name.lower(), []))
    hits = [TokenHit(t, "plus_address") for t in _plus_tokens(addresses, own_address)]
    refs = " ".join(values.get("in-reply-to", []) + values.get("references", []))
    hits += [TokenHit(tag.token, "references") for tag in tokens.find_message_id_tags(refs)]
    subject = " ".join(values.get("subject", []))
    tag = tokens.find_tag(subject)
    lowered = subject.lower()
    if tag is None and "=?" in subject and ("?b?" in lowered or "in13" in lowered):
        # The tag may sit inside an encoded word: Outlook base64-encodes Polish subjects, and
        # Q-encoding leaves the letters of "IN13" readable, so only then is decoding needed.
        tag = tokens.find_tag(decode_words(subject))
    if tag:
        hits.append(TokenHit(tag.token, "subject_tag"))
    return hits


def _message_header_values(message: Message) -> dict[str, list[str]]:
    return {name.lower(): raw_header_values(message, name) for name in _TOKEN_HEADERS}


def _scan_header_section(header_bytes: bytes) -> dict[str, list[str]]:
    """The few header fields correlation needs, read straight from the raw bytes.

    The intake triages every new message of a busy shared mailbox by its headers, so this
    avoids building a full email.message.Message.
    """
    end = _END_OF_HEADERS.search(header_bytes)
    section = header_bytes[: end.start()] if end else header_bytes
    values: dict[str, list[str]] = {}
    for match in _WANTED_FIELD.finditer(section):
        value = match.group(2).decode("utf-8", errors="replace")
        values.setdefault(match.group(1).decode().lower(), []).append(" ".join(value.split()))
    return values


def tokens_in_headers(header_bytes: bytes, own_address: str) -> set[str]:
    """Tokens in the headers alone (plus-address, References/In-Reply-To, subject tag).

    The IMAP intake calls this on ``BODY.PEEK[HEADER]`` to decide whether a message is ours
    without downloading it.
    """
    hits = _hits_in_headers(_scan_header_section(header_bytes), own_address or None)
    return {hit.token for hit in hits}


def find_tokens(
    decoded: DecodedMessage, quoted_text: str = "", own_address: str | None = None
) -> list[TokenHit]:
    """Every token in the message with where it was found, most direct place first."""
    values = _message_header_values(decoded.message)
    values["subject"] = [decoded.subject]  # decoded already; an Outlook .msg has no header
    hits = _hits_in_headers(values, own_address)
    for returned in decoded.returned_headers:
        hits += [TokenHit(t, "returned_original") for t in tokens_in_text(returned, own_address)]
    for inner in decoded.embedded:
        for hit in find_tokens(inner, "", own_address):
            hits.append(TokenHit(hit.token, "forwarded_original"))
    hits += [TokenHit(t, "quoted_text") for t in tokens_in_text(quoted_text, own_address)]
    hits += [TokenHit(t, "body") for t in tokens_in_text(decoded.text, own_address)]
    unique = list(dict.fromkeys(hits))
    return sorted(unique, key=lambda hit: SOURCES.index(hit.source))
