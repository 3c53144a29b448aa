"""Decisions of officials replying to a routing e-mail: approve, return with a comment, unclear."""

from __future__ import annotations

import pytest

from mailflow.reading import Reading, ReplyText, read_reply
from mailflow.reading.kinds import read_decision
from tests.test_reading_clients import raw_message, read_raw

ROUTING_SUBJECT = "RE: Porównanie ofert – prośba o decyzję [IN13-2027-POR-h1phrc4d]"
ROUTING_QUOTE = """Od: IN-13 Badanie satysfakcji <ankieta+h1phrc4d@um.example.pl>
Wysłano: piątek, 19 marca 2027 10:02
Do: Tomasz Lis <tomasz.lis@um.example.pl>
Temat: Porównanie ofert – prośba o decyzję [IN13-2027-POR-h1phrc4d]

Proszę o decyzję, odpowiadając jednym słowem:
ZATWIERDZAM – jeżeli akceptuje Pan porównanie,
ZWRACAM – jeżeli porównanie wymaga poprawy (proszę dopisać uwagi).
Najkorzystniejsza: 13 900,00 zł netto.
"""


def decide(text: str, subject: str = ROUTING_SUBJECT, thread_code: str | None = None) -> Reading:
    return read_reply(
        ReplyText(
            sender="tomasz.lis@um.example.pl",
            subject=subject,
            new_text=text,
            thread_code=thread_code,
        )
    )


@pytest.mark.parametrize(
    "text",
    [
        "ZATWIERDZAM",
        "Zatwierdzam.\n\nTomasz Lis\nKierownik",
        "akceptuję, bez uwag\nE. Sowa",
        "Akceptuje",  # phone keyboard without diacritics
        "Bez uwag.",
        "zatwierdzam, dziękuję",
    ],
)
def test_it_reads_an_approval(text: str) -> None:
    reading = decide(text)
    assert reading.kind == "decision"
    assert reading.decision is not None and reading.decision.verdict == "approve"
    assert reading.needs_review is False


@pytest.mark.parametrize(
    ("text", "comment"),
    [
        ("Zwracam do poprawy: brak porównania z 2026 r.\n\nT. Lis", "brak porównania z 2026 r."),
        (
            "ZWRACAM – proszę uzupełnić tabelę o ceny brutto.",
            "proszę uzupełnić tabelę o ceny brutto.",
        ),
        ("Nie zatwierdzam, brak trzeciej oferty.", "brak trzeciej oferty."),
        ("Proszę poprawić wykres nr 3.", "Proszę poprawić wykres nr 3."),
    ],
)
def test_it_reads_a_return_with_its_comment(text: str, comment: str) -> None:
    reading = decide(text)
    assert reading.decision is not None
    assert (reading.decision.verdict, reading.decision.comment) == ("return", comment)
    assert reading.needs_review is False


@pytest.mark.parametrize(
    "text",
    [
        "ok?",
        "zatwierdzam, ale proszę poprawić tabelę 2",
        "Proszę o telefon w tej sprawie.",
        "",
        "Czy mogę zatwierdzić jutro?",
    ],
)
def test_it_never_guesses_an_unclear_decision(text: str) -> None:
    reading = decide(text)
    assert reading.kind == "decision"
    assert reading.decision is not None and reading.decision.verdict is None
    assert reading.needs_review is True


def test_it_reads_only_the_new_text_not_the_quoted_routing_instructions() -> None:
    raw = raw_message(
        f"Zwracam do poprawy: brak wniosków.\n\n{ROUTING_QUOTE}",
        subject=ROUTING_SUBJECT,
        sender="Tomasz Lis <tomasz.lis@um.example.pl>",
    )
    reading = read_raw(raw)
    assert reading.decision is not None
    assert (reading.decision.verdict, reading.decision.comment) == ("return", "brak wniosków.")


def test_it_uses_the_thread_code_when_the_subject_lost_the_tag() -> None:
    reading = decide("Zatwierdzam", subject="RE: porównanie", thread_code="POR")
    assert reading.decision is not None and reading.decision.verdict == "approve"


def test_it_does_not_take_bez_uwag_outside_a_routed_item_as_a_decision() -> None:
    reading = decide("Poza tym bez uwag.\nRobert", subject="Uwagi BOK do kwestionariusza")
    assert reading.kind == "other" and reading.decision is None


def test_the_decision_reader_alone_says_why() -> None:
    decision, reasons = read_decision("zatwierdzam i zwracam")
    assert decision.verdict is None and "both" in reasons[0]
