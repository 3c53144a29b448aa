"""Plain-text hygiene: where quoted history starts, where a signature starts, and which lines
carry numbers that are never prices (phones, accounts, registry numbers, share capital...).

``mailflow.mail`` separates quoted history properly; the cut here is a second line of defence,
because a figure read from our own quoted inquiry is the worst mistake a reader can make.
"""

from __future__ import annotations

import re

# The first line of a quoted block, as Outlook, Gmail, Thunderbird, Apple Mail, iPhone,
# Notes and webmails write it (Polish and English UIs).
QUOTE_START = re.compile(
    r"^\s*(?:"
    r">|"
    r"-{2,}\s*(?:Original Message|Oryginalna wiadomość|Wiadomość oryginalna|Forwarded message|"
    r"Przekazana wiadomość|Wiadomość przekazana)\s*-{2,}|"
    r"_{10,}\s*$|"
    r"(?:W dniu|Dnia|On)\b.{0,200}(?:pisze|napisał\(a\)|napisała|napisał|wrote)\s*:\s*$|"
    r"Wiadomość napisana przez\b|"
    r"(?:Od|From)\s*:\s*.+$"
    r")",
    re.IGNORECASE,
)
# "W dniu ... <addr>" and "napisał(a):" may be split over two lines by the client.
WROTE_CONTINUATION = re.compile(r"^\s*(?:napisał\(a\)|napisała|napisał|wrote|pisze)\s*:\s*$", re.I)
HEADER_LINE = re.compile(
    r"^\s*(?:Wysłano|Wysłane|Sent|Date|Data|Do|To|Temat|Subject|DW|Cc)\s*:", re.IGNORECASE
)
SIGNATURE_START = re.compile(
    r"^(?:--\s?|__\s?|Wysłane z (?:iPhone|mojego|aplikacji).*|Sent from my .*|"
    r"Pobierz (?:aplikację )?Outlook.*|Get Outlook for .*)$",
    re.IGNORECASE,
)


def _is_quote_start(lines: list[str], index: int) -> bool:
    line = lines[index]
    if not QUOTE_START.match(line):
        if re.match(r"^\s*(?:W dniu|Dnia|On)\b", line, re.I) and index + 1 < len(lines):
            return bool(WROTE_CONTINUATION.match(lines[index + 1]))
        return False
    if re.match(r"^\s*(?:Od|From)\s*:", line, re.IGNORECASE):
        # "Od:" starts a quoted header only when header lines follow it (Outlook's block).
        following = lines[index + 1 : index + 4]
        return any(HEADER_LINE.match(next_line) for next_line in following)
    return True


def split_quoted(text: str) -> tuple[str, str]:
    """(new text, quoted history): everything from the first quote marker on is history."""
    lines = text.replace("\r\n", "\n").split("\n")
    for index in range(len(lines)):
        if _is_quote_start(lines, index):
            return "\n".join(lines[:index]).rstrip(), "\n".join(lines[index:])
    return text.rstrip(), ""


def split_signature(text: str) -> tuple[str, str]:
    """(text, signature) at a "-- " delimiter or a mobile client's tag line."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if SIGNATURE_START.match(line.rstrip()) and line.strip():
            return "\n".join(lines[:index]).rstrip(), "\n".join(lines[index:]).strip()
    return text, ""


# Lines whose numbers are never the price: company registry data, bank accounts, capital,
# contract and case numbers, and our own inquiry's estimated value.
TRAP_LINE = re.compile(
    r"kapita\w*\s+zak\w*|kapita[łl]|rachun\w*|nr\s+konta|\bkonto\b|\bIBAN\b|\bBIC\b|\bSWIFT\b|"
    r"umow\w*\s+nr|nr\s+umowy|znak\s+sprawy|wartość\s+zamówienia|szacunkow\w*\s+wartość|"
    r"sąd\s+rejonowy|newsletter",
    re.IGNORECASE,
)
# Fragments inside a line that hold digits but are never money.
TRAP_FRAGMENT = re.compile(
    # Separators bounded and matched one way only (see nip.NIP_RE): no run of white space
    # can be split between two quantifiers.
    r"(?:\btel\w*|\bkom\w*|\bfaks|\bfax|\bmob\w*|\bphone)\.?[\s:]{0,20}[+\d(][\d\s()+\-/]{6,40}\d|"
    r"\b(?:NIP|VAT[- ]?ID|REGON|KRS|PESEL)\b[\s:]{0,20}(?:PL\s{0,5})?\d[\d\s\-]{7,16}\d|"
    r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|"  # dates 15.06.2027
    r"\b\d{4}-\d{2}-\d{2}\b|"
    r"\b\d{2}(?:\s?\d{4}){6}\b|"  # NRB account number
    r"\bPL\d{26}\b",
    re.IGNORECASE,
)


# Where a sentence ends inside a line: ". K", "; k" (abbreviations like "ul. " or "r. " are
# followed by a lower-case word or a digit, so they do not split).
SENTENCE_END = re.compile(r"((?<=[.!?])\s+(?=[A-ZĄĆĘŁŃÓŚŹŻ])|;\s*|,\s+(?=\D))")


def price_lines(text: str) -> list[str]:
    """The lines of ``text`` that may carry a price, with non-money digits blanked out.

    A clause naming share capital, a bank account, a contract number... is left out whole;
    the other clauses of its line stay.
    """
    result = []
    for line in text.split("\n"):
        pieces = SENTENCE_END.split(line)  # clause, separator, clause, separator, ...
        clauses, separators = pieces[0::2], [*pieces[1::2], ""]
        kept = "".join(
            clause + separator
            for clause, separator in zip(clauses, separators, strict=True)
            if not TRAP_LINE.search(clause)
        )
        if kept.strip():
            result.append(TRAP_FRAGMENT.sub(" ", kept))
    return result


# Registry data in a footer: its amounts are never anything a person must look at.
REGISTRY_LINE = re.compile(r"kapita\w*\s+zak\w*|\bKRS\b|sąd\s+rejonowy", re.IGNORECASE)


def amounts_worth_a_look(text: str) -> bool:
    """Whether ``text`` has money outside company-registry lines (capital, KRS)."""
    from mailflow.reading.money import find_amounts

    return any(find_amounts(line) for line in text.split("\n") if not REGISTRY_LINE.search(line))


def unwrap_flowed(text: str) -> str:
    """Join format=flowed soft line breaks (a line ending in a space continues)."""
    return re.sub(r"(?<=\S) \n(?!>)", " ", text)
