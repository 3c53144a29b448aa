"""Message understanding: decoding, auto-reply and bounce recognition, quoting, correlation.

Pure functions of the raw bytes (no network, no database), shared by the IMAP intake and
``mailflow parse``. The entry points are :func:`parse_message` / :func:`parse_file` and, for
the intake's header-only triage, :func:`tokens_in_headers`.
"""

from mailflow.mail.correlate import TokenHit, find_tokens, tokens_in_headers
from mailflow.mail.decode import DecodedMessage, Limits, decode_message
from mailflow.mail.parse import ParsedMessage, parse_file, parse_message

__all__ = [
    "DecodedMessage",
    "Limits",
    "ParsedMessage",
    "TokenHit",
    "decode_message",
    "find_tokens",
    "parse_file",
    "parse_message",
    "tokens_in_headers",
]
