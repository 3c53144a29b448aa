"""A small stdlib-only reader of raw messages into :class:`ReplyText`.

``mailflow.mail.parse`` is the real message reader; this fallback exists so that forwarded
messages attached as .eml can be read here, and so that tests and the benchmark can run
before (or without) it. It takes the text/plain body (or HTML stripped of tags), separates the
quoted history and the signature, and lists the real attachments.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from email.message import EmailMessage, Message
from email.utils import parseaddr

from mailflow.reading.model import Attachment, ReplyText
from mailflow.reading.text import split_quoted, split_signature, unwrap_flowed


def _text_of(part: Message) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else ""
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    content = content.replace("\r\n", "\n")
    if part.get_content_type() == "text/html":
        content = re.sub(r"(?is)<(script|style).*?</\1>", " ", content)
        content = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>", "\n", content)
        content = html.unescape(re.sub(r"<[^>]+>", "", content))
    if str(part.get_param("format", "")).lower() == "flowed":
        content = unwrap_flowed(content)
    return content


def _leaf_parts(part: Message) -> list[Message]:
    """Leaf parts in order; an attached message is one leaf (its insides are not ours)."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        return [part]
    payload = part.get_payload()
    children = payload if isinstance(payload, list) else []
    return [leaf for child in children if isinstance(child, Message) for leaf in _leaf_parts(child)]


def _attachments(message: EmailMessage) -> tuple[Attachment, ...]:
    found = []
    for part in _leaf_parts(message):
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if disposition == "inline" or (disposition != "attachment" and not filename):
            continue
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            data = first.as_bytes() if isinstance(first, Message) else b""
        else:
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
        found.append(Attachment(filename or "attachment", part.get_content_type(), data))
    return tuple(found)


def reply_from_bytes(raw: bytes) -> ReplyText:
    """A :class:`ReplyText` from a raw RFC 5322 message (best effort, never raises on junk)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body_part = message.get_body(preferencelist=("plain", "html"))
    body = _text_of(body_part) if body_part is not None else ""
    new_text, quoted = split_quoted(body)
    new_text, signature = split_signature(new_text)
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    return ReplyText(
        sender=sender,
        subject=str(message.get("Subject", "")),
        new_text=new_text,
        quoted_text=quoted,
        signature=signature,
        attachments=_attachments(message),
    )
