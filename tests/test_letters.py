"""Every letter, called with sample data, reads as formal Polish with nothing internal in it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest

from mailflow import letters
from mailflow.config import Addressing, load_config
from tests.configs import TEST_ENV, write_config
from tests.letter_checks import leaks

DEADLINE = datetime(2027, 2, 10, 11, 0, tzinfo=UTC)  # 12:00 in Warsaw (CET)
SUMMER = datetime(2027, 6, 18, 21, 59, tzinfo=UTC)  # 23:59 in Warsaw (CEST)
DAY = date(2027, 6, 11)
COMMENT = "Proszę uzupełnić wnioski o porównanie z 2026 r."
SUMMARY = ["liczba respondentów: 400", "najniżej oceniony: czas oczekiwania (45%)"]

Sample = Callable[[], letters.Letter]
# Every public letter function with sample data, each optional path at least once.
SAMPLES: dict[str, list[Sample]] = {
    "call_for_topics": [
        lambda: letters.call_for_topics(2027, date(2027, 1, 29)),
        lambda: letters.call_for_topics(2027, date(2027, 1, 29), deadline=DEADLINE),
    ],
    "topics_reminder": [lambda: letters.topics_reminder(2027, date(2027, 1, 29))],
    "topics_received": [
        lambda: letters.topics_received(0),
        lambda: letters.topics_received(2, topics=["Kolejki w BOK", "Formularze"]),
    ],
    "catalogue_for_confirmation": [
        lambda: letters.catalogue_for_confirmation(2027, ["Kolejki w BOK"]),
        lambda: letters.catalogue_for_confirmation(2027, [], deadline=DAY),
    ],
    "price_inquiry": [
        lambda: letters.price_inquiry(2027, DEADLINE, "Kwadrant Badania Społeczne sp. z o.o."),
        lambda: letters.price_inquiry(
            2027, DEADLINE, "Sonda S.A.", late_offers="accepted_until_comparison"
        ),
        lambda: letters.price_inquiry(2027, DEADLINE, "Sonda S.A.", offer_form="form_required"),
    ],
    "inquiry_reminder": [lambda: letters.inquiry_reminder(2027, DEADLINE)],
    "quote_received": [
        lambda: letters.quote_received("11 500,00 zł", "14 145,00 zł"),
        lambda: letters.quote_received("9 800,00 zł", "12 054,00 zł", True, deadline=DEADLINE),
        lambda: letters.quote_received(
            "1,00 zł", "1,23 zł", True, late_offers="accepted_until_comparison", in_comparison=True
        ),
        lambda: letters.quote_received(
            "1,00 zł", "1,23 zł", True, late_offers="accepted_until_comparison"
        ),
    ],
    "decline_received": [letters.decline_received],
    "comparison_for_manager": [
        lambda: letters.comparison_for_manager(2027, 3, "12 433,33 zł"),
        lambda: letters.comparison_for_manager(
            2027, 0, "0,00 zł", deadline=DAY, summary=["Kwadrant: 11 500,00 zł netto"]
        ),
    ],
    "catalogue_to_contractor": [
        lambda: letters.catalogue_to_contractor(2027, DAY, "OS.272.5.2027"),
        lambda: letters.catalogue_to_contractor(
            2027, DAY, "OS.272.5.2027", questionnaire_by=date(2027, 3, 1)
        ),
    ],
    "questionnaire_for_acceptance": [
        lambda: letters.questionnaire_for_acceptance(2027, 1),
        lambda: letters.questionnaire_for_acceptance(2027, 2, deadline=DAY, summary=SUMMARY),
    ],
    "questionnaire_accepted": [lambda: letters.questionnaire_accepted(DAY)],
    "questionnaire_returned": [
        lambda: letters.questionnaire_returned(COMMENT),
        lambda: letters.questionnaire_returned(COMMENT, deadline=SUMMER),
    ],
    "behind_schedule": [
        lambda: letters.behind_schedule(110, 400, 295, DAY),
        lambda: letters.behind_schedule(0, 1, 1, DAY, asked="Anna Wrona (koordynator badania)"),
        lambda: letters.behind_schedule(0, 1, 1, DAY, asked="Kwadrant sp. z o.o."),
    ],
    "weekly_digest": [
        lambda: letters.weekly_digest(2027, step=4, survey_by=DAY),
        lambda: letters.weekly_digest(
            2027, step=4, done=180, target=400, reported_on=DAY, survey_by=DAY
        ),
    ],
    "progress_request": [
        lambda: letters.progress_request(2027, 5, DAY),
        lambda: letters.progress_request(2027, 1, DAY, last_report="3 czerwca 2027 r."),
    ],
    "contractor_silent": [
        lambda: letters.contractor_silent("Kwadrant Badania Społeczne sp. z o.o.", 8, DAY)
    ],
    "memo_for_approval": [
        partial(letters.memo_for_approval, 2027, role, round_no, comment)
        for role in ("coordinator", "os_manager", "plenipotentiary", "mayor", "koordynator (OS)")
        for round_no, comment in ((1, None), (2, COMMENT))
    ]
    + [lambda: letters.memo_for_approval(2027, "mayor", 1, None, deadline=DAY, summary=SUMMARY)],
    "results_returned_to_contractor": [
        lambda: letters.results_returned_to_contractor(COMMENT, deadline=SUMMER)
    ],
    "approval_reminder": [
        partial(letters.approval_reminder, item, DAY)
        for item in ("catalogue", "comparison", "questionnaire", "memo", "audit", "publication")
    ]
    + [lambda: letters.approval_reminder("memo", DAY, escalate_on=SUMMER, summary=SUMMARY)],
    "escalation": [
        lambda: letters.escalation("memo", "Jan Kowalski", "Prezydent Miasta"),
        lambda: letters.escalation("publication", "Elżbieta Sowa", "plenipotentiary"),
        lambda: letters.escalation("catalogue", "Anna Wrona", deadline=DAY, summary=SUMMARY),
    ],
    "stalled": [
        lambda: letters.stalled("memo", "Prezydent Miasta"),
        lambda: letters.stalled("catalogue", "koordynator (OS)", asked="Tomasz Lis"),
    ],
    "no_deputy": [
        lambda: letters.no_deputy("catalogue", "koordynator (OS)"),
        lambda: letters.no_deputy("memo", "mayor"),
    ],
    "decision_confirmed": [
        partial(letters.decision_confirmed, item, verdict)
        for item in ("catalogue", "comparison", "questionnaire", "memo", "audit")
        for verdict in ("approve", "return")
    ],
    "audit_order_for_confirmation": [
        lambda: letters.audit_order_for_confirmation(2027, 1),
        lambda: letters.audit_order_for_confirmation(2027, 0, deadline=DAY, summary=SUMMARY),
    ],
    "audit_order_to_team": [
        lambda: letters.audit_order_to_team(2027),
        lambda: letters.audit_order_to_team(2027, audit_by=DAY, report_by=date(2027, 7, 23)),
    ],
    "action_recorded": [
        lambda: letters.action_recorded(
            1, "corrective", "Dodatkowe stanowisko", "Kierownik OS", DAY
        )
    ],
    "action_assigned": [
        lambda: letters.action_assigned(2027, 2, "preventive", "Przegląd kolejek", DAY),
        lambda: letters.action_assigned(
            2027, 3, "correction", "Poprawa tablicy", DAY, owner="Halina Nowak"
        ),
    ],
    "action_reminder": [lambda: letters.action_reminder(1, "Dodatkowe stanowisko", DAY)],
    "actions_done": [
        lambda: letters.actions_done([1]),
        lambda: letters.actions_done([1, 2, 3], still_open=0),
        lambda: letters.actions_done([2], still_open=4),
    ],
    "action_overdue": [
        lambda: letters.action_overdue(1, "Dodatkowe stanowisko", DAY, owner="Kierownik OS")
    ],
    "audit_returned": [lambda: letters.audit_returned(COMMENT)],
    "publication_question": [
        lambda: letters.publication_question(2027),
        lambda: letters.publication_question(2027, deadline=DAY, summary=SUMMARY),
    ],
    "publication_done": [
        partial(letters.publication_done, place)
        for place in ("BIP", "strona internetowa Urzędu", "intranet", "bez publikacji")
    ],
    "coordinator_notice": [lambda: letters.coordinator_notice("Tytuł", "Treść wiadomości.")],
    "late_offer_notice": [
        lambda: letters.late_offer_notice("Opinia Wschód sp. j.", "o@badania.pl", "9 800,00 zł"),
        lambda: letters.late_offer_notice(
            "Opinia Wschód sp. j.",
            "o@badania.pl",
            "9 800,00 zł",
            late_offers="accepted_until_comparison",
            in_comparison=True,
        ),
    ],
    "offer_to_check": [lambda: letters.offer_to_check("Sonda Instytut Badawczy S.A.")],
    "vendor_question": [
        lambda: letters.vendor_question("Sonda S.A.", "biuro@sonda.pl", "Czy CATI wystarczy")
    ],
    "contractor_question": [
        lambda: letters.contractor_question("Kwadrant", "k@badania.pl", "Czy możemy zacząć")
    ],
    "more_vendors_needed": [
        lambda: letters.more_vendors_needed("Ankietix sp. z o.o. nie złoży oferty", 2, 3),
        lambda: letters.more_vendors_needed("Zapytanie niedoręczone.", 1, 3, ["DataPol", "Sonda"]),
        lambda: letters.more_vendors_needed("Odmowa", 1, 3, ["Sonda Instytut Badawczy S.A."]),
    ],
    "no_offers": [lambda: letters.no_offers(2027)],
    "comparison_decided": [
        lambda: letters.comparison_decided("approve"),
        lambda: letters.comparison_decided("return", COMMENT),
    ],
    "undelivered": [lambda: letters.undelivered("widmo@nieistnieje.example.pl")],
    "survey_term_passed": [lambda: letters.survey_term_passed(DAY)],
    "quarantine_notice": [
        lambda: letters.quarantine_notice(
            "e.sowa@poczta.example.net",
            "Re: Wyniki badania",
            "sender e.sowa@poczta.example.net is not elzbieta.sowa@um.example.pl, "
            "to whom this step's e-mail was sent",
        ),
        lambda: letters.quarantine_notice("x@example.pl", "Pytanie", "something new went wrong"),
    ],
}
ALL_SAMPLES = [
    pytest.param(sample, id=f"{name}-{i}")
    for name, samples in SAMPLES.items()
    for i, sample in enumerate(samples)
]


def test_every_public_letter_function_has_samples() -> None:
    public = {
        name
        for name, function in inspect.getmembers(letters, inspect.isfunction)
        if function.__module__ == letters.__name__
        and not name.startswith("_")
        and inspect.signature(function).return_annotation in ("Letter", letters.Letter)
    }
    assert public == set(SAMPLES)


@pytest.mark.parametrize("sample", ALL_SAMPLES)
def test_no_letter_contains_english_codes_commands_or_placeholders(sample: Sample) -> None:
    subject, body = sample()
    assert leaks(subject + "\n" + body) == []


@pytest.mark.parametrize("sample", ALL_SAMPLES)
def test_every_letter_starts_with_a_capital_and_ends_a_sentence(sample: Sample) -> None:
    subject, body = sample()
    assert subject and body[0].isupper(), body[:40]
    assert "  \n" not in body and "\n\n\n" not in body
    assert ".." not in body.replace("…", "")


REQUESTS_WITH_DEADLINE = [
    lambda: letters.call_for_topics(2027, date(2027, 1, 29), deadline=DEADLINE),
    lambda: letters.price_inquiry(2027, DEADLINE, "Kwadrant"),
    lambda: letters.catalogue_for_confirmation(2027, ["A"], deadline=DEADLINE),
    lambda: letters.comparison_for_manager(2027, 3, "1 zł", deadline=DEADLINE),
    lambda: letters.questionnaire_for_acceptance(2027, 1, deadline=DEADLINE),
    lambda: letters.memo_for_approval(2027, "mayor", 1, None, deadline=DEADLINE),
    lambda: letters.audit_order_for_confirmation(2027, 2, deadline=DEADLINE),
    lambda: letters.publication_question(2027, deadline=DEADLINE),
    lambda: letters.escalation("memo", "Jan Kowalski", "mayor", deadline=DEADLINE),
]


@pytest.mark.parametrize("request_letter", REQUESTS_WITH_DEADLINE)
def test_a_request_says_by_when_in_warsaw_time_and_how_to_answer(
    request_letter: Sample,
) -> None:
    _subject, body = request_letter()
    assert "10 lutego 2027 r., godz. 12:00" in body  # 11:00 UTC
    assert "Jak odpowiedzieć:" in body
    if "oferty cenowej" not in body:  # an offer is more than a word; a decision is one
        assert "jednym słowem" in body


@pytest.mark.parametrize("item", ["catalogue", "comparison", "memo", "audit"])
def test_a_decision_request_names_the_word_and_its_alternative(item: str) -> None:
    _subject, body = letters.approval_reminder(item, DAY)
    assert "ZATWIERDZAM –" in body and "ZWRACAM –" in body


def test_the_publication_question_lists_every_answer_and_no_approval_word() -> None:
    _subject, body = letters.publication_question(2027)
    for word in ("BIP –", "STRONA –", "INTRANET –", "BRAK –"):
        assert word in body
    assert "ZATWIERDZAM" not in body and "do akceptacji" not in body


def test_brak_is_confirmed_as_no_topics() -> None:
    subject, body = letters.topics_received(0)
    assert "brak propozycji" in subject and "(0)" not in body and "0 zagadnień" not in body


def test_the_late_offer_e_mails_follow_one_rule() -> None:
    rule = "Oferty złożone po upływie terminu nie będą rozpatrywane."
    assert rule in letters.price_inquiry(2027, DEADLINE, "Kwadrant")[1]
    assert rule in letters.inquiry_reminder(2027, DEADLINE)[1]
    for text in (
        letters.quote_received("1 zł", "1 zł", True)[1],
        letters.late_offer_notice("Opinia", "o@x.pl", "1 zł")[1],
    ):
        assert "oferty złożone po upływie terminu nie są rozpatrywane" in text
        assert "zdecyduje" not in text and "zostanie rozpatrzona" not in text
    until = "accepted_until_comparison"
    assert (
        "jeżeli wpłynie przed sporządzeniem zestawienia ofert"
        in letters.price_inquiry(2027, DEADLINE, "K", late_offers=until)[1]
    )
    early = letters.quote_received("1 zł", "1 zł", True, late_offers=until, in_comparison=True)
    assert "zostanie rozpatrzona" in early[1]
    after = letters.late_offer_notice("Opinia", "o@x.pl", "1 zł", late_offers=until)
    assert "nie zostanie rozpatrzona" in after[1]


def test_an_offer_form_rule_drops_the_offer_in_the_body() -> None:
    body = letters.price_inquiry(2027, DEADLINE, "K", offer_form="form_required")[1]
    assert "wyłącznie w treści wiadomości nie będzie rozpatrywana" in body
    assert "Można też podać" not in body


def test_the_mayor_is_submitted_the_results_by_the_plenipotentiary() -> None:
    subject, body = letters.memo_for_approval(2027, "Prezydent Miasta", 2, None, summary=SUMMARY)
    assert subject.startswith("Wyniki badania satysfakcji klientów 2027 – do akceptacji")
    assert "Pełnomocnik ds. ZSZ, po analizie wyników, przedkłada" in body
    assert "liczba respondentów: 400" in body


def test_a_request_to_act_names_the_one_person_asked() -> None:
    _s, body = letters.behind_schedule(10, 400, 200, DAY, asked="Anna Wrona (koordynator badania)")
    assert "podejmuje: Anna Wrona (koordynator badania)." in body
    _s, body = letters.no_deputy("catalogue", "koordynator (OS)")
    assert "podejmuje: Kierownik OS." in body  # the coordinator is the silent one
    _s, body = letters.stalled("memo", "mayor")
    assert "podejmuje: koordynator badania." in body


def test_known_quarantine_reasons_are_told_in_polish_and_unknown_ones_are_not_quoted() -> None:
    _s, body = letters.quarantine_notice("x@example.pl", "Re: Katalog", "no correlation token")
    assert "nie udało się przypisać do żadnej sprawy" in body
    _s, body = letters.quarantine_notice("x@example.pl", "Re: Katalog", "KeyError: 'foo'")
    assert "KeyError" not in body and "wymaga sprawdzenia" in body


# -------------------------------------------------------------- salutation and signature


@pytest.mark.parametrize(
    ("gender", "title", "expected"),
    [
        ("f", "Kierownik", "Szanowna Pani Kierownik,"),
        ("m", "Prezydencie", "Szanowny Panie Prezydencie,"),
        ("f", "", "Szanowna Pani,"),
        ("m", "", "Szanowny Panie,"),
        ("", "", "Szanowni Państwo,"),
    ],
)
def test_the_salutation_follows_gender_and_title(gender: str, title: str, expected: str) -> None:
    assert letters.salutation(Addressing(gender, title)) == expected


def test_the_envelope_greets_by_title_and_signs_with_the_configured_person(
    tmp_path: Path,
) -> None:
    config = load_config(write_config(tmp_path), env=TEST_ENV)
    text = letters.envelope("Treść.", config, "Prezydent@um.example.pl", "OS.0543.3.2027")
    assert text.startswith("Szanowny Panie Prezydencie,\n\nTreść.\n\nZ poważaniem\nAnna Wrona\n")
    for line in (
        "inspektor",
        "Oddział Komunikacji Społecznej",
        "tel. 24 364 10 42",
        "e-mail: anna.wrona@um.example.pl",
        "Znak sprawy: OS.0543.3.2027",
    ):
        assert line in text
    assert config.web.base_url in text  # people of the office get the status page
    firm = letters.envelope("Treść.", config, "oferty@kwadrant.example.pl", "OS.0543.3.2027")
    assert firm.startswith("Szanowni Państwo,") and config.web.base_url not in firm
    own = letters.envelope("Treść.", config, "anna.wrona@um.example.pl", "OS.0543.3.2027")
    assert own.startswith("Szanowna Pani,") and "Z poważaniem" not in own
    assert leaks(text) == [] and leaks(firm) == []


def test_money_is_formatted_or_a_dash() -> None:
    assert letters.money(Decimal("12300")) == "12\u00a0300,00\u00a0zł"
    assert letters.money(None) == "—"


def test_the_summaries_give_an_approver_the_figures_in_polish() -> None:
    report = {
        "respondents": 400,
        "questions": [
            {"id": "P1", "label": "P1. Uprzejmość", "mean": 4.21, "top2_share": 0.84},
            {"id": "P3", "label": "P3. Czas oczekiwania", "mean": 3.2, "top2_share": 0.45},
            {"id": "P9", "label": "P9. Bez ocen", "mean": None},
        ],
    }
    lines = letters.results_summary(report, ["P3: oceny 4–5 poniżej progu 60%."])
    assert lines == [
        "liczba ankiet: 400",
        "najwyżej oceniane: P1. Uprzejmość – średnia 4,21, oceny 4–5: 84%",
        "najniżej oceniane: P3. Czas oczekiwania – średnia 3,20, oceny 4–5: 45%",
        "nieprawidłowości: 1 – P3: oceny 4–5 poniżej progu 60%",
    ]
    assert letters.results_summary({"questions": []}) == ["nieprawidłowości: nie stwierdzono"]
    (offer,) = letters.offers_summary([("Kwadrant", Decimal("11500"), Decimal("14145"))])
    assert offer == "Kwadrant: 11\u00a0500,00\u00a0zł netto, 14\u00a0145,00\u00a0zł brutto"
    _s, body = letters.memo_for_approval(2027, "mayor", 1, None, summary=lines)
    assert "Najważniejsze wyniki:\n  – liczba ankiet: 400" in body and leaks(body) == []
