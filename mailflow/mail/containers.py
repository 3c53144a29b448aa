"""Microsoft containers found as attachments: TNEF ``winmail.dat`` and Outlook ``.msg``.

Outlook sometimes wraps a whole message (text and attachments) into ``winmail.dat``, and
people forward mail by dragging it into a new message, which attaches a ``.msg`` file. Both
are opened with well-kept libraries (tnefparse, extract-msg) and returned as plain values; a
broken container is a reason, never a crash.
"""

from __future__ import annotations

import io
import logging
import mimetypes
from dataclasses import dataclass, field

from mailflow.errors import BrokenFile
from mailflow.mail.charsets import decode_text
from mailflow.mail.htmltext import html_to_text

# Both libraries log every oddity they meet; their log lines are noise for us because a
# broken container is reported as a reason.
logging.getLogger("tnefparse").setLevel(logging.ERROR)
logging.getLogger("extract_msg").setLevel(logging.ERROR)

TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
MSG_TYPES = {"application/vnd.ms-outlook", "application/x-msg"}


@dataclass
class ContainerFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ContainerContent:
    """What a container holds: its message text and its files."""

    text: str = ""
    sender: str = ""
    subject: str = ""
    headers: str = ""  # the internet headers Outlook kept (In-Reply-To, References ...)
    files: list[ContainerFile] = field(default_factory=list)
    refusal: BrokenFile | None = None  # why the container could not be opened

    @property
    def problem(self) -> str | None:
        return None if self.refusal is None else str(self.refusal)


def _broken_tnef() -> ContainerContent:
    return ContainerContent(
        refusal=BrokenFile(
            "winmail.dat could not be read (not a valid TNEF file)",
            "Załącznik „winmail.dat” (kontener programu Outlook) jest uszkodzony — jego "
            "zawartość nie została odczytana.",
        )
    )


def _broken_msg() -> ContainerContent:
    return ContainerContent(
        refusal=BrokenFile(
            "Outlook .msg could not be read (not a valid Outlook message file)",
            "Załączona wiadomość programu Outlook (plik .msg) jest uszkodzona — nie została "
            "odczytana.",
        )
    )


def is_tnef(filename: str, content_type: str) -> bool:
    return content_type in TNEF_TYPES or filename.lower() == "winmail.dat"


def is_outlook_msg(filename: str, content_type: str) -> bool:
    return content_type in MSG_TYPES or filename.lower().endswith(".msg")


def _guess_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _as_text(value: object, charset: str | None = None) -> str:
    if isinstance(value, bytes):
        return decode_text(value.rstrip(b"\x00"), charset)[0]
    return str(value) if value else ""


def open_tnef(data: bytes) -> ContainerContent:
    """The body and attachments of a TNEF ``winmail.dat``."""
    from tnefparse import TNEF

    try:
        tnef = TNEF(data)
    except Exception:  # the library raises anything from ValueError to IndexError
        return _broken_tnef()
    try:
        text = _as_text(tnef.body, tnef.codepage).strip("\x00")
        if not text.strip() and tnef.htmlbody:
            text = html_to_text(_as_text(tnef.htmlbody, tnef.codepage))
        files = []
        for attachment in tnef.attachments:
            name = attachment.long_filename() or attachment.name or "attachment.bin"
            name = _as_text(name).strip("\x00")
            files.append(ContainerFile(name, _guess_type(name), bytes(attachment.data)))
    except Exception:  # attributes of a damaged file fail only when read
        return _broken_tnef()
    return ContainerContent(text=text, files=files)


def open_outlook_msg(data: bytes) -> ContainerContent:
    """The sender, subject, body and attachments of an Outlook ``.msg`` file."""
    import extract_msg

    try:
        # A file object, because extract-msg takes short bytes for a file name.
        msg = extract_msg.openMsg(io.BytesIO(data))
    except Exception:  # extract-msg raises many kinds of error on broken files
        return _broken_msg()
    try:
        text = _as_text(getattr(msg, "body", "") or "")
        html = getattr(msg, "htmlBody", None)
        if not text.strip() and html:
            text = html_to_text(_as_text(html))
        files = []
        for attachment in getattr(msg, "attachments", []):
            payload = getattr(attachment, "data", None)
            if not isinstance(payload, bytes):
                continue  # an embedded message or OLE object: not a file we can list
            name = attachment.longFilename or attachment.shortFilename or "attachment.bin"
            files.append(ContainerFile(name, _guess_type(name), payload))
        headers = _as_text(getattr(msg, "headerText", "") or "")
        if headers.startswith("Microsoft Mail Internet Headers Version 2.0"):
            headers = headers[43:].lstrip()
        return ContainerContent(
            text=text,
            sender=_as_text(getattr(msg, "sender", "") or ""),
            subject=_as_text(getattr(msg, "subject", "") or ""),
            headers=headers,
            files=files,
        )
    except Exception:
        return _broken_msg()
    finally:
        msg.close()
