import hashlib
import random
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailflow.errors import UserError
from mailflow.mail.decode import Limits
from mailflow.mail.parse import parse_file, parse_message

CONTRACT_KEYS = {
    "kind", "from", "subject", "token", "needs_review", "reasons", "attachments", "quote",
    "decision", "bounce",
}  # fmt: skip


def _reply(body: str, subject: str = "RE: Zapytanie [IN13-2027-ZO-1rcwd4r0]") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Jan <J.Kowalczyk@kwadrant.example.pl>"
    msg["To"] = "ankieta+1rcwd4r0@um.example.pl"
    msg["Subject"] = subject
    msg["Message-ID"] = "<abc@kwadrant.example.pl>"
    msg.set_content(body)
    return msg


def test_it_gives_the_contract_json_shape() -> None:
    msg = _reply("Cena 12 300,00 zł netto.")
    msg.add_attachment(b"%PDF", "application", "pdf", filename="oferta.pdf")
    data = parse_message(msg.as_bytes()).to_json()
    assert set(data) >= CONTRACT_KEYS
    assert data["from"] == "j.kowalczyk@kwadrant.example.pl"
    assert data["token"] == "1rcwd4r0"
    assert data["token_source"] == "plus_address"
    assert data["attachments"] == [
        {
            "filename": "oferta.pdf",
            "content_type": "application/pdf",
            "size": 4,
            "sha256": hashlib.sha256(b"%PDF").hexdigest(),
        }
    ]
    assert data["bounce"] is None


def test_it_hands_only_the_new_text_to_the_reply_reader() -> None:
    body = (
        "Zwracam do poprawy: brak porównania.\n\nT. Lis\n\nOd: IN-13 <ankieta+z01ryr16@um."
        "example.pl>\nWysłano: czwartek\nDo: Tomasz Lis\nTemat: Wyniki\n\nZATWIERDZAM albo ZWRACAM"
    )
    parsed = parse_message(_reply(body).as_bytes())
    assert parsed.reply is not None
    assert parsed.reply.new_text == "Zwracam do poprawy: brak porównania.\n\nT. Lis"
    assert "ZATWIERDZAM" in parsed.reply.quoted_text
    assert parsed.reply.sender == "j.kowalczyk@kwadrant.example.pl"


def test_it_never_reads_an_auto_reply_as_a_reply() -> None:
    msg = _reply("Cena 12 300,00 zł netto.", "Automatic reply: Zapytanie [IN13-2027-ZO-1rcwd4r0]")
    parsed = parse_message(msg.as_bytes())
    assert (parsed.kind, parsed.reply, parsed.quote) == ("auto_reply", None, None)


def test_it_reads_the_message_inside_a_forward_written_inline() -> None:
    body = (
        "Przekazuję ofertę.\n\n---------- Wiadomość przekazana dalej ---------\n"
        "Od: Sylwia <s.kolodziej@rzetelnie.example.pl>\nDate: sob., 6 mar 2027\n"
        "Temat: Oferta [IN13-2027-ZO-3s1f08fa]\nDo: anna.wrona@um.example.pl\n\n"
        "cena netto 16 200,00 zł\n"
    )
    msg = _reply(body, "Fwd: Oferta")
    del msg["To"]
    msg["To"] = "ankieta@um.example.pl"
    parsed = parse_message(msg.as_bytes())
    assert parsed.forwarded
    assert parsed.author == "s.kolodziej@rzetelnie.example.pl"
    assert parsed.reply is not None and parsed.reply.new_text == "cena netto 16 200,00 zł"
    assert parsed.token == "3s1f08fa"


def test_it_flags_different_tokens_in_the_headers_for_review() -> None:
    parsed = parse_message(_reply("tekst", "RE: Zapytanie [IN13-2027-ZO-2y1acerx]").as_bytes())
    assert parsed.needs_review
    assert "different tokens in the headers: 1rcwd4r0, 2y1acerx" in parsed.reasons


def test_it_flags_a_message_over_the_size_limit_for_review_with_its_token() -> None:
    parsed = parse_message(_reply("x" * 5000).as_bytes(), limits=Limits(max_message_bytes=2000))
    assert (parsed.kind, parsed.needs_review, parsed.token) == ("other", True, "1rcwd4r0")
    assert any("over the" in reason for reason in parsed.reasons)


def test_it_raises_a_one_line_user_error_for_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        parse_file(str(tmp_path / "missing.eml"))


def test_it_raises_a_user_error_for_a_file_that_is_not_mail(tmp_path: Path) -> None:
    path = tmp_path / "photo.eml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n binary")
    with pytest.raises(UserError, match="not an e-mail message"):
        parse_file(str(path))


def test_it_raises_a_user_error_for_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UserError):
        parse_file(str(tmp_path))


def test_it_parses_a_file(tmp_path: Path) -> None:
    path = tmp_path / "reply.eml"
    path.write_bytes(_reply("Dzień dobry").as_bytes())
    assert parse_file(str(path)).token == "1rcwd4r0"


def _forward_with_attached_eml(sender: str) -> bytes:
    inner = EmailMessage()
    inner["From"] = "s.kolodziej@rzetelnie.example.pl"
    inner["Subject"] = "Oferta [IN13-2027-ZO-3s1f08fa]"
    inner.set_content("cena netto 16 200,00 zł")
    outer = EmailMessage()
    outer["From"] = sender
    outer["To"] = "ankieta@um.example.pl"
    outer["Subject"] = "PD: Oferta"
    outer.set_content("Przesyłam.")
    outer.add_attachment(inner, filename="oferta.eml")
    return outer.as_bytes()


def test_it_unwraps_a_forward_from_a_configured_official() -> None:
    raw = _forward_with_attached_eml("Anna.Wrona@um.example.pl")
    parsed = parse_message(raw, forwarders={"anna.wrona@um.example.pl"})
    assert (parsed.forwarded, parsed.author) == (True, "s.kolodziej@rzetelnie.example.pl")


def test_it_does_not_unwrap_a_forward_from_anyone_else_when_officials_are_known() -> None:
    raw = _forward_with_attached_eml("stranger@example.com")
    parsed = parse_message(raw, forwarders={"anna.wrona@um.example.pl"})
    assert (parsed.forwarded, parsed.author) == (False, "stranger@example.com")
    assert parsed.token == "3s1f08fa"  # still correlated, for a person to look at


def test_it_never_raises_on_damaged_messages() -> None:
    raw = _forward_with_attached_eml("anna.wrona@um.example.pl")
    rng = random.Random(13)
    for length in range(0, len(raw), 97):
        parse_message(raw[:length])
    for _ in range(150):
        damaged = bytearray(raw)
        for _ in range(25):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        parse_message(bytes(damaged))
