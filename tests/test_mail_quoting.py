from mailflow.mail.quoting import forwarded_inline, is_forward_subject, split_reply

INQUIRY = (
    "Szanowni Państwo,\n\nprosimy o cenę. Wartość nie przekracza 130 000 zł netto.\n"
    "NIP 774-339-75-53\n\nZ poważaniem\nAnna Wrona"
)


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def test_it_cuts_an_outlook_header_block_without_quote_marks() -> None:
    body = (
        "Cena netto: 12 300,00 zł\n\nZ poważaniem\nJan Kowalczyk\nNIP 727-107-94-83\n\n"
        "Od: Urząd Miasta <ankieta+1rcwd4r0@um.example.pl>\nWysłano: poniedziałek, 1 marca "
        "2027 09:15\nDo: j.kowalczyk@kwadrant.example.pl\nTemat: Zapytanie o cenę\n\n" + INQUIRY
    )
    split = split_reply(body)
    assert split.new_text == "Cena netto: 12 300,00 zł"
    assert split.signature == "Z poważaniem\nJan Kowalczyk\nNIP 727-107-94-83"
    assert "130 000 zł" in split.quoted_text
    assert split.how_quoted == "outlook_header"


def test_it_cuts_an_english_outlook_header_block() -> None:
    body = (
        "ZATWIERDZAM\n\nFrom: IN-13 <ankieta+h1phrc4d@um.example.pl>\nSent: Monday, March 1, "
        "2027 9:15 AM\nTo: tomasz.lis@um.example.pl\nSubject: Porównanie\n\nZWRACAM – jeżeli…"
    )
    split = split_reply(body)
    assert split.new_text == "ZATWIERDZAM"
    assert "ZWRACAM" in split.quoted_text


def test_it_cuts_the_original_message_separator() -> None:
    body = "ok, akceptuję\n\n-----Original Message-----\nFrom: x@y.pl\nZWRACAM"
    assert split_reply(body).new_text == "ok, akceptuję"


def test_it_cuts_a_gmail_attribution_wrapped_over_two_lines() -> None:
    body = (
        "Koszt: 15.129,00 PLN brutto.\n\nPozdrawiam serdecznie\n--\nMarta\n\n"
        "W dniu pon. 1 mar 2027 o 09:15 Urząd Miasta <ankieta+bvj5sr4h@um.example.pl>\n"
        "napisał(a):\n\n" + _quoted(INQUIRY)
    )
    split = split_reply(body)
    assert split.new_text == "Koszt: 15.129,00 PLN brutto."
    assert split.signature.startswith("Pozdrawiam serdecznie")
    assert "130 000 zł" in split.quoted_text


def test_it_cuts_a_thunderbird_attribution() -> None:
    body = "Pytanie: czy CATI?\n\nW dniu 01.03.2027 o 09:15, Urząd Miasta pisze:\n" + _quoted(
        INQUIRY
    )
    assert split_reply(body).new_text == "Pytanie: czy CATI?"


def test_it_cuts_an_apple_mail_attribution_inside_the_quote() -> None:
    body = (
        "akceptuję, bez uwag\nE. Sowa\n\nWysłane z iPhone’a\n\n> Wiadomość napisana przez "
        "IN-13 <ankieta+2dwcsw47@um.example.pl> w dniu 28.06.2027, o godz. 09:00:\n> \n"
        "> Proszę o decyzję: ZATWIERDZAM albo ZWRACAM."
    )
    split = split_reply(body)
    assert split.new_text == "akceptuję, bez uwag\nE. Sowa"
    assert split.signature == "Wysłane z iPhone’a"
    assert "ZWRACAM" in split.quoted_text


def test_it_cuts_the_outlook_mobile_separator_line() -> None:
    body = (
        "ok?\n\nPobierz aplikację Outlook dla systemu iOS\n________________________________\n"
        "Od: IN-13 <ankieta+tx5cbm0m@um.example.pl>\nWysłano: poniedziałek\nDo: T. Lis\n"
        "Temat: Projekt\n\nZATWIERDZAM albo ZWRACAM"
    )
    split = split_reply(body)
    assert split.new_text == "ok?"
    assert split.signature == "Pobierz aplikację Outlook dla systemu iOS"


def test_it_treats_every_quote_marked_line_as_quoted_in_inline_answers() -> None:
    body = "> Czy cena obejmuje druk?\nTak, obejmuje.\n> Termin?\nDo 15.06."
    split = split_reply(body)
    assert split.new_text == "Tak, obejmuje.\nDo 15.06."
    assert split.quoted_text == "> Czy cena obejmuje druk?\n> Termin?"


def test_it_reads_a_bottom_posted_answer_below_the_quote() -> None:
    body = "W dniu 01.03.2027 o 09:15, Urząd pisze:\n> Proszę o decyzję.\n\nZatwierdzam."
    assert split_reply(body).new_text == "Zatwierdzam."


def test_it_does_not_take_a_sentence_starting_with_w_dniu_for_an_attribution() -> None:
    body = "W dniu 7 czerwca zrealizowaliśmy wywiady, a mianowicie:\n250 z 400."
    assert split_reply(body).new_text == body


def test_it_separates_a_signature_after_the_dash_dash_line() -> None:
    split = split_reply("Cena 9 840,00 zł brutto.\n-- \nPiotr Nowicki\ntel. 61 866 40 12")
    assert split.new_text == "Cena 9 840,00 zł brutto."
    assert split.signature == "-- \nPiotr Nowicki\ntel. 61 866 40 12"


def test_it_separates_a_contact_block_without_any_closing_words() -> None:
    body = (
        "Oferujemy cenę 11 070,00 zł brutto.\n\nBarbara Majewska\nAgencja Horyzont sp. z o.o.\n"
        "ul. Grochowska 306, 03-840 Warszawa\ntel. 22 870 33 41, NIP 521-11-86-346"
    )
    split = split_reply(body)
    assert split.new_text == "Oferujemy cenę 11 070,00 zł brutto."
    assert split.signature.startswith("Barbara Majewska")


def test_it_keeps_a_last_paragraph_with_prices_in_the_new_text() -> None:
    body = "Dzień dobry,\n\nCena netto: 9 000,00 zł\ntel. w razie pytań: 22 870 33 41"
    assert split_reply(body).new_text == body


def test_it_keeps_a_bilingual_closing_in_the_signature() -> None:
    split = split_reply("Dwa warianty.\n\nKind regards / Z wyrazami szacunku\nNatalia Kubiak")
    assert split.new_text == "Dwa warianty."


def test_it_recognises_forward_subjects_in_polish_and_english() -> None:
    assert all(is_forward_subject(s) for s in ("PD: Oferta", "Fwd: Oferta", "FW: x", "TR: x"))
    assert not is_forward_subject("RE: Oferta")


def test_it_finds_the_author_and_text_of_an_inline_forward() -> None:
    body = (
        "Przekazuję.\n\n---------- Forwarded message ---------\n"
        "From: Sylwia Kołodziej <S.Kolodziej@rzetelnie.example.pl>\nDate: Sat, 6 Mar 2027\n"
        "Subject: Oferta [IN13-2027-ZO-3s1f08fa]\nTo: Anna Wrona <anna.wrona@um.example.pl>\n\n"
        "cena netto 16 200,00 zł"
    )
    forwarded = forwarded_inline(body)
    assert forwarded is not None
    assert forwarded.sender == "s.kolodziej@rzetelnie.example.pl"
    assert forwarded.subject == "Oferta [IN13-2027-ZO-3s1f08fa]"
    assert forwarded.text == "cena netto 16 200,00 zł"
