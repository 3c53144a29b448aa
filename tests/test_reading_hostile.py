"""Hostile and broken input: each is refused with a reason and needs_review, never a crash."""

from __future__ import annotations

import io
import zipfile

import pytest

from mailflow.reading import Attachment, Reading, ReadingLimits, ReplyText, read_reply
from mailflow.reading.offer_form import DocumentRefused, read_offer_form
from mailflow.reading.safety import check_zip
from tests.test_reading_attachments import DOCX_TYPE, FILLED, XLSX_TYPE, offer_form

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"
)


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    """A copy of an Office zip with one member replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
        target.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def read_attachment(attachment: Attachment, limits: ReadingLimits | None = None) -> Reading:
    reply = ReplyText(
        sender="v@x.example.pl",
        subject="Oferta",
        new_text="W załączeniu przesyłamy ofertę.",
        attachments=(attachment,),
    )
    return read_reply(reply, limits=limits)


def assert_refused(reading: Reading, words: str) -> None:
    assert reading.needs_review is True
    assert any(words in reason for reason in reading.reasons), reading.reasons
    if reading.quote is not None:
        assert reading.quote.net is None and reading.quote.gross is None


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (40 * 1024 * 1024))
    return out.getvalue()


def test_it_refuses_a_zip_bomb_from_the_directory_alone() -> None:
    bomb = zip_bomb()
    assert len(bomb) < 200_000
    assert_refused(read_attachment(Attachment("Oferta.docx", DOCX_TYPE, bomb)), "zip bomb")


def test_it_refuses_an_office_file_that_unpacks_over_the_limit() -> None:
    form = offer_form(FILLED)
    reading = read_attachment(
        Attachment("Oferta.docx", DOCX_TYPE, form), ReadingLimits(max_unpacked_bytes=10_000)
    )
    assert_refused(reading, "over the limit")


def test_it_refuses_xml_entities_in_a_docx() -> None:
    attack = replace_member(offer_form(FILLED), "word/document.xml", BILLION_LAUGHS)
    assert_refused(read_attachment(Attachment("Oferta.docx", DOCX_TYPE, attack)), "entit")


def test_it_refuses_xml_entities_in_an_xlsx() -> None:
    from tests.test_reading_attachments import ESTIMATE, xlsx_bytes

    attack = replace_member(xlsx_bytes(ESTIMATE), "xl/sharedStrings.xml", BILLION_LAUGHS)
    assert_refused(read_attachment(Attachment("Kosztorys.xlsx", XLSX_TYPE, attack)), "entit")


@pytest.mark.parametrize(
    ("filename", "content_type", "with_vba"),
    [
        ("Oferta.docm", DOCX_TYPE, False),
        ("Kosztorys.xlsm", "application/vnd.ms-excel.sheet.macroEnabled.12", False),
        ("Oferta.docx", DOCX_TYPE, True),  # a macro project hidden under a .docx name
    ],
)
def test_it_refuses_macro_enabled_office_files(
    filename: str, content_type: str, with_vba: bool
) -> None:
    data = offer_form(FILLED)
    if with_vba:
        data = replace_member(data, "word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    assert_refused(read_attachment(Attachment(filename, content_type, data)), "macro")


def test_it_refuses_an_encrypted_pdf() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    reading = read_attachment(Attachment("oferta.pdf", "application/pdf", out.getvalue()))
    assert_refused(reading, "encrypted PDF")


@pytest.mark.parametrize(
    ("filename", "content_type", "data", "words"),
    [
        ("oferta.pdf", "application/pdf", b"%PDF-1.4\n1 0 obj << /Broken", "PDF"),
        ("oferta.pdf", "application/pdf", b"MZ\x90\x00 not a pdf", "not a PDF"),
        ("Oferta.docx", DOCX_TYPE, b"PK\x03\x04truncated", "broken"),
        ("Oferta.docx", DOCX_TYPE, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "binary"),
        ("Kosztorys.xlsx", XLSX_TYPE, b"random bytes", "broken"),
    ],
)
def test_it_refuses_broken_files_with_a_reason(
    filename: str, content_type: str, data: bytes, words: str
) -> None:
    assert_refused(read_attachment(Attachment(filename, content_type, data)), words)


def test_it_refuses_a_pdf_without_a_text_layer() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    reading = read_attachment(Attachment("skan.pdf", "application/pdf", out.getvalue()))
    assert_refused(reading, "no text layer")


def test_it_refuses_an_attachment_over_the_size_limit() -> None:
    reading = read_attachment(
        Attachment("Oferta.docx", DOCX_TYPE, offer_form(FILLED)),
        ReadingLimits(max_attachment_bytes=1_000),
    )
    assert_refused(reading, "bytes, not read")


def test_it_reads_only_the_first_attachments_up_to_the_limit() -> None:
    many = tuple(Attachment(f"a{i}.txt", "text/plain", b"x") for i in range(5))
    reply = ReplyText(
        sender="v@x.example.pl", subject="x", new_text="Cena netto 100 zł.", attachments=many
    )
    assert read_reply(reply, limits=ReadingLimits(max_attachments=2)).needs_review is True


def test_it_cuts_an_overlong_text_and_says_so() -> None:
    reply = ReplyText(sender="v@x.example.pl", subject="x", new_text="bla " * 100_000)
    reading = read_reply(reply, limits=ReadingLimits(max_text_chars=1_000))
    assert_refused(reading, "cut")


def test_the_offer_form_reader_raises_a_clear_error_for_a_bomb() -> None:
    with pytest.raises(DocumentRefused, match="zip bomb"):
        read_offer_form(zip_bomb())


def test_the_zip_check_passes_a_normal_office_file() -> None:
    assert check_zip(offer_form(FILLED), "Oferta.docx", ReadingLimits()) is None


def test_a_body_price_next_to_a_refused_attachment_is_not_presented_as_sure() -> None:
    reply = ReplyText(
        sender="v@x.example.pl",
        subject="Oferta",
        new_text="Cena netto 12 300 zł, w załączniku szczegóły.",
        attachments=(Attachment("Oferta.docx", DOCX_TYPE, zip_bomb()),),
    )
    assert read_reply(reply).needs_review is True


def test_it_refuses_a_zip_member_that_is_larger_than_its_directory_says() -> None:
    import struct
    import tracemalloc

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<a>" + b" " * (20 * 1024 * 1024) + b"</a>")
    data = bytearray(out.getvalue())
    # The directory and the local header both claim 1000 bytes: a lie the ratio check cannot see.
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, 1000)
    struct.pack_into("<I", data, central + 24, 1000)
    tracemalloc.start()
    reading = read_attachment(Attachment("Oferta.docx", DOCX_TYPE, bytes(data)))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert_refused(reading, "word/document.xml")
    assert peak < 8 * 1024 * 1024  # never unpacked whole


def test_it_never_raises_on_random_bytes_under_office_and_pdf_names() -> None:
    import random

    rng = random.Random(20270301)
    names = ["a.docx", "a.xlsx", "a.ods", "a.pdf", "a.docm", "a.xls", "a.eml"]
    seeds = [b"PK\x03\x04", b"%PDF-1.7\n", b"\xd0\xcf\x11\xe0", b""]
    for _ in range(150):
        data = rng.choice(seeds) + rng.randbytes(rng.randrange(0, 2000))
        name = rng.choice(names)
        ctype = "message/rfc822" if name.endswith(".eml") else "application/octet-stream"
        text = "".join(rng.choice("zł 0123456789,. netto brutto VAT\n?") for _ in range(80))
        reply = ReplyText(
            sender="v@x.example.pl",
            subject="Oferta",
            new_text=text,
            attachments=(Attachment(name, ctype, data),),
        )
        reading = read_reply(reply)
        assert reading.kind in ("quote", "decline", "question", "progress", "results", "other")
