"""What no e-mail to a person may contain, as checks shared by the letter tests.

Each check returns the offending snippets of a text, so a failure shows where it is.
"""

from __future__ import annotations

import re

# Common English words that are not also Polish words ("to", "a", "i", "on", "do" are).
_ENGLISH_TEXT = (
    "the is are was were be been has have will would cannot not of and for with from by "
    "this that these which whom who there here sent step reply please error token none "
    "null true false round item role vendor approval deadline catalogue coordinator mayor "
    "procurement quote comparison questionnaire memo publication digest campaign sender "
    "message read unknown failed waiting"
)
ENGLISH_WORDS = tuple(_ENGLISH_TEXT.split())
_ENGLISH = re.compile(r"\b(?:" + "|".join(ENGLISH_WORDS) + r")\b", re.IGNORECASE)
_CHECKS: dict[str, re.Pattern[str]] = {
    "English word": _ENGLISH,
    "backtick": re.compile(r"`"),
    "shell command": re.compile(r"\bmailflow [a-z]"),
    "snake_case code": re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b"),
    "angle-bracket placeholder": re.compile(r"<[^<>@\s][^<>@]*>"),
    "nested parentheses": re.compile(r"\([^()]*\("),
    "bare step number": re.compile(r"\betap\w*:?\s*\d", re.IGNORECASE),
    "hand-written ending": re.compile(r"\w\((?:y|a|ów|i|e|u)\)"),
    "count in parentheses": re.compile(r"[a-ząćęłńóśźż] \(\d+\)"),
    "familiar imperative": re.compile(
        r"\b(?:odpowiedz|odeślij|wyślij|dodaj|sprawdź|napisz|zobacz|kliknij|wpisz|prześlij)\b",
        re.IGNORECASE,
    ),
    "informal greeting": re.compile(r"Dzień dobry", re.IGNORECASE),
    "gender slash form": re.compile(r"\bPan\w*/Pani\w*|\bPani\w*/Pan\w*"),
    "ISO date": re.compile(r"\b20\d\d-\d\d-\d\d\b"),
}


KINDS = tuple(_CHECKS)


def leaks(
    text: str, vendor_keys: tuple[str, ...] = (), kinds: tuple[str, ...] = KINDS
) -> list[str]:
    """Every snippet of ``text`` a reader should never see, labelled with its kind."""
    found = []
    for label, pattern in _CHECKS.items():
        if label not in kinds:
            continue
        for match in pattern.finditer(text):
            start = max(0, match.start() - 30)
            found.append(f"{label}: …{text[start : match.end() + 30]}…")
    for key in vendor_keys:
        # Whole words only, not the same letters in an address (opinia@badania.example.pl).
        for match in re.finditer(rf"(?<![\w@.]){re.escape(key)}(?![\w@])", text):
            start = max(0, match.start() - 30)
            found.append(f"vendor key {key!r}: …{text[start : match.end() + 30]}…")
    return found
