"""Turning the bytes of a text part into text, whatever charset the client claims.

Polish mail arrives as UTF-8, ISO-8859-2 or windows-1250, and clients often label it wrongly
(8-bit UTF-8 sent as us-ascii, windows-1250 labelled ISO-8859-2, no label at all). The declared
charset is tried first and checked; charset-normalizer is the fallback, never the first guess,
because on short Polish texts its guess is less reliable than a correct label.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Labels that clients put on text they did not really inspect: 8-bit content under these
# labels is more often UTF-8 than what the label says.
_CARELESS_LABELS = {"us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "windows-1252"}
# C1 control characters never occur in real text; after decoding ISO-8859-2 they betray
# windows-1250 bytes (Ś ś Ź ź ą and typographic quotes live in 0x80-0x9F there).
_POLISH_CODE_PAGES = ["utf_8", "cp1250", "iso8859_2"]
_C1_CONTROLS = re.compile("[\x80-\x9f]")


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip('"').lower()).name
    except LookupError:
        return None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_text(data: bytes, declared: str | None) -> tuple[str, str | None]:
    """Decode ``data``; returns the text and a note when the declared charset was not used."""
    if data.isascii():
        return data.decode("ascii"), None
    codec = _codec(declared)
    if codec is None or codec in {_codec(label) for label in _CARELESS_LABELS}:
        as_utf8 = _strict(data, "utf-8")
        if as_utf8 is not None:
            note = None if codec is None and not declared else f"text labelled {declared} is UTF-8"
            return as_utf8, note
    if codec is not None:
        text = _strict(data, codec)
        if text is not None and not (codec == "iso8859-2" and _C1_CONTROLS.search(text)):
            return text, None
        if codec == "iso8859-2":
            text = _strict(data, "cp1250")
            if text is not None:
                return text, f"text labelled {declared} is windows-1250"
    # Polish mail comes in few code pages; guessing among them first keeps a short text
    # from being taken for an Asian code page on the strength of one byte.
    guess = from_bytes(data, cp_isolation=_POLISH_CODE_PAGES).best() or from_bytes(data).best()
    if guess is not None:
        return str(guess), f"charset {declared or 'missing'} guessed as {guess.encoding}"
    return data.decode(codec or "utf-8", errors="replace"), (
        f"text in charset {declared or 'missing'} could not be decoded cleanly"
    )
