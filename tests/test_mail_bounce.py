from email.message import EmailMessage

from mailflow.mail.bounce import read_bounce
from mailflow.mail.decode import decode_message

ORIGINAL = (
    "From: ankieta+j0tem7vk@um.example.pl\r\nTo: biuro@firma.example.pl\r\n"
    "Subject: Zapytanie [IN13-2027-ZO-j0tem7vk]\r\n"
    "Message-ID: <IN13-2027-ZO-j0tem7vk.20270301081500@um.example.pl>\r\n\r\nTekst\r\n"
)


def _report(action: str, status: str, returned_type: str = "message/rfc822") -> bytes:
    return (
        "From: MAILER-DAEMON@smtp.um.example.pl (Mail Delivery System)\r\n"
        "To: ankieta+j0tem7vk@um.example.pl\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; smtp\r\n\r\n"
        f"Final-Recipient: rfc822; Biuro@Firma.example.pl\r\nAction: {action}\r\n"
        f"Status: {status}\r\nDiagnostic-Code: smtp; 550 {status} User unknown\r\n\r\n"
        f"--B\r\nContent-Type: {returned_type}\r\n\r\n{ORIGINAL}--B--\r\n"
    ).encode()


def test_it_reads_a_permanent_failure_from_an_rfc_3464_report() -> None:
    bounce = read_bounce(decode_message(_report("failed", "5.1.1")))
    assert bounce is not None
    assert (bounce.recipient, bounce.status, bounce.permanent) == (
        "biuro@firma.example.pl",
        "5.1.1",
        True,
    )
    assert bounce.original_message_id == "<IN13-2027-ZO-j0tem7vk.20270301081500@um.example.pl>"
    assert bounce.standard


def test_it_reads_a_delay_as_temporary_with_only_the_original_headers_returned() -> None:
    bounce = read_bounce(decode_message(_report("delayed", "4.4.1", "text/rfc822-headers")))
    assert bounce is not None
    assert (bounce.status, bounce.permanent) == ("4.4.1", False)
    assert bounce.original_message_id == "<IN13-2027-ZO-j0tem7vk.20270301081500@um.example.pl>"


def test_it_does_not_call_a_delivered_notification_a_bounce() -> None:
    assert read_bounce(decode_message(_report("delivered", "2.0.0"))) is None


def test_it_does_not_list_the_returned_original_as_an_attachment() -> None:
    assert decode_message(_report("failed", "5.1.1")).attachments == []


def _free_text_ndr(subject: str, text: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "postmaster@opiniawschod.example.pl"
    msg["To"] = "ankieta+6egqy1bw@um.example.pl"
    msg["Subject"] = subject
    msg.set_content(text)
    return msg.as_bytes()


def test_it_reads_a_polish_exchange_ndr_without_a_delivery_status_part() -> None:
    raw = _free_text_ndr(
        "Niedostarczalne: Zapytanie o cenę",
        "Nie można dostarczyć wiadomości do następujących adresatów lub grup:\n\n"
        "a.nowakowska@opiniawschod.example.pl\nRemote Server returned '550 5.1.1 "
        "RESOLVER.ADR.RecipNotFound; not found'\n\nMessage-ID: <IN13-2027-ZO-6egqy1bw."
        "20270301081500@um.example.pl>",
    )
    bounce = read_bounce(decode_message(raw), {"ankieta@um.example.pl"})
    assert bounce is not None
    assert (bounce.recipient, bounce.status, bounce.permanent, bounce.standard) == (
        "a.nowakowska@opiniawschod.example.pl",
        "5.1.1",
        True,
        False,
    )
    assert bounce.original_message_id == "<IN13-2027-ZO-6egqy1bw.20270301081500@um.example.pl>"


def test_it_reads_a_delay_notice_without_a_status_code_as_temporary() -> None:
    raw = _free_text_ndr(
        "Delivery delayed: Zapytanie", "Delivery is delayed to: kontakt@pam.example.pl"
    )
    bounce = read_bounce(decode_message(raw))
    assert bounce is not None
    assert (bounce.recipient, bounce.status, bounce.permanent) == (
        "kontakt@pam.example.pl",
        None,
        False,
    )


def test_it_does_not_take_a_vendor_quoting_a_status_like_number_for_a_bounce() -> None:
    msg = EmailMessage()
    msg["From"] = "vendor@firma.example.pl"
    msg["Subject"] = "Re: Zapytanie"
    msg.set_content("Wersja 5.1.1 kwestionariusza w załączeniu.")
    assert read_bounce(decode_message(msg.as_bytes())) is None
