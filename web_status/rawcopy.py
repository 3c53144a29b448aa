"""A raw message as the page may hand it out: every token of ours masked, encodings kept.

The archive keeps the message as it arrived (the evidence); a download from the page is a
copy in which subject tags, Message-IDs and plus-addresses no longer carry a usable token,
also inside base64 or quoted-printable parts, where a byte search would miss them.
"""

from __future__ import annotations

import base64
import email
import email.policy
import quopri
from email.message import Message

from mailflow.tokens import mask_tokens

# Bytes only: "•" has no place in a header or a 7-bit body, and "_" is not a token letter.
FILLER = "_" * 6


class CannotMask(Exception):
    """The message is too odd to rewrite safely (e.g. nested beyond the parser's depth)."""


def _mask_headers(part: Message, own: str) -> None:
    for name, value in list(part.items()):
        masked = mask_tokens(str(value), own, FILLER)
        if masked != str(value):
            part.replace_header(name, masked)


def _mask_body(part: Message, own: str) -> None:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return
    text = payload.decode("latin-1")  # byte for byte: the masked copy keeps its charset
    masked = mask_tokens(text, own, FILLER)
    if masked == text:
        return
    data = masked.encode("latin-1")
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding == "base64":
        part.set_payload(base64.encodebytes(data).decode("ascii"))
    elif encoding == "quoted-printable":
        part.set_payload(quopri.encodestring(data).decode("ascii"))
    else:
        part.set_payload(data.decode("latin-1"))


def masked_copy(raw: bytes, own_address: str) -> bytes:
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
        for part in message.walk():
            _mask_headers(part, own_address)
            if not part.is_multipart():
                _mask_body(part, own_address)
        return message.as_bytes()
    except (RecursionError, LookupError, ValueError, TypeError) as error:
        raise CannotMask(type(error).__name__) from None
