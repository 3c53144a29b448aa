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


# A real charset label is short and printable; anything else is not worth a lookup.
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:+-]{0,39}")
# Text codecs that are not charsets of mail: Python escapes, domain-name encodings (punycode
# decoding is quadratic) and the codec that always fails.
_NOT_CHARSETS = {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"}


def _codec(label: str | None) -> str | None:
    """The Python text codec a label names; None for an unknown label or a non-text codec.

    ``codecs.lookup`` also finds byte-to-byte codecs ("zlib_codec", "hex", "base64") and
    text-to-text ones ("rot13"): a sender must never make us inflate or transform data by
    naming one, so only codecs marked as text encodings count.
    """
    if not label:
        return None
    name = label.strip().strip('"').lower()
    if not _LABEL.fullmatch(name):
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError, ValueError):
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
