"""Polish for people: numbers that agree with their nouns, and dates on Warsaw's clock.

Every count an e-mail shows goes through :func:`count` (or :func:`plural` for a verb that
agrees with it), which picks the form by CLDR's plural rules for Polish, as Babel ships them:
1 oferta, 2 oferty, 5 ofert, 22 oferty, 112 ofert. No ending is written by hand anywhere.

Every deadline a person reads goes through :func:`format_deadline`: the stored UTC moment on
the office's wall clock, "10 lutego 2027 r., godz. 12:00", the same text the documents print.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel import Locale

from mailflow.documents.formatting import format_date

WARSAW = ZoneInfo("Europe/Warsaw")
# A deadline given as a day ends at this hour, as the procedure records it (end_of_day).
END_OF_DAY = time(23, 59)
_POLISH = Locale("pl")


@dataclass(frozen=True)
class Noun:
    """A noun's three counted forms: 1 ``one``, 2-4 ``few``, 5 and 0 ``many``."""

    one: str
    few: str
    many: str


ZAGADNIENIE = Noun("zagadnienie", "zagadnienia", "zagadnień")
OFERTA = Noun("oferta", "oferty", "ofert")
WYWIAD = Noun("wywiad", "wywiady", "wywiadów")
NIEPRAWIDLOWOSC = Noun("nieprawidłowość", "nieprawidłowości", "nieprawidłowości")
DZIALANIE = Noun("działanie", "działania", "działań")
DZIEN_ROBOCZY = Noun("dzień roboczy", "dni robocze", "dni roboczych")
FIRMA = Noun("firma badawcza", "firmy badawcze", "firm badawczych")
ZAPYTANIE = Noun("zapytanie", "zapytania", "zapytań")


def plural(n: int, one: str, few: str, many: str) -> str:
    """The form for ``n`` by the CLDR rule for Polish; also for verbs ("wpłynęła/-y/-o")."""
    category = _POLISH.plural_form(n)
    if category == "one":
        return one
    if category == "few":
        return few
    # "many" for whole numbers; "other" is for fractions, which are never counted here.
    return many


def form(n: int, noun: Noun) -> str:
    return plural(n, noun.one, noun.few, noun.many)


def count(n: int, noun: Noun) -> str:
    """``count(3, OFERTA)`` → ``"3 oferty"``."""
    return f"{n} {form(n, noun)}"


def warsaw(moment: datetime) -> datetime:
    """A stored moment on the office's clock; a naive value is UTC, as the database keeps it."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(WARSAW)


def format_deadline(when: datetime | date) -> str:
    """``"10 lutego 2027 r., godz. 12:00"``, Warsaw time; a bare day ends at 23:59.

    The same text as :mod:`mailflow.documents.formatting` prints in the attached documents.
    """
    if isinstance(when, datetime):
        local = warsaw(when)
    else:
        local = datetime.combine(when, END_OF_DAY, WARSAW)
    return f"{format_date(local.date())}, godz. {local:%H:%M}"


def format_day(when: datetime | date) -> str:
    """``"11 czerwca 2027 r."``: the day of a moment (Warsaw) or a day."""
    return format_date(warsaw(when).date() if isinstance(when, datetime) else when)


def join(items: list[str]) -> str:
    """``["a", "b", "c"]`` → ``"a, b i c"``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " i " + items[-1]
