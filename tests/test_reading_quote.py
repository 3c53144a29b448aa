"""Quotes in the body text: labels, traps, variants, unit prices, corrections, NIPs, dates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mailflow.reading import Quote, ReplyText, read_reply
from tests.test_reading_clients import (
    CLIENTS,
    OFFICE_NIP,
    outlook,
    raw_message,
    read_raw,
    read_text,
)

VENDOR_NIP = "7271079483"  # valid checksum
VENDOR_SIG = """Jan Kowalczyk
Instytut Badań KWADRANT sp. z o.o.
ul. Zielona 14, 90-601 Łódź
tel. +48 42 630 12 45, kom. 601 245 378
NIP 727-107-94-83, REGON 679712298, KRS 0000301992
Kapitał zakładowy: 50 000,00 zł
Rachunek bankowy: 98 1020 3627 1228 2466 8240 6293"""


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def quote_of(text: str, **kw: object) -> tuple[Quote, bool, list[str]]:
    reading = read_text(text, **kw)
    assert reading.kind == "quote", reading.reasons
    assert reading.quote is not None
    return reading.quote, reading.needs_review, reading.reasons


# (text, net, gross, vat_rate): sure readings, needs_review must be False
SURE = [
    (
        "Cena netto: 12 300,00 zł\nPodatek VAT 23%: 2 829,00 zł\nCena brutto: 15 129,00 zł",
        "12300.00",
        "15129.00",
        "23",
    ),
    ("Koszt badania wynosi 15.129,00 PLN brutto.", None, "15129.00", None),
    ("cena: 9 840,00 zł brutto (8 000,00 zł netto + 23% VAT).", "8000.00", "9840.00", "23"),
    (
        "za cenę 11\u00a0070,00 zł brutto, w tym 23% VAT (netto 9\u00a0000,00 zł).",
        "9000.00",
        "11070.00",
        "23",
    ),
    (
        "• cena netto: 13\u202f800,00\u202fzł\n• VAT 23%: 3\u202f174,00\u202fzł\n"
        "• cena brutto: 16\u202f974,00\u202fzł",
        "13800.00",
        "16974.00",
        "23",
    ),
    (
        "Cena brutto: 18 450,00 zł (słownie: osiemnaście tysięcy czterysta pięćdziesiąt złotych "
        "00/100), w tym podatek VAT 23% w kwocie 3 450,00 zł.\nCena netto: 15 000,00 zł.",
        "15000.00",
        "18450.00",
        "23",
    ),
    ("nasza cena za całość badania to 12 300,00 zł netto.", "12300.00", None, None),
    (
        "Net price: PLN 12,300.00, gross price: PLN 15,129.00 (VAT 23%).",
        "12300.00",
        "15129.00",
        "23",
    ),
    ("Cena 12 300 zł (netto), 15 129 zł (brutto).", "12300.00", "15129.00", None),
    ("Cena: 12 300,00 zł bez VAT; 15 129,00 zł z VAT (23%).", "12300.00", "15129.00", "23"),
    (
        "Cena netto: 12 300,00 zł\nVAT: 2 829,00 zł\nDo zapłaty: 15 129,00 zł",
        "12300.00",
        "15129.00",
        None,
    ),
    ("Cena ryczałtowa: 12 000,00 zł netto, usługa zwolniona z VAT.", "12000.00", "12000.00", "zw"),
    ("Cena netto 12 300 zł; razem z VAT: 15 129 zł", "12300.00", "15129.00", None),
]


@pytest.mark.parametrize(("text", "net", "gross", "rate"), SURE)
def test_it_reads_labelled_prices_as_vendors_write_them(
    text: str, net: str | None, gross: str | None, rate: str | None
) -> None:
    quote, review, reasons = quote_of(text)
    assert (money(quote.net), money(quote.gross), quote.vat_rate) == (net, gross, rate), reasons
    assert review is False, reasons


def test_it_computes_the_other_price_from_an_explicit_rate_and_says_so() -> None:
    quote, review, reasons = quote_of("przesyłamy cenę: 14,5 tys. zł netto + VAT 23%.")
    assert (money(quote.net), money(quote.gross)) == ("14500.00", "17835.00")
    assert any("computed" in reason for reason in reasons)
    assert review is False


def test_it_leaves_the_other_price_null_without_a_rate() -> None:
    quote, _, _ = quote_of("Cena: 15 129,00 zł brutto.")
    assert quote.net is None and quote.vat_rate is None


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_it_never_takes_figures_from_signatures_or_our_inquiry(client: str) -> None:
    body = f"Oferujemy 21 033,00 zł brutto (17 100,00 zł netto, VAT 23%).\n\n{VENDOR_SIG}"
    reading = read_raw(raw_message(CLIENTS[client](body)))
    assert reading.quote is not None
    assert money(reading.quote.net) == "17100.00"
    assert money(reading.quote.gross) == "21033.00"
    assert reading.quote.vendor_nip == VENDOR_NIP
    assert reading.needs_review is False, reading.reasons


def test_it_flags_two_variants_and_takes_neither() -> None:
    text = (
        "Wariant I – 400 wywiadów PAPI: 14 000,00 zł netto (17 220,00 zł brutto)\n"
        "Wariant II – 300 wywiadów PAPI + 100 CAWI: 11 600,00 zł netto (14 268,00 zł brutto)"
    )
    quote, review, reasons = quote_of(text)
    assert review is True
    assert quote.net is None and quote.gross is None
    assert any("variants" in reason for reason in reasons)


def test_it_flags_two_different_prices_without_variant_words() -> None:
    quote, review, _ = quote_of("Cena 12 300 zł netto, po rabacie 11 070 zł netto.")
    assert review is True and quote.net is None


def test_it_computes_a_per_interview_total_only_for_review() -> None:
    text = "proponujemy stawkę 45 zł brutto za jeden zrealizowany wywiad (400 wywiadów)."
    quote, review, reasons = quote_of(text)
    assert review is True
    assert money(quote.gross) == "18000.00"
    assert any("per interview" in reason for reason in reasons)


@pytest.mark.parametrize(
    "text",
    [
        "Cena 45 zł netto/wywiad.",
        "Stawka: 120 zł netto za godzinę pracy ankietera.",
        "Cena jednostkowa: 30 zł brutto.",
    ],
)
def test_it_never_presents_a_unit_price_as_the_total(text: str) -> None:
    quote, review, _ = quote_of(text)
    assert review is True
    assert quote.net is None and quote.gross is None


@pytest.mark.parametrize(
    "text",
    [
        "Cena za badanie: 12 300 zł.",  # neither netto nor brutto
        "Koszt 12 300 zł, termin 3 tygodnie.",
    ],
)
def test_it_flags_a_price_without_netto_or_brutto(text: str) -> None:
    quote, review, _ = quote_of(text)
    assert review is True
    assert quote.net is None and quote.gross is None


def test_it_flags_net_and_gross_that_do_not_agree_with_the_rate() -> None:
    _, review, reasons = quote_of("12 300,00 zł netto, 16 000,00 zł brutto (VAT 23%)")
    assert review is True
    assert any("do not agree" in reason for reason in reasons)


def test_it_flags_an_amount_in_words_that_contradicts_the_figure() -> None:
    text = "Cena brutto: 18 450,00 zł (słownie: osiemnaście tysięcy złotych), netto 15 000,00 zł."
    _, review, _ = quote_of(text)
    assert review is True


def test_it_does_not_compute_gross_from_a_vat_amount_that_fits_no_rate() -> None:
    quote, review, _ = quote_of("Cena netto 10 000 zł, podatek 1 700 zł.")
    assert review is True and quote.gross is None


def test_it_keeps_eur_as_eur_and_asks_for_review() -> None:
    text = (
        "Cena: 3 450,00 EUR netto + VAT 23%, tj. 4 243,50 EUR brutto.\n"
        "IBAN PL61109010140000071219812874"
    )
    quote, review, _ = quote_of(text)
    assert (quote.currency, money(quote.net), money(quote.gross)) == ("EUR", "3450.00", "4243.50")
    assert review is True


def test_it_marks_a_correction() -> None:
    text = (
        "KOREKTA OFERTY: prawidłowa cena wynosi 17\u2009500,00 zł netto, "
        "tj. 21\u2009525,00 zł brutto."
    )
    quote, review, _ = quote_of(text, subject="Korekta oferty – Re: zapytanie")
    assert quote.is_correction is True
    assert money(quote.net) == "17500.00" and review is False


def test_it_reads_offer_validity_and_completion_dates() -> None:
    text = (
        "Cena netto 15 000,00 zł, brutto 18 450,00 zł.\n"
        "Termin realizacji: do 11.06.2027 r.\nOferta ważna do 30 kwietnia 2027 r."
    )
    quote, _, _ = quote_of(text)
    assert quote.valid_until == "2027-04-30"
    assert quote.completion == "2027-06-11"


def test_it_leaves_a_relative_validity_null() -> None:
    quote, _, _ = quote_of("Cena netto 15 000,00 zł. Oferta jest ważna 60 dni.")
    assert quote.valid_until is None


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("NIP: PL6779251754", "6779251754"),
        ("NIP 712 244 26 94", "7122442694"),
        ("NIP 521-11-86-346", "5211186346"),
        ("NIP 7795703619", "7795703619"),
    ],
)
def test_it_reads_the_vendor_nip_in_any_format(written: str, digits: str) -> None:
    quote, _, _ = quote_of(f"Cena netto 15 000,00 zł.\n{written}")
    assert quote.vendor_nip == digits


def test_it_ignores_an_invalid_nip_and_says_so() -> None:
    quote, _, reasons = quote_of("Cena netto 15 000,00 zł.\nNIP 123-456-78-90")
    assert quote.vendor_nip is None
    assert any("checksum" in reason for reason in reasons)


def test_it_never_takes_the_office_nip_for_the_vendors() -> None:
    reply = ReplyText(
        sender="v@x.example.pl",
        subject="Re: zapytanie",
        new_text="Cena netto 15 000,00 zł.\nDotyczy zamówienia Gminy, NIP 774-339-75-53",
    )
    assert read_reply(reply, office_nip=OFFICE_NIP).quote.vendor_nip is None  # type: ignore[union-attr]


def test_it_reads_the_nip_in_the_signature_block() -> None:
    quote, _, _ = quote_of("Cena netto 15 000,00 zł.", signature="--\nFirma\nNIP 727-107-94-83")
    assert quote.vendor_nip == VENDOR_NIP


def test_it_cuts_an_outlook_quote_the_mail_reader_missed() -> None:
    # new_text with our inquiry still in it (no '>'): the reader must not take 130 000 zł.
    reading = read_text(outlook("Cena brutto 15 129,00 zł."))
    assert reading.quote is not None
    assert money(reading.quote.gross) == "15129.00"
    assert reading.needs_review is False


def test_it_reads_a_quote_that_also_asks_a_question_for_review() -> None:
    reading = read_text("Cena netto 12 300 zł. Czy możemy zrealizować część wywiadów w CATI?")
    assert reading.kind == "quote" and reading.needs_review is True


def test_it_says_an_offer_without_a_readable_price_needs_review() -> None:
    reading = read_text("W załączeniu przesyłamy ofertę.")
    assert reading.kind == "quote" and reading.needs_review is True
    assert reading.quote is not None and reading.quote.net is None


def test_it_does_not_read_an_acknowledgement_as_a_quote() -> None:
    reading = read_text("potwierdzam otrzymanie zapytania. Ofertę prześlemy do środy 10.03.")
    assert reading.kind == "other" and reading.needs_review is False


def test_it_does_not_read_a_newsletter_as_a_quote() -> None:
    text = "Newsletter – panel CAWI od 9 900 zł netto. Aby zrezygnować z subskrypcji, odpisz."
    reading = read_raw(raw_message(text, subject="Newsletter marzec"))
    assert reading.kind == "other" and reading.quote is None


# Tricky wordings: (text, net, gross) that must be read exactly, or else flagged for review.
TRAPS = [
    (
        "Oferujemy cenę 12 300 zł netto, co przy stawce VAT 8% daje 13 284 zł brutto.",
        "12300.00",
        "13284.00",
    ),
    ("Cena: 12 300,00 zł netto + 23% VAT = 15 129,00 zł", "12300.00", "15129.00"),
    ("Łączna cena 12 300 zł netto. Nasz kapitał zakładowy wynosi 5 000 zł.", "12300.00", None),
    ("Cena 12 300,00 zł netto. Konto: 12 1020 3627 1228 2466 8240 6293", "12300.00", None),
    ("Zaliczka 30% płatna z góry. Cena 12 300 zł netto.", "12300.00", None),
    ("Cena 12 300 zł netto za całość, tj. 30,75 zł netto za wywiad.", "12300.00", None),
    ("Cena brutto: 15 129,00 zł; netto: 12 300,00 zł; VAT: 2 829,00 zł", "12300.00", "15129.00"),
    (
        "12 300 zł netto\n\nJan\ntel. 601 245 378\nul. Długa 12 lok. 300, 00-950 Warszawa",
        "12300.00",
        None,
    ),
    ("Cena: 12 300,00 zł netto + 23% VAT = 15 000,00 zł", "12300.00", "15129.00"),
    ("Koszt całkowity: 15 129 zł brutto. Koszt jednego wywiadu: 30 zł.", None, "15129.00"),
    ("Cena ok. 15 tys. zł netto.", "15000.00", None),
    ("Cena: od 9 900 zł netto.", "9900.00", None),
    (
        "Proponujemy 12 300 zł netto (+ VAT 23%), płatne w dwóch ratach po 6 150 zł netto.",
        "12300.00",
        "15129.00",
    ),
    (
        "Cena netto 12 300 zł\nCena brutto 15 129 zł\nPS. W 2026 r. było 11 500 zł netto.",
        "12300.00",
        "15129.00",
    ),
    ("Cena 12300 netto", "12300.00", None),
    ("Czy budżet 130 000 zł netto obejmuje druk?", None, None),
    ("Cena 12 300 zł netto, płatność na rachunek bankowy po wykonaniu.", "12300.00", None),
    ("Cena netto 12 300 zł, w tym rabat 500 zł.", "12300.00", None),
]


@pytest.mark.parametrize(("text", "net", "gross"), TRAPS)
def test_it_never_gives_a_wrong_value_without_asking_for_review(
    text: str, net: str | None, gross: str | None
) -> None:
    reading = read_text(text)
    if reading.needs_review:
        return
    assert reading.quote is not None, reading.reasons
    assert (money(reading.quote.net), money(reading.quote.gross)) == (net, gross), reading.reasons


def test_it_flags_net_and_gross_that_fit_no_vat_rate() -> None:
    _, review, _ = quote_of("12 300 zł netto, 13 000 zł brutto")
    assert review is True


@pytest.mark.parametrize("text", ["Cena netto: 12.30 zł", "Cena brutto 45 000 000 zł"])
def test_it_flags_a_total_implausible_for_a_survey(text: str) -> None:
    _, review, reasons = quote_of(text)
    assert review is True
    assert any("implausible" in reason for reason in reasons)
