"""Recognising bounces: which recipient failed, the status, permanent or not, and the original.

Standard reports (RFC 3464 ``multipart/report; report-type=delivery-status``) are read field
by field. Servers that still send free-text notices (old Exchange, qmail, some hosted mail)
are recognised by sender and subject, and their text is searched for the enhanced status code
and the failed address; what cannot be found stays ``None`` and the caller flags it.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email.message import Message

from mailflow.mail.decode import DecodedMessage, header_param, header_text

_BOUNCE_SENDER = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|microsoftexchange\w*)@", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliverable|undelivered mail|undeliverable mail|delivery status notification|"
    r"delivery (has )?failed|delivery failure|failure notice|mail delivery failed|"
    r"returned mail|delivery delayed|delayed mail|warning: could not send|"
    r"niedostarczalne|niedostarczona|nie można dostarczyć|nie dostarczono|"
    r"zwrócona wiadomość|opóźnienie (dostarczenia|doręczenia)|dostarczanie opóźnione|"
    r"wiadomość niedostarczona|unzustellbar)",
    re.IGNORECASE,
)
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_TEMPORARY_WORDS = re.compile(
    r"delayed|still being retried|will be retried|will continue to be attempted|warning only|"
    r"opóźnion|ponawian|kolejna próba",
    re.IGNORECASE,
)
# The local part starts where its run of characters starts and is at most 64 long (see
# quoting._ADDRESS): a long run of letters is then read once, not once per letter.
_ADDRESS = re.compile(r"(?<![\w.+'-])[\w.+'-]{1,64}@[\w-]+(?:\.[\w-]+)+")


@dataclass
class Bounce:
    recipient: str | None
    status: str | None  # enhanced status code, e.g. "5.1.1"
    permanent: bool
    original_message_id: str | None = None
    diagnostic: str = ""
    standard: bool = True  # an RFC 3464 report (False: recognised from free text)

    def to_json(self) -> dict[str, object]:
        return {
            "recipient": self.recipient,
            "status": self.status,
            "permanent": self.permanent,
            "original_message_id": self.original_message_id,
            "diagnostic": self.diagnostic,
        }


def _delivery_status_blocks(message: Message) -> list[Message]:
    """The per-message and per-recipient field groups of every delivery-status part."""
    blocks: list[Message] = []
    for part in message.walk():
        if part.get_content_type() not in (
            "message/delivery-status",
            "message/global-delivery-status",
        ):
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            blocks += [p for p in payload if isinstance(p, Message)]
        elif isinstance(payload, str):
            for chunk in re.split(r"\r?\n\s*\r?\n", payload):
                blocks.append(email.message_from_string(chunk + "\n\n"))
    return blocks


def _field_value(block: Message, name: str) -> str:
    value = header_text(block, name)
    # "rfc822; someone@example.pl" and "smtp; 550 5.1.1 ..." carry a type before the value.
    return value.split(";", 1)[1].strip() if ";" in value else value.strip()


def _original_message_id(decoded: DecodedMessage) -> str | None:
    for returned in decoded.returned_headers:
        match = re.search(r"^Message-ID:\s*(<[^>]+>)", returned, re.IGNORECASE | re.MULTILINE)
        if match:
            return match.group(1)
    match = re.search(r"Message-ID:\s*(<[^>\s]+>)", decoded.text, re.IGNORECASE)
    return match.group(1) if match else None


def _standard_bounce(decoded: DecodedMessage) -> Bounce | None:
    for block in _delivery_status_blocks(decoded.message):
        action = _field_value(block, "Action").lower()
        recipient = _field_value(block, "Final-Recipient") or _field_value(
            block, "Original-Recipient"
        )
        if not recipient or action not in ("failed", "delayed"):
            continue
        status_match = _STATUS.search(_field_value(block, "Status"))
        status = status_match.group(0) if status_match else None
        permanent = action == "failed" and (status is None or status.startswith("5"))
        return Bounce(
            recipient=recipient.strip("<>").lower(),
            status=status,
            permanent=permanent,
            original_message_id=_original_message_id(decoded),
            diagnostic=_field_value(block, "Diagnostic-Code"),
        )
    return None


def _free_text_bounce(decoded: DecodedMessage, own_addresses: set[str]) -> Bounce:
    text = decoded.text
    status_match = _STATUS.search(text)
    status = status_match.group(0) if status_match else None
    ignored = own_addresses | {decoded.sender}
    recipients = [
        a.lower()
        for a in _ADDRESS.findall(text)
        if a.lower() not in ignored
        and not _BOUNCE_SENDER.match(a)
        and "+" not in a  # our own plus-address quoted back
    ]
    if status is not None:
        permanent = status.startswith("5")
    else:
        permanent = not _TEMPORARY_WORDS.search(decoded.subject + "\n" + text)
    return Bounce(
        recipient=recipients[0] if recipients else None,
        status=status,
        permanent=permanent,
        original_message_id=_original_message_id(decoded),
        standard=False,
    )


def looks_like_bounce(decoded: DecodedMessage) -> bool:
    message = decoded.message
    if message.get_content_type() == "multipart/report" and (
        header_param(message, "report-type").lower() == "delivery-status"
    ):
        return True
    from_daemon = bool(_BOUNCE_SENDER.match(decoded.sender))
    bounce_subject = bool(_BOUNCE_SUBJECT.match(decoded.subject))
    has_status = bool(_STATUS.search(decoded.text))
    # A daemon's notice, or a bounce subject with a status code (forwarded by a gateway).
    return (from_daemon and (bounce_subject or has_status)) or (bounce_subject and has_status)


def read_bounce(decoded: DecodedMessage, own_addresses: set[str] | None = None) -> Bounce | None:
    """The bounce this message reports, or None when it is not a bounce.

    A delivery report that only says "delivered" (Action: delivered/relayed) is no bounce.
    """
    if not looks_like_bounce(decoded):
        return None
    bounce = _standard_bounce(decoded)
    if bounce is not None:
        return bounce
    if _delivery_status_blocks(decoded.message) and not _STATUS.search(decoded.text):
        return None  # a success notification
    return _free_text_bounce(decoded, own_addresses or set())
