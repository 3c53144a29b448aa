"""Polish formatting for documents: money, amounts in words, dates, numbers, deadlines.

Every value a template shows passes through one of these, so a letter never mixes
``12300.00`` and ``12 300,00 zł`` or an English month name.

One rule for time: the database stores UTC; every date and hour a person reads is the
office's wall clock, Europe/Warsaw (:func:`local_time`, :func:`format_deadline`), so the
letter, the e-mail and the calendar entry all say the same hour.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from num2words import num2words

from mailflow.workdays import add_working_days

NBSP = "\u00a0"
WARSAW = ZoneInfo("Europe/Warsaw")
CENT = Decimal("0.01")

# Dates in letters use the genitive: "15 czerwca 2027 r.".
MONTHS_GENITIVE = (
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
)


def _group_thousands(digits: str) -> str:
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return NBSP.join(groups)


def format_amount(amount: Decimal) -> str:
    """``Decimal("12300")`` → ``"12 300,00"`` (NBSP between thousands, decimal comma)."""
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, cents = f"{abs(rounded):.2f}".split(".")
    return f"{sign}{_group_thousands(whole)},{cents}"


def format_money(amount: Decimal) -> str:
    """``Decimal("12300")`` → ``"12 300,00 zł"``; NBSPs keep the amount on one line."""
    return f"{format_amount(amount)}{NBSP}zł"


def _zloty_form(whole: int) -> str:
    # Polish plural: 1 złoty, 2-4 złote (but 12-14 złotych), otherwise złotych.
    if whole == 1:
        return "złoty"
    if whole % 10 in (2, 3, 4) and whole % 100 not in (12, 13, 14):
        return "złote"
    return "złotych"


def money_in_words(amount: Decimal) -> str:
    """``Decimal("12300")`` → ``"dwanaście tysięcy trzysta złotych 00/100"`` (the *słownie*)."""
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if rounded < 0:
        raise ValueError("an amount in words must not be negative")
    whole = int(rounded)
    cents = int((rounded - whole) * 100)
    words = num2words(whole, lang="pl")
    return f"{words} {_zloty_form(whole)} {cents:02d}/100"


def format_date(day: date) -> str:
    """``date(2027, 6, 15)`` → ``"15 czerwca 2027 r."``."""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year} r."


def format_datetime(moment: datetime) -> str:
    """``datetime(2027, 3, 8, 12, 0)`` → ``"8 marca 2027 r., godz. 12:00"``."""
    return f"{format_date(moment.date())}, godz. {moment:%H:%M}"


def local_time(moment_utc: datetime) -> datetime:
    """A stored moment on the office's wall clock (Europe/Warsaw).

    A naive value is UTC: that is how the database stores moments (SQLite drops the zone).
    """
    if moment_utc.tzinfo is None:
        moment_utc = moment_utc.replace(tzinfo=UTC)
    return moment_utc.astimezone(WARSAW)


def format_deadline(moment_utc: datetime) -> str:
    """A stored moment as a person reads it: ``"10 lutego 2027 r., godz. 12:00"`` (Warsaw).

    The one formatting of a deadline or a receipt time for documents and e-mails alike.
    """
    local = local_time(moment_utc)
    return f"{format_date(local.date())}, godz. {local:%H:%M}"


def format_short_date(day: date) -> str:
    """``date(2027, 3, 8)`` → ``"08.03.2027"`` for narrow table columns."""
    return f"{day:%d.%m.%Y}"


def format_number(value: float | Decimal, places: int = 2) -> str:
    """``4.125`` → ``"4,13"``: decimal comma, half-up rounding, thousands with NBSP."""
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):.{places}f}"
    whole, _, fraction = text.partition(".")
    sign = "-" if rounded < 0 else ""
    return sign + _group_thousands(whole) + ("," + fraction if fraction else "")


def format_percent(share: float, places: int = 1) -> str:
    """``0.781`` → ``"78,1%"``."""
    return format_number(share * 100, places) + "%"


def format_change(delta: float | Decimal, places: int = 2) -> str:
    """A year-on-year change with its sign: ``"+0,12"``, ``"−0,05"``, ``"0,00"``."""
    text = format_number(abs(Decimal(str(delta))), places)
    if Decimal(text.replace(",", ".").replace(NBSP, "")) == 0:
        return text
    return ("+" if delta > 0 else "\u2212") + text


def working_day_deadline(start: date, working_days: int) -> date:
    """The day ``working_days`` Polish working days after ``start`` (weekends, holidays skipped)."""
    return add_working_days(start, working_days)
