import base64
from email.message import EmailMessage

from mailflow.mail.correlate import TokenHit, find_tokens, tokens_in_headers
from mailflow.mail.decode import decode_message

OWN = "ankieta@um.example.pl"


def _message(body: str = "tekst", **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "vendor@firma.example.pl"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def _hits(msg: EmailMessage, quoted: str = "", own: str | None = OWN) -> list[TokenHit]:
    return find_tokens(decode_message(msg.as_bytes()), quoted, own)


def test_it_finds_the_token_in_our_plus_address_in_to_or_cc() -> None:
    msg = _message(To="Urząd <ankieta+1rcwd4r0@um.example.pl>", Cc="x@y.example.pl")
    assert _hits(msg) == [TokenHit("1rcwd4r0", "plus_address")]
    assert _hits(_message(To="a@b.pl", Cc=f"{OWN[:7]}+0227htm6@um.example.pl"))[0].source == (
        "plus_address"
    )


def test_it_ignores_plus_addresses_of_other_mailboxes() -> None:
    assert _hits(_message(To="jan+1rcwd4r0@gmail.example.com")) == []


def test_it_accepts_any_well_formed_plus_token_when_the_mailbox_is_unknown() -> None:
    msg = _message(To="ankieta+1rcwd4r0@um.example.pl")
    assert _hits(msg, own=None) == [TokenHit("1rcwd4r0", "plus_address")]


def test_it_finds_our_message_id_in_references_when_the_subject_was_rewritten() -> None:
    msg = _message(
        To=OWN,
        Subject="Oferta – Meritum Research",
        References="<abc@gmail.example> <IN13-2027-ZO-0227htm6.20270301081500@um.example.pl>",
    )
    assert _hits(msg) == [TokenHit("0227htm6", "references")]


def test_it_finds_the_subject_tag() -> None:
    msg = _message(To=OWN, Subject="Pytania [IN13-2027-ZO-29rddf6e]")
    assert _hits(msg) == [TokenHit("29rddf6e", "subject_tag")]


def test_it_finds_a_token_only_in_the_quoted_header_of_a_new_message() -> None:
    quoted = "Od: Urząd <ankieta+77c05cmq@um.example.pl>\nTemat: Zapytanie [IN13-2027-ZO-77c05cmq]"
    assert _hits(_message(To=OWN), quoted) == [TokenHit("77c05cmq", "quoted_text")]


def test_it_finds_the_token_inside_a_forwarded_eml() -> None:
    inner = _message(Subject="Oferta [IN13-2027-ZO-3s1f08fa]", To="anna.wrona@um.example.pl")
    outer = _message(To=OWN, Subject="PD: Oferta")
    outer.add_attachment(inner, filename="oferta.eml")
    assert _hits(outer) == [TokenHit("3s1f08fa", "forwarded_original")]


def test_it_orders_places_from_the_most_direct() -> None:
    msg = _message(
        "Subject: Zapytanie [IN13-2027-ZO-jrxmr056]",
        To="ankieta+jrxmr056@um.example.pl",
        Subject="Delivery delayed: Zapytanie [IN13-2027-ZO-jrxmr056]",
    )
    assert [hit.source for hit in _hits(msg)] == ["plus_address", "subject_tag", "body"]


def test_it_decides_from_headers_alone_whether_a_message_is_ours() -> None:
    headers = (
        b"From: vendor@firma.example.pl\r\nTo: ankieta@um.example.pl\r\n"
        b"Subject: =?utf-8?Q?Odp=3A_Zapytanie_o_cen=C4=99?= [IN13-2027-ZO-8p7kgvx8]\r\n"
        b"In-Reply-To: <IN13-2027-ZO-1rcwd4r0.20270301081500@um.example.pl>\r\n"
        b"Delivered-To: ankieta+2y1acerx@um.example.pl\r\n"
    )
    assert tokens_in_headers(headers, OWN) == {"8p7kgvx8", "1rcwd4r0", "2y1acerx"}


def test_it_finds_nothing_in_the_headers_of_a_message_that_is_not_ours() -> None:
    headers = b"From: a@b.example.pl\r\nTo: ankieta@um.example.pl\r\nSubject: Obiad?\r\n"
    assert tokens_in_headers(headers, OWN) == set()


def test_it_finds_a_subject_tag_inside_a_base64_encoded_word_in_raw_headers() -> None:
    encoded = base64.b64encode("Odp: Zapytanie o cenę [IN13-2027-ZO-29rddf6e]".encode()).decode()
    headers = (
        f"From: a@b.example.pl\r\nTo: ankieta@um.example.pl\r\nSubject: =?utf-8?B?{encoded}?=\r\n"
    ).encode()
    assert tokens_in_headers(headers, OWN) == {"29rddf6e"}


def test_it_reads_folded_header_lines_and_stops_at_the_body() -> None:
    headers = (
        b"To: Urzad\r\n <ankieta+1rcwd4r0@um.example.pl>\r\nSubject: x\r\n\r\n"
        b"Body mentions [IN13-2027-ZO-2y1acerx]\r\n"
    )
    assert tokens_in_headers(headers, OWN) == {"1rcwd4r0"}
