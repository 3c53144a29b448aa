import io
import struct
from email.message import EmailMessage

from extract_msg import OleWriter

from mailflow.mail.containers import open_outlook_msg, open_tnef
from mailflow.mail.parse import parse_message


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _property(tag: int, value: bytes) -> bytes:
    return struct.pack("<II", tag, 6) + value


def _outlook_msg(subject: str, body: str, sender: str, files: dict[str, bytes]) -> bytes:
    """A minimal Outlook .msg (an OLE compound file of MAPI property streams)."""
    strings = {
        0x0037001F: subject,
        0x1000001F: body,
        0x0C1A001F: "Sylwia Kołodziej",
        0x5D01001F: sender,
        0x001A001F: "IPM.Note",
    }
    writer = OleWriter()
    header = bytes(8) + struct.pack("<IIII", len(files), 0, len(files), 0) + bytes(8)
    sizes = b"".join(
        _property(tag, struct.pack("<II", len(_utf16(text)) + 2, 0))
        for tag, text in strings.items()
    )
    writer.addEntry("__properties_version1.0", header + sizes)
    for tag, text in strings.items():
        writer.addEntry(f"__substg1.0_{tag:08X}", _utf16(text))
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("00020102", "00030102", "00040102"):
        writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    for index, (name, data) in enumerate(files.items()):
        folder = f"__attach_version1.0_#{index:08X}"
        writer.addEntry(folder, storage=True)
        props = bytes(8) + _property(0x37050003, struct.pack("<II", 1, 0))  # attached by value
        props += _property(0x37010102, struct.pack("<II", len(data), 0))
        props += _property(0x3707001F, struct.pack("<II", len(_utf16(name)) + 2, 0))
        writer.addEntry(f"{folder}/__properties_version1.0", props)
        writer.addEntry(f"{folder}/__substg1.0_37010102", data)
        writer.addEntry(f"{folder}/__substg1.0_3707001F", _utf16(name))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


MSG = _outlook_msg(
    "Oferta [IN13-2027-ZO-3s1f08fa]",
    "cena netto 16 200,00 zł",
    "s.kolodziej@rzetelnie.example.pl",
    {"oferta.pdf": b"%PDF-1.4 x"},
)


def test_it_opens_an_outlook_msg_with_its_sender_text_and_files() -> None:
    content = open_outlook_msg(MSG)
    assert content.problem is None
    assert content.sender == "Sylwia Kołodziej <s.kolodziej@rzetelnie.example.pl>"
    assert content.subject == "Oferta [IN13-2027-ZO-3s1f08fa]"
    assert content.text == "cena netto 16 200,00 zł"
    assert [(f.filename, f.content_type, f.data) for f in content.files] == [
        ("oferta.pdf", "application/pdf", b"%PDF-1.4 x")
    ]


def test_it_reads_a_forward_that_attaches_an_outlook_msg_as_the_vendors_message() -> None:
    outer = EmailMessage()
    outer["From"] = "anna.wrona@um.example.pl"
    outer["To"] = "ankieta@um.example.pl"
    outer["Subject"] = "PD: Oferta"
    outer.set_content("Przesyłam ofertę, która przyszła do mnie.")
    outer.add_attachment(MSG, "application", "vnd.ms-outlook", filename="Oferta.msg")
    parsed = parse_message(outer.as_bytes())
    assert [a.filename for a in parsed.attachments] == ["Oferta.msg"]
    assert parsed.forwarded
    assert parsed.author == "s.kolodziej@rzetelnie.example.pl"
    assert (parsed.token, parsed.token_source) == ("3s1f08fa", "forwarded_original")
    assert parsed.reply is not None
    assert parsed.reply.new_text == "cena netto 16 200,00 zł"
    assert [a.filename for a in parsed.reply.attachments] == ["oferta.pdf"]


def test_it_reports_broken_containers_as_problems() -> None:
    assert open_tnef(b"not tnef").problem == (
        "winmail.dat could not be read (not a valid TNEF file)"
    )
    assert open_outlook_msg(b"not ole").problem == (
        "Outlook .msg could not be read (not a valid Outlook message file)"
    )
