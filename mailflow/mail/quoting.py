"""Separating what the sender wrote now from quoted history and from the signature.

Nothing quoted may count as what the sender said now: our own inquiry comes back below most
replies with amounts, dates and the city's NIP in it, and a routing e-mail comes back with
both "ZATWIERDZAM" and "ZWRACAM" in it. Clients mark the quote in different ways:
``>`` prefixes (Gmail, Thunderbird, Apple), an Outlook header block without any prefix
("Od: … Wysłano: … Temat:", "From: … Sent:", "-----Original Message-----"), an attribution
line ("W dniu … napisał(a):", "Wiadomość napisana przez … w dniu …:", "On … wrote:").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lines that start the quoted history by themselves.
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|oryginalna wiadomość|wiadomość oryginalna|"
    r"forwarded message|wiadomość przekazana dalej|przekazana wiadomość)\s*-{2,}|"
    r"_{20,}|"
    r"(begin forwarded message|początek przekazywanej wiadomości|"
    r"przekazana wiadomość|forwarded message)\s*:)\s*$",
    re.IGNORECASE,
)
# Attribution lines, possibly wrapped over two or three lines by the client.
_ATTRIBUTION_START = re.compile(
    r"^\s*(W dniu|Dnia|On|Am|Le|Wiadomość napisana przez|Użytkownik)\b", re.IGNORECASE
)
_ATTRIBUTION_END = re.compile(
    r"(napisał\(a\)|napisała?|pisze|wrote|schrieb|a écrit)\s*:\s*$", re.IGNORECASE
)
# Apple Mail: "Wiadomość napisana przez X w dniu 01.03.2027, o godz. 09:15:".
_APPLE_ATTRIBUTION = re.compile(r"^\s*(Wiadomość napisana przez|Użytkownik) ")
# Every attribution names a time or an address; a sentence that merely starts with
# "W dniu ..." and ends with a colon does not.
_TIME_OR_ADDRESS = re.compile(r"\d{1,2}:\d{2}|@")
# An Outlook / Notes header block: "Od:" or "From:" followed closely by the other fields.
_HEADER_FROM = re.compile(r"^\s*\**(Od|From|De|Von)\s*:\**\s*\S", re.IGNORECASE)
_HEADER_FIELD = re.compile(
    r"^\s*\**(Wysłano|Wysłane|Sent|Data|Date|Do|To|DW|Cc|Temat|Subject|Odp\. do)\s*:",
    re.IGNORECASE,
)
# Where a signature begins.
_SIGNATURE_DELIMITER = re.compile(r"^--\s?$")
_MOBILE_FOOTER = re.compile(
    r"^\s*(Wysłane z (mojego )?(iPhone|iPada|iPad|telefonu|urządzenia|Samsung|aplikacji)|"
    r"Sent from my|Sent from (Outlook|Mail)|Get Outlook for|Pobierz aplikację Outlook|"
    r"Wysłano z aplikacji|Wysłane przy użyciu)",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^\s*(?i:(z )?(poważaniem|pozdrowieniami|wyrazami szacunku)|pozdrawiam( serdecznie| "
    r"cieplutko)?|pozdrawiamy( serdecznie)?|serdecznie pozdrawiam|łączę (wyrazy szacunku|"
    r"pozdrowienia)|(best|kind|warm)?\s*regards|best wishes|sincerely|yours (sincerely|"
    r"faithfully)|cheers|mit freundlichen grüßen)"
    # Optionally a second language after a slash, or the name on the same line.
    r"(\s*/.{0,40}|,?\s+[A-ZĄĆĘŁŃÓŚŹŻ][\w.-]*(\s+[A-ZĄĆĘŁŃÓŚŹŻ][\w.-]*)?)?[,.!]?\s*$"
)
# Lines that make a trailing block a contact signature (name, firm, address, phone, NIP).
_CONTACT = re.compile(
    r"\b(tel|tel\.|telefon|kom|kom\.|fax|faks|mob|e-mail|email|www|NIP|REGON|KRS|ul\.|"
    r"al\.|sp\. z o\.o\.|s\.c\.|S\.A\.)(?=\W|$)",
    re.IGNORECASE,
)
_MONEY_WORDS = re.compile(r"\b(netto|brutto|cena|ceny|kwot\w*|VAT|PLN|EUR)\b|zł", re.IGNORECASE)


@dataclass(frozen=True)
class SplitText:
    new_text: str  # what the sender wrote now
    quoted_text: str  # quoted history (never a source of values)
    signature: str  # the signature block (NIP may be read from it, prices never)
    how_quoted: str  # "outlook_header", "attribution", "separator", "prefix" or "none"


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _is_apple_attribution(line: str) -> bool:
    """ "Wiadomość napisana przez X w dniu 01.03.2027, o godz. 09:15:" (Apple Mail).

    Read with ``find``: the pattern ``^(...) .* w dniu .*:\\s*$`` backtracked over the
    line once for every " w dniu " in it.
    """
    start = _APPLE_ATTRIBUTION.match(line)
    if start is None:
        return False
    words = line.find(" w dniu ", start.end())
    colon = line.rstrip().rfind(":")
    return words >= 0 and colon >= words + len(" w dniu ") and colon == len(line.rstrip()) - 1


def _attribution_at(lines: list[str], i: int) -> int | None:
    """The number of lines of an attribution starting at ``i``, if there is one."""
    line = lines[i].lstrip("> ").strip()
    if _is_apple_attribution(line):
        return 1
    if not _ATTRIBUTION_START.match(line):
        return None
    for span in range(3):
        if i + span >= len(lines):
            break
        joined = " ".join(lines[i : i + span + 1])
        if _ATTRIBUTION_END.search(lines[i + span].lstrip("> ").rstrip()):
            return span + 1 if _TIME_OR_ADDRESS.search(joined) else None
    return None


def _header_block_at(lines: list[str], i: int) -> bool:
    """An Outlook-style header block: From/Od followed by at least two more header fields."""
    if not _HEADER_FROM.match(lines[i].lstrip("> ")):
        return False
    fields = sum(1 for line in lines[i + 1 : i + 6] if _HEADER_FIELD.match(line.lstrip("> ")))
    return fields >= 2


def find_quote_start(lines: list[str]) -> tuple[int, str] | None:
    """Index of the first line of quoted history and how it was recognised."""
    for i, line in enumerate(lines):
        if _SEPARATOR.match(line):
            return i, "separator"
        if _header_block_at(lines, i):
            return i, "outlook_header"
        if _attribution_at(lines, i) is not None:
            return i, "attribution"
    return None


def _split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """(text lines, signature lines) of the new text."""
    for i, line in enumerate(lines):
        if _SIGNATURE_DELIMITER.match(line) or _MOBILE_FOOTER.match(line):
            text, signature = _split_signature(lines[:i])
            return text, signature + lines[i:]
    closings = [i for i, line in enumerate(lines) if _CLOSING.match(line)]
    if closings and closings[-1] > 0 and len(lines) - closings[-1] <= 15:
        return lines[: closings[-1]], lines[closings[-1] :]
    return _split_contact_block(lines)


def _split_contact_block(lines: list[str]) -> tuple[list[str], list[str]]:
    """A trailing paragraph of short lines with a phone, NIP or address is a signature."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and lines[start - 1].strip() and len(lines[start - 1]) <= 80:
        start -= 1
    block = lines[start:end]
    if (
        start > 0
        and len(block) >= 2
        and any(_CONTACT.search(line) for line in block)
        and not any(_MONEY_WORDS.search(line) for line in block)
    ):
        return lines[:start], lines[start:]
    return lines, []


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")


def split_reply(text: str) -> SplitText:
    """Split a body into new text, quoted history and signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found = find_quote_start(lines)
    how = "none"
    if found is not None:
        start, how = found
        head, quoted = lines[:start], lines[start:]
        if not any(line.strip() for line in head if not _is_quoted(line)):
            # Bottom-posting: the answer follows the "> " quote.
            last_quoted = max(i for i, line in enumerate(quoted) if _is_quoted(line) or i == 0)
            head = quoted[last_quoted + 1 :] if how == "attribution" else []
            quoted = quoted[: last_quoted + 1]
    else:
        head = lines
        quoted = []
    # ">"-prefixed lines are quoted wherever they are (inline answers between quotes).
    if any(_is_quoted(line) for line in head):
        how = "prefix" if how == "none" else how
        quoted = [line for line in head if _is_quoted(line)] + quoted
        head = [line for line in head if not _is_quoted(line)]
    new_lines, signature = _split_signature(head)
    return SplitText(_join(new_lines).strip(), _join(quoted), _join(signature).strip(), how)


@dataclass(frozen=True)
class ForwardedText:
    """A message forwarded inline: who wrote it, its subject and its text."""

    sender: str
    subject: str
    text: str


_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|fw|pd|przekaż|przekazane|tr|wg)\s*:", re.IGNORECASE)
# The local part starts where the run of its characters starts (the look-behind) and is at
# most 64 long: otherwise every letter of a long run is tried as a start (quadratic).
_ADDRESS = re.compile(r"(?<![\w.+'-])[\w.+'-]{1,64}@[\w-]+(\.[\w-]+)+")


def is_forward_subject(subject: str) -> bool:
    return _FORWARD_SUBJECT.match(subject or "") is not None


def forwarded_inline(text: str) -> ForwardedText | None:
    """The first message quoted under a header block (From/Od, Subject/Temat), if any."""
    lines = [line[2:] if line.startswith("> ") else line for line in text.split("\n")]
    for i, line in enumerate(lines):
        if not _header_block_at(lines, i):
            continue
        sender = _ADDRESS.search(line)
        subject = ""
        j = i + 1
        while j < len(lines) and _HEADER_FIELD.match(lines[j]):
            subject_match = re.match(r"^\s*\**(Temat|Subject)\s*:\**\s*(.*)$", lines[j], re.I)
            if subject_match:
                subject = subject_match.group(2).strip()
            j += 1
        body = "\n".join(lines[j:]).strip("\n")
        return ForwardedText(sender.group(0).lower() if sender else "", subject, body)
    return None
