"""The hostile set: messages an attacker (or a very broken client) could send us.

Each builder takes a size ``n`` and returns the raw bytes of one whole message, so the same
input serves the timing test (at n, 2n and 4n) and the committed files. Run it to write the
files:

    python -m tests.hostile.make_hostile [DIRECTORY]

Files up to ``COMMIT_LIMIT`` bytes are committed in ``tests/hostile/files/``; bigger ones are
written by the test at run time (:func:`write_all` with ``big=True``). Everything is
deterministic (fixed zip dates, no randomness but a seeded one), so a rerun changes nothing.
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

FILES = Path(__file__).parent / "files"
COMMIT_LIMIT = 200_000
ZIP_DATE = (2027, 3, 1, 9, 15, 0)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT_TYPE = "application/vnd.oasis.opendocument.text"
HEAD = (
    "From: Jan Kowalczyk <j.kowalczyk@vendor.example.pl>\r\n"
    "To: ankieta+7kq2mx4d@um.example.pl\r\n"
    "Date: Tue, 02 Mar 2027 10:14:33 +0100\r\n"
    "Message-ID: <hostile@vendor.example.pl>\r\n"
    "MIME-Version: 1.0\r\n"
)


def _text_message(
    body: bytes, content_type: str = "text/plain; charset=utf-8", **extra: str
) -> bytes:
    head = HEAD + "".join(f"{name}: {value}\r\n" for name, value in extra.items())
    head += f"Subject: Re: Zapytanie o cenę\r\nContent-Type: {content_type}\r\n"
    return head.encode() + b"\r\n" + body


def _with_attachment(filename: str, content_type: str, data: bytes, text: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = "Jan Kowalczyk <j.kowalczyk@vendor.example.pl>"
    message["To"] = "ankieta+7kq2mx4d@um.example.pl"
    message["Subject"] = "Re: Zapytanie o cenę [IN13-2027-ZO-7kq2mx4d]"
    message["Date"] = "Tue, 02 Mar 2027 10:14:33 +0100"
    message["Message-ID"] = "<hostile@vendor.example.pl>"
    message.set_content(text or "W załączeniu przesyłamy ofertę.")
    maintype, _, subtype = content_type.partition("/")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    message.set_boundary("hostile-set-boundary")
    return message.as_bytes()


def _zip(members: list[tuple[str, bytes]], stored: tuple[str, ...] = ("mimetype",)) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()


# ------------------------------------------------------------------- text of the message


def plus_address_run(n: int) -> bytes:
    """A long run of letters: the plus-address pattern once backtracked over all of it."""
    return _text_message(b"a" * n)


def blank_lines(n: int) -> bytes:
    """Blank lines only: finding runs of base64 lines once re-scanned the rest at each."""
    return _text_message(b"\r\n" * n)


def nested_blockquotes(n: int) -> bytes:
    html = "<blockquote>" * n + "Oferta" + "</blockquote>" * n
    return _text_message(html.encode(), "text/html; charset=utf-8")


def flowed_lines(n: int) -> bytes:
    """format=flowed lines that all join into one: joining once copied the line each time."""
    return _text_message(b"slowo \r\n" * n, "text/plain; charset=utf-8; format=flowed")


def encoded_words(n: int) -> bytes:
    subject = " ".join(["=?utf-8?q?Oferta=C4=85?="] * n)
    head = HEAD + f"Subject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n"
    return head.encode() + b"\r\nDzien dobry.\r\n"


def encoded_word_run(n: int) -> bytes:
    """Encoded words with nothing between them: one long word to the header decoder."""
    subject = "=?utf-8?b?" + "QQ==" * n + "?="
    head = HEAD + f"Subject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n"
    return head.encode() + b"\r\nDzien dobry.\r\n"


def long_header_line(n: int) -> bytes:
    return _text_message(b"Dzien dobry.\r\n", **{"X-Long": "x" * n})


def many_header_fields(n: int) -> bytes:
    fields = "".join(f"Received: from h{i}.example by mx.example\r\n" for i in range(n))
    return fields.encode() + _text_message(b"Dzien dobry.\r\n")


def quoted_lines(n: int) -> bytes:
    """A reply whose history is n quoted lines, each deeper: quote splitting on every line."""
    body = "Cena 12 300 zł netto.\r\n\r\n" + "".join(
        "> " * (i % 50 + 1) + "x\r\n" for i in range(n)
    )
    return _text_message(body.encode())


def long_words_line(n: int) -> bytes:
    """One line of n digits and spaces: money and NIP patterns over one long line."""
    return _text_message(("12 " * n).encode())


def digits_run(n: int) -> bytes:
    return _text_message(b"1" * n)


def dots_run(n: int) -> bytes:
    return _text_message(b"a." * n + b"@" + b"b." * n)


def nip_spaces(n: int) -> bytes:
    """The word NIP, then white space and no number: the NIP pattern once took cubic time
    (2 000 spaces: 94 s)."""
    return _text_message(("Cena 12 300 zł netto.\r\nNIP" + " " * n + "x\r\n").encode())


def phone_digits(n: int) -> bytes:
    return _text_message(("Cena 12 300 zł netto, tel. " + "1 " * n + "x\r\n").encode())


def spaces_between(n: int) -> bytes:
    """Every pattern with a label, white space and a number, given white space only."""
    words = "netto brutto cena kwota VAT słownie termin realizacji ważna do wykonano tel NIP"
    return _text_message(" ".join(w + " " * n + "x" for w in words.split()).encode())


def charset_label(label: str) -> Callable[[int], bytes]:
    def build(n: int) -> bytes:
        return _text_message(b"Cena 12 300 z\xb3 netto.\r\n" * n, f'text/plain; charset="{label}"')

    return build


# -------------------------------------------------------------------------- MIME structure


def deep_mime(n: int) -> bytes:
    """Multiparts inside multiparts, n deep."""
    parts = []
    for depth in range(n):
        parts.append(f'Content-Type: multipart/mixed; boundary="b{depth}"\r\n\r\n--b{depth}\r\n')
    middle = "Content-Type: text/plain\r\n\r\nsrodek\r\n"
    closing = "".join(f"--b{depth}--\r\n" for depth in reversed(range(n)))
    return (HEAD + "Subject: gleboko\r\n" + "".join(parts) + middle + closing).encode()


def many_parts(n: int) -> bytes:
    part = "--b\r\nContent-Type: text/plain\r\n\r\nczesc\r\n"
    body = part * n + "--b--\r\n"
    head = HEAD + 'Subject: wiele czesci\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
    return (head + body).encode()


def nested_eml(n: int) -> bytes:
    """An .eml attached inside an .eml, n deep."""
    inner = _text_message(b"najglebiej\r\n")
    for depth in range(n):
        inner = (
            (
                HEAD
                + f'Subject: Fwd {depth}\r\nContent-Type: multipart/mixed; boundary="e{depth}"\r\n'
                f"\r\n--e{depth}\r\nContent-Type: message/rfc822\r\n\r\n"
            ).encode()
            + inner
            + f"\r\n--e{depth}--\r\n".encode()
        )
    return inner


def long_filename(n: int) -> bytes:
    return _with_attachment("o" * n + ".pdf", "application/pdf", b"%PDF-1.4\n")


def filename_bad_charset(n: int) -> bytes:
    """RFC 2231 file names in charsets that are not charsets."""
    parts = "".join(
        f"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
        f"filename*={label}''%41%42.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n"
        for label in ("zlib_codec", "hex", "%00", "x-none", "utf-16")
    )
    head = HEAD + 'Subject: pliki\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
    return (head + parts + "--b--\r\n").encode()


def many_addresses(n: int) -> bytes:
    to = ", ".join(f'"Nazwisko, Imię {i}" <osoba{i}@example.pl>' for i in range(n))
    return _text_message(b"Dzien dobry.\r\n", **{"Cc": to})


def inner_deep_mime(n: int) -> bytes:
    """A forwarded .eml whose own parts nest n deep."""
    inner = deep_mime(n)
    head = HEAD + 'Subject: Fwd: oferta\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n'
    return (
        head.encode() + b"--outer\r\nContent-Type: text/plain\r\n\r\nPrzekazuje.\r\n"
        b"--outer\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--outer--\r\n"
    )


def tnef_oddity(n: int) -> bytes:
    """A winmail.dat with the TNEF signature and a length that lies."""
    data = (
        b"\x78\x9f\x3e\x22"
        + b"\x01\x00"
        + b"\x01\x06\x90\x08\x00"
        + b"\xff\xff\xff\x7f"
        + b"\0" * n
    )
    return _with_attachment("winmail.dat", "application/ms-tnef", data)


def msg_oddity(n: int) -> bytes:
    """An Outlook .msg: the OLE signature, then nonsense."""
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(
        random.Random(n).randrange(256) for _ in range(n)
    )
    return _with_attachment("przekazana.msg", "application/vnd.ms-outlook", data)


def empty(n: int) -> bytes:
    return b""


def garbage(n: int) -> bytes:
    return bytes(random.Random(14).randrange(256) for _ in range(n))


def garbage_after_headers(n: int) -> bytes:
    return _text_message(garbage(n), "application/octet-stream")


# ----------------------------------------------------------------------------------- PDF


def _pdf(content: bytes, compress: bool = True) -> bytes:
    """A one-page PDF whose page content stream is ``content`` (Flate-compressed)."""
    stream = zlib.compress(content, 9) if compress else content
    filter_ = b"/Filter /FlateDecode " if compress else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< "
        + filter_
        + b"/Length "
        + str(len(stream)).encode()
        + b" >>\nstream\n"
        + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{at:010d} 00000 n \n".encode() for at in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def pdf_flate_bomb(n: int) -> bytes:
    """A page whose content unpacks to n MB of white space around one line of text."""
    content = b"BT /F1 12 Tf 72 720 Td (Cena 12 300 zl) Tj ET\n" + b" " * (n * 1024 * 1024)
    return _with_attachment("oferta.pdf", "application/pdf", _pdf(content))


def pdf_many_glyphs(n: int) -> bytes:
    """One page with n glyphs (2 million in the issue: 84 s and 4.7 GB before)."""
    line = b"(" + b"a" * 1000 + b") Tj\n"
    content = b"BT /F1 1 Tf 0 800 Td\n" + line * (n // 1000) + b"ET\n"
    return _with_attachment("oferta.pdf", "application/pdf", _pdf(content))


def pdf_corrupt_flate(n: int) -> bytes:
    """A page stream of n KB whose zlib checksum is wrong: pdfminer repairs it byte by byte."""
    content = (
        b"BT /F1 12 Tf 72 720 Td (Cena 12 300 zl) Tj ET\n"
        + b"% a comment line, skipped\n" * (n * 40)
    )
    stream = bytearray(zlib.compress(content, 9))
    stream[-1] ^= 0xFF
    return _with_attachment("oferta.pdf", "application/pdf", _pdf_raw_stream(bytes(stream)))


def _pdf_raw_stream(stream: bytes, filter_: bytes = b"/FlateDecode") -> bytes:
    pdf = _pdf(b"", compress=False)
    return pdf.replace(
        b"<< /Length 0 >>\nstream\n\nendstream",
        b"<< /Filter "
        + filter_
        + b" /Length "
        + str(len(stream)).encode()
        + b" >>\nstream\n"
        + stream
        + b"\nendstream",
    )


def pdf_many_paths(n: int) -> bytes:
    content = b"0 0 m 1 1 l S\n" * n
    return _with_attachment("oferta.pdf", "application/pdf", _pdf(content))


def pdf_many_pages_declared(n: int) -> bytes:
    return _with_attachment(
        "oferta.pdf", "application/pdf", _pdf(b"BT ET").replace(b"/Count 1", b"/Count %d" % n)
    )


# --------------------------------------------------------------------------------- Office

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Kosztorys" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def xlsx(sheet_data: bytes, dimension: bytes = b"") -> bytes:
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + dimension
        + b"<sheetData>"
        + sheet_data
        + b"</sheetData></worksheet>"
    )
    return _zip(
        [
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _WORKBOOK),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
    )


def xlsx_far_cell(n: int) -> bytes:
    """One cell at XFD1048576: calamine once allocated the whole grid (512 GiB) and aborted."""
    cells = b'<row r="1"><c r="A1" t="inlineStr"><is><t>Razem netto</t></is></c></row>'
    cells += b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return _with_attachment("kosztorys.xlsx", XLSX_TYPE, xlsx(cells))


def xlsx_sparse(n: int) -> bytes:
    """A cell in column ZZ on each of n rows: the grid is n x 702 cells."""
    rows = b"".join(b'<row r="%d"><c r="ZZ%d"><v>1</v></c></row>' % (i, i) for i in range(1, n + 1))
    return _with_attachment("kosztorys.xlsx", XLSX_TYPE, xlsx(rows))


def xlsx_lying_dimension(n: int) -> bytes:
    cells = b'<row r="1"><c r="A1"><v>1</v></c></row>'
    return _with_attachment(
        "kosztorys.xlsx", XLSX_TYPE, xlsx(cells, b'<dimension ref="A1:XFD1048576"/>')
    )


def odt_nested_spans(n: int) -> bytes:
    """Spans inside spans, n deep: the ODT text walk once recursed into each."""
    spans = "<text:span>" * n + "Cena 12 300 zł" + "</text:span>" * n
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text><text:p>{spans}</text:p></office:text></office:body>"
        "</office:document-content>"
    )
    data = _zip([("mimetype", ODT_TYPE.encode()), ("content.xml", content.encode())])
    return _with_attachment("oferta.odt", ODT_TYPE, data)


def ods_repeats(n: int) -> bytes:
    """An ODS sheet whose one row and cell are repeated n times each."""
    ods_type = "application/vnd.oasis.opendocument.spreadsheet"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="K">'
        f'<table:table-row table:number-rows-repeated="{n}">'
        f'<table:table-cell table:number-columns-repeated="{n}" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    data = _zip([("mimetype", ods_type.encode()), ("content.xml", content.encode())])
    return _with_attachment("kosztorys.ods", ods_type, data)


def _docx(document_xml: bytes) -> bytes:
    return _zip(
        [
            (
                "[Content_Types].xml",
                b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                b'2006/content-types"><Default Extension="xml" '
                b'ContentType="application/xml"/></Types>',
            ),
            ("word/document.xml", document_xml),
        ]
    )


def docx_zip_bomb(n: int) -> bytes:
    """n MB of zeros in one part, a few KB compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", ZIP_DATE), "<Types/>")
        info = zipfile.ZipInfo("word/document.xml", ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, b"\0" * (n * 1024 * 1024))
    return _with_attachment("oferta.docx", DOCX_TYPE, out.getvalue())


def docx_billion_laughs(n: int) -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, n + 1)
    )
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>&lol{n};</w:t></w:r></w:p></w:body></w:document>"
    )
    return _with_attachment("oferta.docx", DOCX_TYPE, _docx(xml.encode()))


def zip_unsupported_version(n: int) -> bytes:
    """A DOCX whose member needs zip version 10.2: zipfile raises NotImplementedError."""
    data = bytearray(_docx(b"<w:document/>"))
    # Local header "version needed" (offset 4) and central directory "version needed" (+6).
    at = 0
    while (at := data.find(b"PK\x03\x04", at)) >= 0:
        data[at + 4 : at + 6] = (102).to_bytes(2, "little")
        at += 4
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        data[at + 4 : at + 6] = (102).to_bytes(2, "little")
        data[at + 6 : at + 8] = (102).to_bytes(2, "little")
        at += 4
    return _with_attachment("oferta.docx", DOCX_TYPE, bytes(data))


def zip_unknown_method(n: int) -> bytes:
    """A DOCX whose member claims compression method 99 (AES): not supported by zipfile."""
    data = bytearray(_docx(b"<w:document/>"))
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            data[at + offset : at + offset + 2] = (99).to_bytes(2, "little")
            at += 4
    return _with_attachment("oferta.docx", DOCX_TYPE, bytes(data))


# -------------------------------------------------------------------------------- the set


@dataclass(frozen=True)
class Hostile:
    name: str  # the file name, without .eml
    build: Callable[[int], bytes]
    n: int  # the size of the committed (or run-time) file
    timing_n: int = 0  # the base size for the growth test; 0: not timed


HOSTILE = [
    Hostile("plus-address-run", plus_address_run, 100_000, 40_000),
    Hostile("blank-lines", blank_lines, 100_000, 15_000),
    Hostile("nested-blockquotes", nested_blockquotes, 20_000, 4_000),
    Hostile("flowed-lines", flowed_lines, 800_000, 25_000),
    Hostile("subject-encoded-words", encoded_words, 100_000, 8_000),
    Hostile("subject-encoded-word-run", encoded_word_run, 100_000),
    Hostile("long-header-line", long_header_line, 1_000_000),
    Hostile("many-header-fields", many_header_fields, 20_000, 3_000),
    Hostile("quoted-lines", quoted_lines, 50_000, 2_500),
    Hostile("long-words-line", long_words_line, 100_000, 5_000),
    Hostile("digits-run", digits_run, 200_000, 15_000),
    Hostile("dots-run", dots_run, 100_000, 5_000),
    Hostile("nip-spaces", nip_spaces, 20_000, 10_000),
    Hostile("phone-digits", phone_digits, 50_000, 5_000),
    Hostile("spaces-between", spaces_between, 5_000, 1_500),
    Hostile("charset-nul", charset_label("\x00"), 10),
    Hostile("charset-zlib", charset_label("zlib_codec"), 10),
    Hostile("charset-hex", charset_label("hex"), 10),
    Hostile("charset-rot13", charset_label("rot13"), 10),
    Hostile("charset-base64", charset_label("base64_codec"), 10),
    Hostile("charset-unknown", charset_label("x-no-such-charset"), 10),
    Hostile("deep-mime", deep_mime, 5_000, 0),
    Hostile("many-parts", many_parts, 10_000, 600),
    Hostile("nested-eml", nested_eml, 200, 0),
    Hostile("long-filename", long_filename, 10_000, 0),
    Hostile("filename-bad-charset", filename_bad_charset, 1),
    Hostile("many-addresses", many_addresses, 20_000, 5_000),
    Hostile("inner-deep-mime", inner_deep_mime, 3_000, 0),
    Hostile("tnef-oddity", tnef_oddity, 1_000, 0),
    Hostile("msg-oddity", msg_oddity, 4_096, 0),
    Hostile("empty", empty, 0),
    Hostile("garbage", garbage, 4_096),
    Hostile("garbage-after-headers", garbage_after_headers, 4_096),
    Hostile("pdf-flate-bomb", pdf_flate_bomb, 2_000, 0),
    Hostile("pdf-many-glyphs", pdf_many_glyphs, 2_000_000, 0),
    Hostile("pdf-corrupt-flate", pdf_corrupt_flate, 1_000, 200),
    Hostile("pdf-corrupt-flate-bomb", pdf_corrupt_flate, 40_000, 0),
    Hostile("pdf-many-paths", pdf_many_paths, 500_000, 0),
    Hostile("pdf-many-pages-declared", pdf_many_pages_declared, 10**9, 0),
    Hostile("xlsx-far-cell", xlsx_far_cell, 1),
    Hostile("xlsx-sparse", xlsx_sparse, 200_000),
    Hostile("xlsx-lying-dimension", xlsx_lying_dimension, 1),
    Hostile("odt-nested-spans", odt_nested_spans, 5_000, 0),
    Hostile("ods-repeats", ods_repeats, 1_048_576),
    Hostile("docx-zip-bomb", docx_zip_bomb, 200),
    Hostile("docx-billion-laughs", docx_billion_laughs, 9),
    Hostile("zip-version-10-2", zip_unsupported_version, 1),
    Hostile("zip-unknown-method", zip_unknown_method, 1),
]
BY_NAME = {hostile.name: hostile for hostile in HOSTILE}


def write_all(directory: Path, big: bool) -> list[Path]:
    """Write the set; ``big`` writes only the files over the commit limit, else only the rest."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for hostile in HOSTILE:
        data = hostile.build(hostile.n)
        if (len(data) > COMMIT_LIMIT) == big:
            path = directory / f"{hostile.name}.eml"
            path.write_bytes(data)
            written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else FILES
    for path in write_all(target, big=False):
        print(f"{path.stat().st_size:>9}  {path}")
