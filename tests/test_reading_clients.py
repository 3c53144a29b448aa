"""Replies shaped as Outlook, Gmail, Thunderbird, Apple/iPhone and Outlook mobile send them.

The builders here are shared by the other reading tests: each writes a real RFC 5322 message
(stdlib ``email``) with the client's quoting style under the author's text, our inquiry
quoted below it. :func:`read_raw` reads such bytes the way the daemon does: through
``mailflow.mail.parse`` when it is importable, else the stdlib fallback.
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from mailflow.reading import Attachment, Reading, ReplyText, read_reply
from mailflow.reading.simple_eml import reply_from_bytes

OFFICE_NIP = "7743397553"
INQUIRY = """Szanowni Państwo,

Urząd Miasta Przykładowo zwraca się z prośbą o podanie ceny za przeprowadzenie badania \
satysfakcji klientów Urzędu Miasta w 2027 r. (znak sprawy: OS.0543.3.2027).
Realizacja 400 wywiadów bezpośrednich. Termin realizacji: do 15.06.2027 r.
Wartość zamówienia nie przekracza 130 000 zł netto.
Poprzednie badanie zrealizowano na podstawie umowy nr OS.272.14.2026 z dnia 12.04.2026 r.
Zamawiający: Gmina Miasto Przykładowo, pl. Ratuszowy 1, 09-400 Przykładowo, NIP 774-339-75-53, \
rachunek bankowy: 37 1020 6675 6171 1516 1678 4966
Osoba do kontaktu: Anna Wrona, tel. 24 367 15 80

Z poważaniem
Anna Wrona
"""
SUBJECT = "Zapytanie o cenę - badanie satysfakcji klientów Urzędu Miasta 2027"
TAG = "[IN13-2027-ZO-7kq2mx4d]"
FROM_US = "Urząd Miasta Przykładowo <ankieta+7kq2mx4d@um.example.pl>"


def _quoted(lines: str) -> str:
    return "\n".join("> " + line if line else ">" for line in lines.split("\n"))


def outlook(body: str, inquiry: str = INQUIRY, ui: str = "pl") -> str:
    """Outlook desktop: the original under a header block, not '>'-prefixed."""
    if ui == "en":
        head = f"From: {FROM_US}\nSent: Monday, March 1, 2027 9:15 AM\nTo: x@example.pl\n"
        head += f"Subject: {SUBJECT} {TAG}\n"
    else:
        head = f"Od: {FROM_US}\nWysłano: poniedziałek, 1 marca 2027 09:15\nDo: x@example.pl\n"
        head += f"Temat: {SUBJECT} {TAG}\n"
    return f"{body}\n\n{head}\n{inquiry}"


def gmail(body: str, inquiry: str = INQUIRY) -> str:
    attribution = f"W dniu pon., 1 mar 2027 o 09:15 {FROM_US}\nnapisał(a):"
    return f"{body}\n\n{attribution}\n\n{_quoted(inquiry)}"


def thunderbird(body: str, inquiry: str = INQUIRY) -> str:
    return (
        f"{body}\n\nW dniu 01.03.2027 o 09:15, Urząd Miasta Przykładowo pisze:\n{_quoted(inquiry)}"
    )


def iphone(body: str, inquiry: str = INQUIRY) -> str:
    attribution = f"> Wiadomość napisana przez {FROM_US} w dniu 01.03.2027, o godz. 09:15:"
    return f"{body}\n\nWysłane z iPhone’a\n\n{attribution}\n>\n{_quoted(inquiry)}"


def outlook_mobile(body: str, inquiry: str = INQUIRY) -> str:
    head = f"Od: {FROM_US}\nWysłano: poniedziałek, 1 marca 2027 09:15\nTemat: {SUBJECT} {TAG}"
    return (
        f"{body}\n\nPobierz aplikację Outlook dla systemu Android\n{'_' * 32}\n{head}\n\n{inquiry}"
    )


CLIENTS = {
    "outlook": outlook,
    "gmail": gmail,
    "thunderbird": thunderbird,
    "iphone": iphone,
    "outlook_mobile": outlook_mobile,
}


def raw_message(
    text: str,
    *,
    subject: str = f"RE: {SUBJECT} {TAG}",
    sender: str = "Jan Kowalczyk <j.kowalczyk@vendor.example.pl>",
    charset: str = "utf-8",
    attachments: tuple[Attachment, ...] = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "ankieta+7kq2mx4d@um.example.pl"
    message["Subject"] = subject
    message["Date"] = "Tue, 02 Mar 2027 10:14:33 +0100"
    message["Message-ID"] = "<test@vendor.example.pl>"
    message.set_content(text, charset=charset)
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message.as_bytes()


def read_raw(raw: bytes) -> Reading:
    """Read raw bytes the way the daemon does (mail parser if present, else the fallback)."""
    try:
        from mailflow.mail.parse import parse_message
    except ImportError:
        return read_reply(reply_from_bytes(raw))
    parsed = parse_message(raw)
    return Reading(
        kind=parsed.kind,
        quote=parsed.quote,
        decision=parsed.decision,
        progress=parsed.progress,
        needs_review=parsed.needs_review,
        reasons=parsed.reasons,
    )


def read_text(text: str, **kw: object) -> Reading:
    """Read a ReplyText made directly from a string (no MIME at all)."""
    return read_reply(
        ReplyText(
            sender="v@vendor.example.pl",
            subject=str(kw.get("subject", "")),
            new_text=text,
            signature=str(kw.get("signature", "")),
        )
    )


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_it_keeps_our_quoted_inquiry_out_of_the_new_text(client: str) -> None:
    reply = reply_from_bytes(raw_message(CLIENTS[client]("Cena netto: 12 300,00 zł")))
    assert "12 300,00" in reply.new_text
    assert "130 000" not in reply.new_text
    assert "774-339-75-53" not in reply.new_text


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_it_reads_a_short_reply_from_every_client_without_our_figures(client: str) -> None:
    text = CLIENTS[client]("Dzień dobry, nasza cena to 12 300,00 zł netto.\nPozdrawiam")
    reading = read_raw(raw_message(text))
    assert reading.kind == "quote"
    assert reading.quote is not None
    assert reading.quote.net is not None and str(reading.quote.net) == "12300.00"
    assert reading.quote.gross is None
    assert reading.quote.vendor_nip is None  # the only NIP is the office's, in the quote
    assert reading.needs_review is False


@pytest.mark.parametrize("charset", ["iso-8859-2", "windows-1250", "utf-8"])
def test_it_reads_polish_charsets(charset: str) -> None:
    text = outlook("Cena brutto: 15 129,00 zł, w tym VAT 23%.\nZ poważaniem\nŁukasz Żółć")
    reading = read_raw(raw_message(text, charset=charset))
    assert reading.quote is not None
    assert str(reading.quote.gross) == "15129.00"
    assert str(reading.quote.net) == "12300.00"


def test_it_reads_an_html_only_outlook_web_reply() -> None:
    message = EmailMessage()
    message["From"] = "a@vendor.example.pl"
    message["To"] = "ankieta@um.example.pl"
    message["Subject"] = f"RE: {SUBJECT} {TAG}"
    message.set_content(
        "<html><body><div>Dzień dobry,</div><table>"
        "<tr><td>Cena netto</td><td>12&nbsp;300,00&nbsp;zł</td></tr>"
        "<tr><td>Cena brutto</td><td>15&nbsp;129,00&nbsp;zł</td></tr></table>"
        '<div id="divRplyFwdMsg"><hr><b>Od:</b> Urząd &lt;ankieta@um.example.pl&gt;<br>'
        "<b>Wysłane:</b> pon<br><b>Temat:</b> x</div>"
        "<div>Wartość zamówienia nie przekracza 130 000 zł netto. NIP 774-339-75-53</div>"
        "</body></html>",
        subtype="html",
    )
    reading = read_raw(message.as_bytes())
    assert reading.quote is not None
    assert (str(reading.quote.net), str(reading.quote.gross)) == ("12300.00", "15129.00")
    assert reading.quote.vendor_nip is None
    assert reading.needs_review is False
