from email.message import EmailMessage

import pytest

from mailflow.mail.autoreply import autoreply_reasons, is_bulk


def _message(subject: str = "Re: Zapytanie o cenę", **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "k.wisniewska@kompendium.example.pl"
    msg["Subject"] = subject
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content("tekst")
    return msg


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Auto_Submitted": "auto-generated"},
        {"X_Autoreply": "yes"},
        {"X_Autorespond": "Out of office"},
        {"Precedence": "auto_reply"},
    ],
)
def test_it_trusts_headers_only_automatic_mail_carries(headers: dict[str, str]) -> None:
    msg = _message(**headers)
    assert autoreply_reasons(msg, str(msg["Subject"]), "Dzień dobry")


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: Zapytanie o cenę",
        "Odpowiedź automatyczna: Zapytanie o cenę",
        "Autoodpowiedź: Zapytanie",
        "Out of Office: Zapytanie",
        "Nieobecność: Zapytanie",
    ],
)
def test_it_recognises_exchange_subjects_in_polish_and_english(subject: str) -> None:
    assert autoreply_reasons(_message(subject), subject, "")


def test_it_recognises_a_gmail_vacation_reply_by_its_auto_submitted_header() -> None:
    msg = _message("Re: Zapytanie o cenę", Auto_Submitted="auto-replied")
    assert autoreply_reasons(msg, "Re: Zapytanie o cenę", "jestem na urlopie") == [
        "Auto-Submitted: auto-replied"
    ]


def test_it_does_not_take_auto_submitted_no_for_an_auto_reply() -> None:
    msg = _message(Auto_Submitted="no")
    assert autoreply_reasons(msg, "Re: Zapytanie", "Cena netto 12 300,00 zł") == []


def test_it_needs_two_weak_signs_before_calling_a_message_automatic() -> None:
    suppressed = _message(X_Auto_Response_Suppress="All")
    assert autoreply_reasons(suppressed, "Re: Zapytanie", "Cena netto 12 300,00 zł") == []
    text = "Jestem poza biurem do 8 marca."
    assert autoreply_reasons(suppressed, "Re: Zapytanie", text) == [
        "X-Auto-Response-Suppress: All",
        "out-of-office sentence in the text",
    ]


def test_it_does_not_take_a_vendor_mentioning_a_holiday_for_an_auto_reply() -> None:
    text = "Cena 9 000 zł netto. Uwaga: jestem na urlopie od 20 marca."
    assert autoreply_reasons(_message(), "Re: Zapytanie", text) == []


def test_it_recognises_a_read_receipt() -> None:
    msg = _message("Przeczytano: Zapytanie")
    msg.set_type("multipart/report")
    msg.set_param("report-type", "disposition-notification")
    assert autoreply_reasons(msg, "Przeczytano: Zapytanie", "") == [
        "read receipt (disposition notification)"
    ]


def test_it_marks_newsletters_as_bulk_but_not_as_auto_replies() -> None:
    msg = _message("Newsletter", Precedence="bulk")
    assert is_bulk(msg)
    assert autoreply_reasons(msg, "Newsletter", "Rabat 15%") == []
    assert not is_bulk(_message())
