"""Dates an offer states: valid until, and the completion term."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    "stycznia": 1, "lutego": 2, "marca": 3, "kwietnia": 4, "maja": 5, "czerwca": 6,
    "lipca": 7, "sierpnia": 8, "września": 9, "października": 10, "listopada": 11,
    "grudnia": 12,
}  # fmt: skip
DATE_RE = re.compile(
    r"\b(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})\b"
    r"|\b(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})\b"
    rf"|\b(?P<wd>\d{{1,2}})\s+(?P<wm>{'|'.join(MONTHS)})\s+(?P<wy>\d{{4}})\b",
    re.IGNORECASE,
)
VALID_UNTIL_RE = re.compile(r"wa[żz]n\w*\s+(?:jest\s+)?do\b(?P<rest>.{0,40})", re.IGNORECASE)
COMPLETION_RE = re.compile(
    r"termin\w*\s+(?:realizacji|wykonania)(?:\s+zamówienia)?\s*:?\s*(?P<rest>[^\n.]{0,60}"
    r"(?:\.\d{2}\.\d{4}[^\n.]{0,10})?)",
    re.IGNORECASE,
)


def first_date(text: str) -> str | None:
    """The first real date in ``text`` as ISO ``YYYY-MM-DD``; None when there is none."""
    for m in DATE_RE.finditer(text):
        try:
            if m.group("d"):
                day = date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            elif m.group("iy"):
                day = date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
            else:
                day = date(int(m.group("wy")), MONTHS[m.group("wm").lower()], int(m.group("wd")))
        except ValueError:
            continue
        return day.isoformat()
    return None


def valid_until(lines: list[str]) -> str | None:
    """ "Oferta ważna do 30.04.2027 r." -> "2027-04-30"; relative terms ("60 dni") give None."""
    for line in lines:
        m = VALID_UNTIL_RE.search(line)
        if m:
            found = first_date(m.group("rest"))
            if found:
                return found
    return None


def completion(lines: list[str]) -> str | None:
    """The completion term: an ISO date when one is written, else the words as written."""
    for line in lines:
        m = COMPLETION_RE.search(line)
        if m:
            rest = m.group("rest").strip(" :,")
            return first_date(rest) or (rest or None)
    return None
