"""Polish money, amounts in words, dates and deadlines as letters print them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from mailflow.documents.formatting import (
    NBSP,
    format_change,
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_percent,
    money_in_words,
    working_day_deadline,
)


def test_it_formats_money_with_nbsp_thousands_and_a_decimal_comma() -> None:
    assert format_money(Decimal("12300")) == f"12{NBSP}300,00{NBSP}zł"
    assert format_money(Decimal("1234567.891")) == f"1{NBSP}234{NBSP}567,89{NBSP}zł"
    assert format_money(Decimal("999.995")) == f"1{NBSP}000,00{NBSP}zł"
    assert format_money(Decimal("0")) == f"0,00{NBSP}zł"


def test_it_writes_the_amount_in_words_with_the_right_plural_of_zloty() -> None:
    assert money_in_words(Decimal("12300")) == "dwanaście tysięcy trzysta złotych 00/100"
    assert money_in_words(Decimal("14145.50")) == (
        "czternaście tysięcy sto czterdzieści pięć złotych 50/100"
    )
    assert money_in_words(Decimal("1")) == "jeden złoty 00/100"
    assert money_in_words(Decimal("22")) == "dwadzieścia dwa złote 00/100"
    assert money_in_words(Decimal("13")) == "trzynaście złotych 00/100"
    assert money_in_words(Decimal("0.07")) == "zero złotych 07/100"


def test_it_refuses_a_negative_amount_in_words() -> None:
    with pytest.raises(ValueError):
        money_in_words(Decimal("-1"))


def test_it_writes_dates_with_genitive_month_names() -> None:
    assert format_date(date(2027, 6, 15)) == "15 czerwca 2027 r."
    assert format_date(date(2027, 9, 1)) == "1 września 2027 r."
    assert format_datetime(datetime(2027, 3, 10, 9, 5)) == "10 marca 2027 r., godz. 09:05"


def test_it_formats_numbers_percentages_and_signed_changes() -> None:
    assert format_number(4.125) == "4,13"
    assert format_percent(0.812) == "81,2%"
    assert format_change(Decimal("0.11")) == "+0,11"
    assert format_change(Decimal("-0.03")) == "\u22120,03"
    assert format_change(Decimal("0.001")) == "0,00"


def test_it_counts_deadlines_in_polish_working_days() -> None:
    # 2027-04-29 (Thu) + 3 working days skips 1 May (Sat), 2 May (Sun) and 3 May (holiday).
    assert working_day_deadline(date(2027, 4, 29), 3) == date(2027, 5, 5)
