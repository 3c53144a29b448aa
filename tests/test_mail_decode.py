import struct
from email.message import EmailMessage

from mailflow.mail.decode import MB, Limits, decode_message


def _tnef(body: bytes, files: dict[str, bytes]) -> bytes:
    """A minimal TNEF stream (winmail.dat) as Outlook writes it: a body and attachments."""

    def attribute(level: int, name: int, kind: int, data: bytes) -> bytes:
        header = struct.pack("<BHHI", level, name, kind, len(data))
        return header + data + struct.pack("<H", sum(data) & 0xFFFF)

    blob = struct.pack("<IH", 0x223E9F78, 1) + attribute(1, 0x800C, 2, body)
    for name, data in files.items():
        blob += attribute(2, 0x9002, 6, bytes(14))  # starts an attachment
        blob += attribute(2, 0x8010, 1, name.encode() + b"\x00")
        blob += attribute(2, 0x800F, 6, data)
    return blob


def _part(msg: EmailMessage, index: int) -> EmailMessage:
    part = msg.get_payload()[index]  # type: ignore[index]
    assert isinstance(part, EmailMessage)
    return part


def _outlook_reply(plain: str, html: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Jan Kowalczyk <J.Kowalczyk@Kwadrant.example.pl>"
    msg["To"] = "ankieta+1rcwd4r0@um.example.pl"
    msg["Subject"] = "RE: Zapytanie o cenę – badanie [IN13-2027-ZO-1rcwd4r0]"
    msg.set_content(plain, charset="iso-8859-2", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="iso-8859-2", cte="quoted-printable")
    return msg


def test_it_prefers_the_text_alternative_and_decodes_iso_8859_2() -> None:
    decoded = decode_message(_outlook_reply("Cena netto: 12 300,00 zł", "<p>HTML</p>").as_bytes())
    assert decoded.text.strip() == "Cena netto: 12 300,00 zł"
    assert decoded.sender == "j.kowalczyk@kwadrant.example.pl"
    assert decoded.subject == "RE: Zapytanie o cenę – badanie [IN13-2027-ZO-1rcwd4r0]"


def test_it_reads_an_html_only_message_as_sanitised_text() -> None:
    msg = EmailMessage()
    msg["From"] = "a@b.example.pl"
    msg.set_content("<p>Akceptuję</p><script>evil()</script>", subtype="html")
    assert decode_message(msg.as_bytes()).text == "Akceptuję"


def test_it_decodes_rfc2047_headers_and_rfc2231_filenames() -> None:
    raw = (
        b"From: =?utf-8?Q?Monika_Krawczyk?= <m.krawczyk@lcbr.example.pl>\r\n"
        b"Subject: =?utf-8?Q?Oferta_=E2=80=93_=C5=81=C3=B3d=C5=BA?=\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nW za\xc5\x82\xc4\x85czeniu.\r\n"
        b"--b\r\nContent-Type: application/pdf; name*=UTF-8''Oferta_%C5%81%C3%93D%C5%B9.pdf\r\n"
        b"Content-Disposition: attachment; filename*=UTF-8''Oferta_%C5%81%C3%93D%C5%B9.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--b--\r\n"
    )
    decoded = decode_message(raw)
    assert decoded.subject == "Oferta – Łódź"
    assert [a.filename for a in decoded.attachments] == ["Oferta_ŁÓDŹ.pdf"]
    assert decoded.attachments[0].data == b"%PDF-1.4"
    assert decoded.text.strip() == "W załączeniu."


def test_it_reads_windows_1250_mislabelled_as_iso_8859_2() -> None:
    raw = (
        b"From: a@b.example.pl\r\nContent-Type: text/plain; charset=iso-8859-2\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "Cześć, oferta w załączeniu".encode("cp1250")
    )
    decoded = decode_message(raw)
    assert decoded.text == "Cześć, oferta w załączeniu"
    assert decoded.notes == ["text labelled iso-8859-2 is windows-1250"]


def test_it_finds_attachments_inside_the_html_alternative_as_apple_mail_sends_them() -> None:
    msg = EmailMessage()
    msg["From"] = "jolanta@polnoc.example.pl"
    msg.set_content("w załączeniu formularz")
    msg.add_alternative("<p>w załączeniu formularz</p>", subtype="html")
    html_branch = _part(msg, 1)
    html_branch.make_mixed()
    html_branch.add_attachment(
        b"PK\x03\x04", "application", "octet-stream", filename="Formularz.docx"
    )
    decoded = decode_message(msg.as_bytes())
    assert [a.filename for a in decoded.attachments] == ["Formularz.docx"]
    assert decoded.text.strip() == "w załączeniu formularz"


def test_it_does_not_list_inline_images() -> None:
    msg = EmailMessage()
    msg["From"] = "j.dabrowska@ekspert-opinia.example.pl"
    msg.set_content("tekst")
    msg.add_alternative('<p>tekst <img src="cid:logo"><img src="cid:2"></p>', subtype="html")
    html = _part(msg, 1)
    # Outlook: "inline; filename=image001.png"; others mark it "attachment" but reference it.
    html.add_related(b"\x89PNG", "image", "png", cid="<logo>", disposition="inline")
    html.add_related(b"\x89PNG", "image", "png", cid="<2>", filename="image002.png")
    assert decode_message(msg.as_bytes()).attachments == []


def test_it_lists_a_photo_attached_as_a_file() -> None:
    msg = EmailMessage()
    msg["From"] = "tomasz@solidnaproba.example.pl"
    msg.set_content("zdjęcie formularza")
    msg.add_attachment(b"\xff\xd8\xff", "image", "jpeg", filename="IMG_0001.jpg")
    assert [a.filename for a in decode_message(msg.as_bytes()).attachments] == ["IMG_0001.jpg"]


def test_it_lists_a_forwarded_eml_and_decodes_the_message_inside() -> None:
    inner = EmailMessage()
    inner["From"] = "Sylwia <s.kolodziej@rzetelnie.example.pl>"
    inner["Subject"] = "Oferta [IN13-2027-ZO-3s1f08fa]"
    inner.set_content("cena netto 16 200,00 zł")
    outer = EmailMessage()
    outer["From"] = "anna.wrona@um.example.pl"
    outer["Subject"] = "PD: Oferta"
    outer.set_content("Przesyłam ofertę.")
    outer.add_attachment(inner, filename="Oferta.eml")
    decoded = decode_message(outer.as_bytes())
    assert [(a.filename, a.content_type) for a in decoded.attachments] == [
        ("Oferta.eml", "message/rfc822")
    ]
    assert decoded.embedded[0].sender == "s.kolodziej@rzetelnie.example.pl"
    assert decoded.embedded[0].text.strip() == "cena netto 16 200,00 zł"
    assert decoded.text.strip() == "Przesyłam ofertę."


def test_it_expands_a_tnef_winmail_dat_into_its_files_and_text() -> None:
    msg = EmailMessage()
    msg["From"] = "outlook@firma.example.pl"
    msg.set_content("")
    winmail = _tnef("Cena netto 1 zł".encode("cp1250"), {"oferta.pdf": b"%PDF-1.4 x"})
    msg.add_attachment(winmail, "application", "ms-tnef", filename="winmail.dat")
    decoded = decode_message(msg.as_bytes())
    assert [(a.filename, a.content_type) for a in decoded.attachments] == [
        ("oferta.pdf", "application/pdf")
    ]
    assert decoded.attachments[0].data == b"%PDF-1.4 x"
    assert decoded.text.strip() == "Cena netto 1 zł"


def test_it_reports_a_broken_winmail_dat_and_keeps_it_listed() -> None:
    msg = EmailMessage()
    msg["From"] = "outlook@firma.example.pl"
    msg.set_content("tekst")
    msg.add_attachment(b"not tnef", "application", "ms-tnef", filename="winmail.dat")
    decoded = decode_message(msg.as_bytes())
    assert [a.filename for a in decoded.attachments] == ["winmail.dat"]
    assert decoded.problems and "winmail.dat could not be read" in decoded.problems[0]


def test_it_reports_a_broken_outlook_msg_instead_of_crashing() -> None:
    msg = EmailMessage()
    msg["From"] = "outlook@firma.example.pl"
    msg.set_content("w załączeniu wiadomość")
    msg.add_attachment(b"\xd0\xcf\x11\xe0junk", "application", "vnd.ms-outlook", filename="a.msg")
    decoded = decode_message(msg.as_bytes())
    assert [a.filename for a in decoded.attachments] == ["a.msg"]
    assert decoded.problems == ["Outlook .msg could not be read (not a valid Outlook message file)"]


def test_it_reads_only_the_headers_of_a_message_over_the_size_limit() -> None:
    msg = _outlook_reply("x" * 3000, "<p>x</p>")
    decoded = decode_message(msg.as_bytes(), Limits(max_message_bytes=1000))
    assert decoded.subject.startswith("RE: Zapytanie")
    assert decoded.text == ""
    assert "over the 0 MB limit" in decoded.problems[0]


def test_it_lists_an_attachment_over_the_limit_without_its_data() -> None:
    msg = EmailMessage()
    msg["From"] = "a@b.example.pl"
    msg.set_content("duży plik")
    msg.add_attachment(b"x" * (2 * MB), "application", "pdf", filename="big.pdf")
    decoded = decode_message(msg.as_bytes(), Limits(max_attachment_bytes=MB))
    big = decoded.attachments[0]
    assert (big.filename, big.size, big.too_large, big.data) == ("big.pdf", 2 * MB, True, b"")
    assert decoded.problems == ["attachment big.pdf is 2.0 MB, over the 1 MB limit; not read"]


def test_it_joins_format_flowed_lines() -> None:
    raw = (
        b"From: a@b.example.pl\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n"
        b"\r\nRealizacj\xc4\x99 mo\xc5\xbcemy rozpocz\xc4\x85\xc4\x87 po \r\npodpisaniu umowy.\r\n"
    )
    assert decode_message(raw).text.strip() == "Realizację możemy rozpocząć po podpisaniu umowy."


def test_it_survives_garbage() -> None:
    decoded = decode_message(b"\x00\xff garbage without headers")
    assert decoded.sender == ""


def test_it_does_not_list_the_signature_of_signed_mail() -> None:
    raw = (
        b"From: a@b.example.pl\r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed; "
        b'protocol="application/pkcs7-signature"; micalg=sha-256; boundary="s"\r\n\r\n'
        b"--s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nZatwierdzam\r\n"
        b"--s\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n"
        b"Content-Disposition: attachment; filename=smime.p7s\r\n\r\nMIAG\r\n--s--\r\n"
    )
    decoded = decode_message(raw)
    assert decoded.attachments == []
    assert decoded.text.strip() == "Zatwierdzam"


def test_it_names_a_nameless_attachment_by_its_type() -> None:
    msg = EmailMessage()
    msg["From"] = "a@b.example.pl"
    msg.set_content("zaproszenie")
    msg.add_attachment(b"BEGIN:VCALENDAR", "text", "calendar", disposition="attachment")
    assert [a.filename for a in decode_message(msg.as_bytes()).attachments] == ["attachment.ics"]


def test_it_leaves_an_encoded_word_with_a_raw_8bit_byte_as_it_is() -> None:
    # Found by tests/test_hostile_fuzz.py: a byte flipped inside an encoded word of a
    # Subject once raised UnicodeEncodeError out of the header decoder.
    raw = (
        b"From: j@vendor.example.pl\nSubject: Zapytanie o =?utf-8?q?\x80cen=C4=99?=\n"
        b" =?utf-8?q?=C3=B3w?= Miasta\n\ntekst\n"
    )
    decoded = decode_message(raw)
    assert decoded.subject.endswith("ów Miasta")
    assert "cen" in decoded.subject
