"""Reading what people write back: quotes, declines, questions, decisions, progress, results.

This is the seam between message understanding (``mailflow.mail``: MIME decoding, auto-reply
and bounce detection, quoted-history separation, correlation) and reply reading (this
package). ``mailflow.mail`` builds a :class:`ReplyText` from a decoded message and calls
:func:`read_reply`; everything here is a pure function of that value (no I/O, no database).
"""

from __future__ import annotations

from mailflow.reading.model import (
    KINDS,
    QUOTE_SOURCES,
    Attachment,
    Decision,
    Progress,
    Quote,
    Reading,
    ReplyText,
)
from mailflow.reading.reply import ReadingLimits, read_reply

__all__ = [
    "KINDS",
    "QUOTE_SOURCES",
    "Attachment",
    "Decision",
    "Progress",
    "Quote",
    "Reading",
    "ReadingLimits",
    "ReplyText",
    "read_reply",
]
