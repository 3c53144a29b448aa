"""Polish money in all its spellings (mailflow.reading.money)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mailflow.reading.money import (
    amount_in_words,
    find_amounts,
    gross_from_net,
    net_from_gross,
    net_gross_agree,
    parse_number,
    spelled_amounts,
    vat_rate_in,
    words_state,
)


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("12 300,00 zł", "12300.00", "PLN"),
        ("12.300,00 PLN", "12300.00", "PLN"),
        ("12300 zł", "12300", "PLN"),
        ("12\u00a0300,00\u00a0zł", "12300.00", "PLN"),  # NO-BREAK SPACE
        ("12\u202f300,00\u202fzł", "12300.00", "PLN"),  # NARROW NO-BREAK SPACE (Apple)
        ("17\u2009500,00 zł", "17500.00", "PLN"),  # THIN SPACE
        ("14,5 tys. zł", "14500.0", "PLN"),
        ("14,5 tys zł", "14500.0", "PLN"),
        ("3 450,00 EUR", "3450.00", "EUR"),
        ("4 243,50 €", "4243.50", "EUR"),
        ("PLN 12300", "12300", "PLN"),
        ("12,300.00 PLN", "12300.00", "PLN"),
        ("12 300 złotych", "12300", "PLN"),
        ("12300.00 zl", "12300.00", "PLN"),
    ],
)
def test_it_reads_every_spelling_of_an_amount(text: str, value: str, currency: str) -> None:
    amounts = find_amounts(f"cena {text} netto")
    assert [(a.value, a.currency) for a in amounts] == [(Decimal(value), currency)]
    assert isinstance(amounts[0].value, Decimal)


@pytest.mark.parametrize(
    "text",
    [
        "400 wywiadów",
        "tel. 601 245 378",
        "do 15.06.2027 r.",
        "NIP 727-107-94-83",
        "37 1020 6675 6171 1516 1678 4966",
        "23%",
    ],
)
def test_it_never_takes_a_bare_number_for_money(text: str) -> None:
    assert find_amounts(text) == []


def test_it_reads_bare_decimals_only_when_told_the_currency() -> None:
    assert find_amounts("13 900,00") == []
    assert [a.value for a in find_amounts("13 900,00", bare_currency="PLN")] == [
        Decimal("13900.00")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 300,00", Decimal("12300.00")),
        ("12.300,00", Decimal("12300.00")),
        ("12,300.00", Decimal("12300.00")),
        ("12300.00", Decimal("12300.00")),
        ("14,5", Decimal("14.5")),
        ("1.234.567", Decimal("1234567")),
    ],
)
def test_it_parses_numbers_to_decimals(text: str, expected: Decimal) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("netto + VAT 23%", "23"),
        ("(8 000,00 zł netto + 23% VAT)", "23"),
        ("Podatek VAT (23%)", "23"),
        ("podatek VAT w wysokości 8%", "8"),
        ("cena netto, VAT zw.", "zw"),
        ("usługa zwolniona z VAT", "zw"),
        ("cena 12 300 zł", None),
        ("VAT 23% lub VAT 8% zależnie od zakresu", None),  # two rates: not ours to pick
        ("netto + VAT, rabat 10% przy płatności z góry", None),  # 10% is not a VAT rate
        ("VAT 17%", None),  # not a Polish rate
    ],
)
def test_it_finds_the_vat_rate_only_when_one_is_stated(text: str, rate: str | None) -> None:
    assert vat_rate_in(text) == rate


def test_it_computes_gross_and_net_to_the_grosz() -> None:
    assert gross_from_net(Decimal("14500"), "23") == Decimal("17835.00")
    assert net_from_gross(Decimal("15129.00"), "23") == Decimal("12300.00")
    assert gross_from_net(Decimal("3450.00"), "23") == Decimal("4243.50")
    assert gross_from_net(Decimal("1000"), "zw") == Decimal("1000")
    assert net_gross_agree(Decimal("12300"), Decimal("15129"), "23")
    assert not net_gross_agree(Decimal("12300"), Decimal("15000"), "23")


def test_it_confirms_figures_with_the_amount_in_words() -> None:
    assert amount_in_words(Decimal("18450")) == "osiemnaście tysięcy czterysta pięćdziesiąt"
    assert words_state("osiemnaście tysięcy czterysta pięćdziesiąt złotych 00/100", Decimal(18450))
    assert words_state("jeden tysiąc złotych", Decimal("1000.00"))
    assert not words_state("osiemnaście tysięcy złotych", Decimal(18450))
    assert not words_state("", Decimal(18450))


def test_it_finds_the_words_after_slownie() -> None:
    text = "Cena brutto: 18 450,00 zł (słownie: osiemnaście tysięcy czterysta pięćdziesiąt zł)."
    assert [w.strip() for w in spelled_amounts(text)] == [
        "osiemnaście tysięcy czterysta pięćdziesiąt zł"
    ]
