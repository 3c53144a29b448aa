"""Quotes in attachments: our offer form, a vendor's DOCX letter, a text PDF, XLSX/ODS estimates."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from decimal import Decimal

import pytest
from docx import Document
from docx.document import Document as DocxDocument

from mailflow.reading import Attachment, Reading, ReplyText, read_reply
from mailflow.reading.offer_form import FORM_LABELS, read_offer_form
from tests.test_reading_clients import OFFICE_NIP, raw_message, read_raw

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
VENDOR_NIP = "5841616825"


def docx_bytes(build: Callable[[DocxDocument], None]) -> bytes:
    document = Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def add_table(document: DocxDocument, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            table.cell(i, j).text = text


def offer_form(values: dict[str, str]) -> bytes:
    def build(document: DocxDocument) -> None:
        document.add_paragraph("FORMULARZ OFERTOWY")
        document.add_paragraph(
            "Zamawiający: Gmina Miasto Przykładowo, pl. Ratuszowy 1, NIP 774-339-75-53"
        )
        add_table(
            document,
            [["Pole", "Wypełnia wykonawca"]]
            + [[label, values.get(label, "")] for label in FORM_LABELS],
        )

    return docx_bytes(build)


FILLED = {
    "Nazwa wykonawcy": "Pracownia Sondażowa Północ sp. z o.o.",
    "Adres": "ul. Długa 12, 80-827 Gdańsk",
    "NIP": "584-161-68-25",
    "Osoba do kontaktu, telefon, e-mail": "Jolanta Wieczorek, 58 301 44 26, j@polnoc.example.pl",
    "Cena netto [zł]": "11 500,00",
    "Stawka VAT [%]": "23",
    "Cena brutto [zł]": "14 145,00",
    "Cena brutto słownie": "czternaście tysięcy sto czterdzieści pięć złotych 00/100",
    "Liczba badań dla podmiotów publicznych w ostatnich 3 latach": "7",
    "Termin realizacji": "do 15.06.2027 r.",
    "Oferta ważna do": "30.04.2027 r.",
    "Miejscowość, data, podpis": "Gdańsk, 05.03.2027 r.",
}


def read_with(attachment: Attachment, text: str = "W załączeniu przesyłamy ofertę.") -> Reading:
    return read_reply(
        ReplyText(
            sender="v@x.example.pl",
            subject="Re: zapytanie",
            new_text=text,
            attachments=(attachment,),
        ),
        office_nip=OFFICE_NIP,
    )


def test_it_reads_the_offer_form_fields_exactly() -> None:
    fields = read_offer_form(offer_form(FILLED))
    assert fields == FILLED


def test_it_reads_no_fields_from_a_docx_that_is_not_our_form() -> None:
    def build(document: DocxDocument) -> None:
        document.add_paragraph("Oferta")

    assert read_offer_form(docx_bytes(build)) == {}


def test_it_takes_a_quote_from_the_offer_form_with_the_vendor_nip_not_the_city_nip() -> None:
    reading = read_with(Attachment("Formularz.docx", DOCX_TYPE, offer_form(FILLED)))
    quote = reading.quote
    assert quote is not None and reading.kind == "quote"
    assert (quote.source, quote.net, quote.gross, quote.vat_rate) == (
        "offer_form",
        Decimal("11500.00"),
        Decimal("14145.00"),
        "23",
    )
    assert quote.vendor_nip == VENDOR_NIP
    assert (quote.valid_until, quote.completion) == ("2027-04-30", "2027-06-15")
    assert reading.needs_review is False


def test_it_flags_a_form_whose_words_contradict_the_figure() -> None:
    wrong = dict(FILLED, **{"Cena brutto słownie": "dwanaście tysięcy złotych"})
    reading = read_with(Attachment("Formularz.docx", DOCX_TYPE, offer_form(wrong)))
    assert reading.needs_review is True


def test_it_flags_a_form_whose_net_and_gross_disagree() -> None:
    wrong = dict(FILLED, **{"Cena brutto [zł]": "15 000,00", "Cena brutto słownie": ""})
    assert read_with(Attachment("Formularz.docx", DOCX_TYPE, offer_form(wrong))).needs_review


def test_it_reads_the_totals_row_of_a_vendor_docx_letter_and_its_header_nip() -> None:
    def build(document: DocxDocument) -> None:
        document.sections[0].header.paragraphs[0].text = "DataPol Badania | NIP 525-204-02-43"
        document.add_paragraph("OFERTA CENOWA – badanie satysfakcji, 400 wywiadów")
        add_table(
            document,
            [
                [
                    "Lp.",
                    "Przedmiot",
                    "Liczba wywiadów",
                    "Cena netto [zł]",
                    "VAT 23% [zł]",
                    "Cena brutto [zł]",
                ],
                ["1", "Kwestionariusz", "", "1 900,00", "437,00", "2 337,00"],
                ["2", "Realizacja wywiadów", "400", "12 000,00", "2 760,00", "14 760,00"],
                ["", "RAZEM", "", "13 900,00", "3 197,00", "17 097,00"],
            ],
        )
        document.add_paragraph("Oferta ważna do 30.04.2027 r.")
        document.add_paragraph("Kapitał zakładowy 50 000,00 zł")

    reading = read_with(Attachment("Oferta.docx", DOCX_TYPE, docx_bytes(build)))
    quote = reading.quote
    assert quote is not None
    assert (quote.source, quote.net, quote.gross) == (
        "docx",
        Decimal("13900.00"),
        Decimal("17097.00"),
    )
    assert quote.vendor_nip == "5252040243"
    assert quote.valid_until == "2027-04-30"
    assert reading.needs_review is False, reading.reasons


def test_it_reads_a_text_pdf() -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    lines = [
        "OFERTA  NIP 725-048-38-88",
        "Cena netto 10 900,00 PLN",
        "Podatek VAT (23%) 2 507,00 PLN",
        "Cena brutto 13 407,00 PLN",
        "Oferta wazna do 15.04.2027 r.",
    ]
    for i, line in enumerate(lines):
        page.drawString(72, 760 - 20 * i, line)
    page.save()
    reading = read_with(Attachment("oferta.pdf", "application/pdf", out.getvalue()))
    quote = reading.quote
    assert quote is not None
    assert (quote.source, quote.net, quote.gross, quote.vat_rate) == (
        "pdf",
        Decimal("10900.00"),
        Decimal("13407.00"),
        "23",
    )
    assert quote.vendor_nip == "7250483888"
    assert quote.valid_until == "2027-04-15"
    assert reading.needs_review is False, reading.reasons


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


ESTIMATE: list[list[object]] = [
    ["Kosztorys – badanie satysfakcji"],
    ["Wykonawca: QRG sp. z o.o., NIP 583-545-74-86"],
    [],
    ["Lp.", "Pozycja", "Jedn.", "Ilość", "Cena jedn. netto [zł]", "Wartość netto [zł]"],
    [1, "Kwestionariusz", "kpl.", 1, 1800, 1800],
    [2, "Realizacja wywiadów PAPI", "wywiad", 400, 27.5, 11000],
    [3, "Analiza i raport", "kpl.", 1, 4000, 4000],
    [None, "Razem netto", None, None, None, 16800],
    [None, "VAT 23%", None, None, None, 3864.0000000000005],
    [None, "Razem brutto", None, None, None, 20664.000000000004],
]


def test_it_reads_the_totals_of_an_xlsx_estimate_not_the_unit_prices() -> None:
    reading = read_with(Attachment("Kosztorys.xlsx", XLSX_TYPE, xlsx_bytes(ESTIMATE)))
    quote = reading.quote
    assert quote is not None
    assert (quote.source, quote.net, quote.gross) == (
        "xlsx",
        Decimal("16800.00"),
        Decimal("20664.00"),
    )
    assert quote.vendor_nip == "5835457486"
    assert reading.needs_review is False, reading.reasons


def test_it_takes_nothing_from_an_estimate_without_a_total_row() -> None:
    rows = ESTIMATE[:7]
    reading = read_with(Attachment("Kosztorys.xlsx", XLSX_TYPE, xlsx_bytes(rows)))
    assert reading.needs_review is True
    assert reading.quote is None or (reading.quote.net is None and reading.quote.gross is None)


def ods_bytes(rows: list[list[str | float]]) -> bytes:
    def cell(value: str | float) -> str:
        if isinstance(value, float):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            '<table:table-cell office:value-type="string">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )

    body = "".join(
        f"<table:table-row>{''.join(cell(v) for v in row)}</table:table-row>" for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Kosztorys">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{ODS_TYPE}"/><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", ODS_TYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return out.getvalue()


def test_it_reads_an_ods_estimate() -> None:
    rows: list[list[str | float]] = [
        ["Pozycja", "Wartość netto [zł]"],
        ["Badanie", 12300.0],
        ["Razem netto", 12300.0],
        ["Razem brutto", 15129.0],
    ]
    reading = read_with(Attachment("kosztorys.ods", ODS_TYPE, ods_bytes(rows)))
    quote = reading.quote
    assert quote is not None, reading.reasons
    assert (quote.source, quote.net, quote.gross) == (
        "xlsx",
        Decimal("12300.00"),
        Decimal("15129.00"),
    )


def test_it_prefers_the_attachment_and_flags_a_body_that_disagrees() -> None:
    reading = read_with(
        Attachment("Formularz.docx", DOCX_TYPE, offer_form(FILLED)),
        text="Nasza cena: 12 000,00 zł netto.",
    )
    assert reading.quote is not None and reading.quote.source == "offer_form"
    assert reading.needs_review is True


@pytest.mark.parametrize("client", ["outlook", "gmail"])
def test_it_reads_an_attached_form_through_the_whole_message(client: str) -> None:
    attachment = Attachment("Formularz_ofertowy_Północ.docx", DOCX_TYPE, offer_form(FILLED))
    reading = read_raw(raw_message("w załączeniu formularz", attachments=(attachment,)))
    assert reading.quote is not None and reading.quote.source == "offer_form"
    assert reading.quote.vendor_nip == VENDOR_NIP


def letter(paragraphs: list[str], rows: list[list[str]] | None = None) -> bytes:
    def build(document: DocxDocument) -> None:
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
        if rows:
            add_table(document, rows)

    return docx_bytes(build)


@pytest.mark.parametrize(
    ("paragraphs", "rows"),
    [
        (["Oferujemy wykonanie badania za 12 300,00 zł netto, tj. 15 129,00 zł brutto."], None),
        (
            [],
            [
                ["Cena netto", "12 300,00 zł"],
                ["VAT 23%", "2 829,00 zł"],
                ["Cena brutto", "15 129,00 zł"],
            ],
        ),
        ([], [["Cena netto [zł]", "12 300,00"], ["Cena brutto [zł]", "15 129,00"]]),
        ([], [["Cena netto", "12 300,00 zł", "Cena brutto", "15 129,00 zł"]]),
        (
            [],
            [
                ["Pozycja", "Netto", "Brutto"],
                ["Kwestionariusz", "1 000,00", "1 230,00"],
                ["Wywiady", "11 300,00", "13 899,00"],
                ["SUMA", "12 300,00", "15 129,00"],
            ],
        ),
    ],
)
def test_it_reads_a_docx_letter_in_paragraphs_or_any_table_shape(
    paragraphs: list[str], rows: list[list[str]] | None
) -> None:
    reading = read_with(Attachment("Oferta.docx", DOCX_TYPE, letter(paragraphs, rows)))
    quote = reading.quote
    assert quote is not None
    assert (quote.net, quote.gross) == (Decimal("12300.00"), Decimal("15129.00"))
    assert reading.needs_review is False, reading.reasons


@pytest.mark.parametrize(
    "rows",
    [
        [
            ["Pozycja", "Netto", "Brutto"],
            ["Kwestionariusz", "1 000,00", "1 230,00"],
            ["Wywiady", "11 300,00", "13 899,00"],
        ],  # items without a total
        [
            ["Wariant", "Cena netto", "Cena brutto"],
            ["A", "12 300,00", "15 129,00"],
            ["B", "10 000,00", "12 300,00"],
        ],
    ],
)
def test_it_takes_no_price_from_item_rows_or_variants_in_a_table(rows: list[list[str]]) -> None:
    reading = read_with(Attachment("Oferta.docx", DOCX_TYPE, letter([], rows)))
    assert reading.needs_review is True
    assert reading.quote is not None and reading.quote.net is None and reading.quote.gross is None


def test_it_reads_the_same_form_labels_the_documents_module_renders() -> None:
    documents = pytest.importorskip("mailflow.offer_form")
    assert tuple(FORM_LABELS) == tuple(documents.LABELS)
    assert tuple(documents.HEADER) == ("Pole", "Wypełnia wykonawca")


ODT_TYPE = "application/vnd.oasis.opendocument.text"


def odt_bytes(paragraphs: list[str], rows: list[list[str]]) -> bytes:
    """A minimal LibreOffice text document: paragraphs, then one table."""

    def cell(text: str) -> str:
        return f"<table:table-cell><text:p>{text}</text:p></table:table-cell>"

    table = "".join(
        f"<table:table-row>{''.join(cell(c) for c in row)}</table:table-row>" for row in rows
    )
    body = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text>{body}<table:table>{table}</table:table>"
        "</office:text></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", ODT_TYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_it_reads_our_offer_form_saved_by_libreoffice_as_odt() -> None:
    rows = [["Pole", "Wypełnia wykonawca"], *([label, FILLED[label]] for label in FORM_LABELS)]
    data = odt_bytes(["Zamawiający: Gmina Miasto Przykładowo, NIP 774-339-75-53"], rows)
    reading = read_with(Attachment("Formularz.odt", ODT_TYPE, data))
    quote = reading.quote
    assert quote is not None
    assert (quote.source, quote.net, quote.gross, quote.vendor_nip) == (
        "offer_form",
        Decimal("11500.00"),
        Decimal("14145.00"),
        VENDOR_NIP,
    )
    assert reading.needs_review is False, reading.reasons


def test_it_reads_an_odt_letter_as_a_word_processor_source() -> None:
    data = odt_bytes(
        ["Oferta, NIP 725-048-38-88"],
        [["Cena netto", "12 300,00 zł"], ["Cena brutto", "15 129,00 zł"]],
    )
    quote = read_with(Attachment("oferta.odt", ODT_TYPE, data)).quote
    assert quote is not None
    assert (quote.source, quote.net, quote.gross) == (
        "docx",
        Decimal("12300.00"),
        Decimal("15129.00"),
    )
