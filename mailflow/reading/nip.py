"""The vendor's NIP (Polish tax id), validated, and never the office's own NIP.

The office's NIP appears in our quoted inquiry and on the offer form's "Zamawiający" line, so a
NIP counts as the vendor's only when it is not the office's and not on an office line.
"""

from __future__ import annotations

import re

from stdnum.pl import nip as stdnum_nip

# Between the word and the number at most a few separators, each matched one way only:
# three ``\s*`` in a row (around an optional "nr" and ":") let the engine split a run of
# white space three ways and took cubic time ("NIP" and 2 000 spaces: 94 s).
NIP_RE = re.compile(
    r"\bNIP\b[\s:]{0,20}(?:(?:nr\.?|numer)[\s:]{0,20})?(?:PL\s?)?"
    r"(?P<digits>\d[\d \u00a0\-]{8,15}\d)",
    re.IGNORECASE,
)
OFFICE_LINE = re.compile(r"zamawiając|urząd\s+miasta|\bgmin[ay]\b|\bmiasto\s+\w+,", re.IGNORECASE)


def nips_in(text: str) -> list[str]:
    """Every NIP written after the word "NIP" in ``text``, as 10 digits (checksum not tested)."""
    found = []
    for m in NIP_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group("digits"))
        if len(digits) == 10:
            found.append(digits)
    return found


def is_valid_nip(digits: str) -> bool:
    return bool(stdnum_nip.is_valid(digits))


def office_nips(texts: list[str], office_nip: str | None) -> set[str]:
    """The office's NIPs: the configured one, every NIP in our quoted text and office lines."""
    known = {re.sub(r"\D", "", office_nip)} if office_nip else set()
    for text in texts:
        for line in text.split("\n"):
            if OFFICE_LINE.search(line):
                known.update(nips_in(line))
    return known


def vendor_nip(texts: list[str], office: set[str]) -> tuple[str | None, list[str]]:
    """The one valid vendor NIP in ``texts`` (in order of trust) and reasons for doubt."""
    reasons: list[str] = []
    for text in texts:
        candidates: list[str] = []
        for line in text.split("\n"):
            if OFFICE_LINE.search(line) and "wykonawc" not in line.lower():
                continue
            candidates.extend(n for n in nips_in(line) if n not in office)
        valid = sorted({n for n in candidates if is_valid_nip(n)})
        invalid = sorted({n for n in candidates if not is_valid_nip(n)})
        reasons.extend(f"NIP {n} fails the checksum, ignored" for n in invalid)
        if len(valid) == 1:
            return valid[0], reasons
        if len(valid) > 1:
            return None, [*reasons, f"several vendor NIPs ({', '.join(valid)}): none taken"]
    return None, reasons
