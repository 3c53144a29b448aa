"""Counts agree with their nouns in every letter, and deadlines are read on Warsaw's clock.

The expected forms come from a table written here by hand and a rule as a Polish grammar
states it, independent of Babel's CLDR data that mailflow.polish uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from itertools import chain

import pytest

from mailflow import letters, polish
from mailflow.documents import formatting

COUNTS = list(chain(range(0, 31), range(100, 126)))
DAY = date(2027, 6, 11)
# noun: (1, 2-4, 5+) in the nominative, as a dictionary gives them.
FORMS = {
    "zagadnienie": ("zagadnienie", "zagadnienia", "zagadnień"),
    "oferta": ("oferta", "oferty", "ofert"),
    "wywiad": ("wywiad", "wywiady", "wywiadów"),
    "nieprawidłowość": ("nieprawidłowość", "nieprawidłowości", "nieprawidłowości"),
    "działanie": ("działanie", "działania", "działań"),
    "dzień roboczy": ("dzień roboczy", "dni robocze", "dni roboczych"),
    "zapytanie": ("zapytanie", "zapytania", "zapytań"),
}


def expected(n: int, noun: str) -> str:
    """1 takes the singular; 2-4 (but not 12-14) in the last digit the 'few' plural."""
    one, few, many = FORMS[noun]
    if n == 1:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many


# (letter with the count n, the counted noun, what the letter says instead for n = 0)
Counted = tuple[Callable[[int], letters.Letter], str, str | None]
COUNTED: dict[str, Counted] = {
    "topics_received": (letters.topics_received, "zagadnienie", "nie ma propozycji zagadnień"),
    "catalogue_for_confirmation": (
        lambda n: letters.catalogue_for_confirmation(2027, [f"Temat {i}" for i in range(n)]),
        "zagadnienie",
        "nie zawiera jeszcze żadnego zagadnienia",
    ),
    "comparison_for_manager": (
        lambda n: letters.comparison_for_manager(2027, n, "1 zł"),
        "oferta",
        "Nie wpłynęła żadna oferta",
    ),
    "behind_schedule": (lambda n: letters.behind_schedule(0, 400, n, DAY), "wywiad", None),
    "audit_order_for_confirmation": (
        lambda n: letters.audit_order_for_confirmation(2027, n),
        "nieprawidłowość",
        "nie wykazały nieprawidłowości",
    ),
    "actions_done": (
        lambda n: letters.actions_done([1], still_open=n),
        "działanie",
        "Wszystkie działania z auditu zostały wykonane",
    ),
    "progress_request": (lambda n: letters.progress_request(2027, n, DAY), "dzień roboczy", None),
    "contractor_silent": (
        lambda n: letters.contractor_silent("Kwadrant", n, DAY),
        "dzień roboczy",
        None,
    ),
    "more_vendors_needed": (
        lambda n: letters.more_vendors_needed("Firma nie złoży oferty", n, 3),
        "zapytanie",
        None,
    ),
}


def _says(text: str, n: int, form: str) -> bool:
    return re.search(rf"(?<![\d,]){n} {re.escape(form)}(?!\w)", text) is not None


@pytest.mark.parametrize("name", list(COUNTED))
def test_every_counted_noun_agrees_with_its_number(name: str) -> None:
    letter, noun, zero = COUNTED[name]
    wrong = []
    for n in COUNTS:
        _subject, body = letter(n)
        if n == 0 and zero is not None:
            ok = zero in body
        else:
            text = body.replace("\n", " ")
            ok = _says(text, n, expected(n, noun)) and not any(
                _says(text, n, form) for form in FORMS[noun] if form != expected(n, noun)
            )
        if not ok:
            wrong.append((n, body))
    assert wrong == []


@pytest.mark.parametrize(
    ("n", "verb"),
    [
        (1, "Wpłynęła 1 oferta"),
        (3, "Wpłynęły 3 oferty"),
        (5, "Wpłynęło 5 ofert"),
        (22, "Wpłynęły 22 oferty"),
        (112, "Wpłynęło 112 ofert"),
    ],
)
def test_the_verb_agrees_with_the_number_of_offers(n: int, verb: str) -> None:
    assert verb in letters.comparison_for_manager(2027, n, "1 zł")[1]


@pytest.mark.parametrize(
    ("n", "phrase"),
    [(1, "minął 1 dzień roboczy"), (4, "minęły 4 dni robocze"), (12, "minęło 12 dni roboczych")],
)
def test_the_verb_agrees_with_the_number_of_working_days(n: int, phrase: str) -> None:
    assert phrase in letters.progress_request(2027, n, DAY)[1]


def test_progress_is_counted_of_the_target_in_the_genitive() -> None:
    body = letters.weekly_digest(2027, step=4, done=180, target=400, survey_by=DAY)[1]
    assert "zrealizowano 180 z 400 wywiadów" in body
    assert "termin zakończenia badania: 11 czerwca 2027 r." in body
    assert "etap badania: realizacja badania przez wykonawcę" in body


def test_the_plural_rule_is_cldr_for_polish() -> None:
    assert [polish.count(n, polish.OFERTA) for n in (1, 2, 5, 12, 22, 101, 102)] == [
        "1 oferta",
        "2 oferty",
        "5 ofert",
        "12 ofert",
        "22 oferty",
        "101 ofert",
        "102 oferty",
    ]


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2027, 2, 10, 11, 0, tzinfo=UTC), "10 lutego 2027 r., godz. 12:00"),  # CET
        (datetime(2027, 6, 11, 10, 0, tzinfo=UTC), "11 czerwca 2027 r., godz. 12:00"),  # CEST
        (datetime(2027, 2, 10, 11, 0), "10 lutego 2027 r., godz. 12:00"),  # naive is UTC
        (datetime(2027, 12, 31, 23, 30, tzinfo=UTC), "1 stycznia 2028 r., godz. 00:30"),
        (date(2027, 1, 29), "29 stycznia 2027 r., godz. 23:59"),
    ],
)
def test_a_deadline_is_shown_on_warsaw_time(moment: datetime | date, text: str) -> None:
    assert polish.format_deadline(moment) == text


def test_the_e_mail_deadline_is_the_documents_deadline() -> None:
    moment = datetime(2027, 2, 10, 11, 0, tzinfo=UTC)
    assert polish.format_deadline(moment) == formatting.format_datetime(polish.warsaw(moment))
    documents_deadline = getattr(formatting, "format_deadline", None)
    if documents_deadline is not None:  # the documents' own Warsaw formatter, once it exists
        assert polish.format_deadline(moment) == documents_deadline(moment)
    body = letters.price_inquiry(2027, moment, "Kwadrant")[1]
    assert "Termin składania ofert: 10 lutego 2027 r., godz. 12:00." in body
