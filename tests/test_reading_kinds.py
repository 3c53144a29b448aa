"""Declines, questions, progress reports, results deliveries and bulk mail."""

from __future__ import annotations

import pytest

from mailflow.reading import Attachment, ReplyText, read_reply
from tests.test_reading_clients import CLIENTS, raw_message, read_raw, read_text


@pytest.mark.parametrize(
    "text",
    [
        "Dziękujemy, nie złożymy oferty.",
        "Niestety tym razem nie złożymy oferty – zespół jest zajęty.",
        "Uprzejmie informujemy, że rezygnujemy z udziału w postępowaniu.",
        "Nie jesteśmy zainteresowani realizacją tego badania.",
        "nie zlozymy oferty, pozdrawiam",  # mobile, no diacritics
        "Unfortunately we will not submit an offer this time.",
    ],
)
def test_it_reads_a_decline(text: str) -> None:
    reading = read_text(text)
    assert reading.kind == "decline" and reading.needs_review is False


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_it_reads_a_decline_from_every_client_despite_amounts_in_the_quote(client: str) -> None:
    reading = read_raw(raw_message(CLIENTS[client]("Dziękujemy, nie złożymy oferty.")))
    assert reading.kind == "decline" and reading.quote is None


def test_it_does_not_read_a_promise_to_quote_as_a_decline() -> None:
    reading = read_text(
        "mamy dwa pytania:\n1. Czy dopuszczają Państwo CATI?\n"
        "Po otrzymaniu odpowiedzi niezwłocznie prześlemy ofertę."
    )
    assert reading.kind == "question"


@pytest.mark.parametrize(
    "text",
    [
        "czy badanie ma objąć również klientów ePUAP? Od tego zależy cena.",
        "Jaki jest termin składania ofert?",
        "Mamy pytanie dotyczące zakresu – proszę o kontakt.",
    ],
)
def test_it_reads_a_question(text: str) -> None:
    assert read_text(text).kind == "question"


@pytest.mark.parametrize(
    ("text", "done", "target"),
    [
        ("do dnia 7 czerwca zrealizowaliśmy 250 z 400 wywiadów (62,5%).", 250, 400),
        ("stan realizacji: zrealizowano 372 wywiady z 400 (93%).", 372, 400),
        ("Stan realizacji: 300/400 ankiet.", 300, 400),
        ("Do dziś przeprowadziliśmy 180 wywiadów.", 180, None),
    ],
)
def test_it_reads_progress(text: str, done: int, target: int | None) -> None:
    reading = read_text(text)
    assert reading.kind == "progress"
    assert reading.progress is not None
    assert (reading.progress.done, reading.progress.target) == (done, target)


def test_it_reads_a_results_delivery_with_data_and_report() -> None:
    reply = ReplyText(
        sender="l.pawlak@datapol.example.pl",
        subject="Wyniki badania [IN13-2027-REA-q96x60hv]",
        new_text="w załączeniu raport końcowy (PDF) oraz zbiór danych (SAV).",
        attachments=(
            Attachment("Raport.pdf", "application/pdf", b"%PDF-1.4"),
            Attachment("Dane.sav", "application/octet-stream", b"$FL2"),
        ),
    )
    assert read_reply(reply).kind == "results"


def test_it_does_not_take_a_cost_estimate_for_results() -> None:
    reply = ReplyText(
        sender="v@x.example.pl",
        subject="Oferta",
        new_text="W załączeniu przesyłamy ofertę i kosztorys.",
        attachments=(Attachment("Kosztorys.xlsx", "application/vnd.ms-excel", b"junk"),),
    )
    assert read_reply(reply).kind == "quote"


def test_it_calls_an_acknowledgement_other_without_review() -> None:
    reading = read_text("potwierdzam otrzymanie zapytania.")
    assert (reading.kind, reading.needs_review) == ("other", False)


def test_it_does_not_take_a_reference_in_an_offer_for_a_progress_report() -> None:
    reading = read_text(
        "W 2026 r. przeprowadziliśmy 12 000 wywiadów dla samorządów. Cena netto 12 300 zł."
    )
    assert reading.kind == "quote" and reading.progress is None


def test_it_asks_a_person_about_a_contractor_message_it_does_not_understand() -> None:
    reading = read_text(
        "W załączeniu projekt kwestionariusza.", subject="Re: x [IN13-2027-REA-q96x60hv]"
    )
    assert (reading.kind, reading.needs_review) == ("other", True)


def test_it_flags_money_in_a_message_it_cannot_place() -> None:
    reading = read_text("Informujemy, że faktura na 12 300 zł została wystawiona.")
    assert reading.needs_review is True


@pytest.mark.parametrize(
    "text",
    [
        "Jeśli termin nie zostanie przesunięty, nie złożymy oferty.",
        "Nie złożymy oferty w tym terminie. Czy możliwe jest przesunięcie na lipiec?",
    ],
)
def test_it_asks_a_person_about_a_conditional_decline(text: str) -> None:
    reading = read_text(text)
    assert (reading.kind, reading.needs_review) == ("decline", True)


def test_it_asks_a_person_about_attachments_it_cannot_read() -> None:
    reply = ReplyText(
        sender="v@x.example.pl",
        subject="Re: zapytanie",
        new_text="Dzień dobry, przesyłam.",
        attachments=(Attachment("skan.jpg", "image/jpeg", b"\xff\xd8\xff"),),
    )
    reading = read_reply(reply)
    assert reading.needs_review is True
    assert any("skan.jpg" in reason for reason in reading.reasons)
