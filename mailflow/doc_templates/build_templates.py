"""Create the first version of every IN-13 document template (.docx with docxtpl tags).

Run once from the repository root: ``.venv/bin/python mailflow/doc_templates/build_templates.py``.
After that the committed .docx files are the source of truth: an official restyles them in
Word, and re-running this script would overwrite those edits (it refuses unless --force).

Tags used (docxtpl): ``{{ value }}``, paragraph loops ``{%p for ... %}``, table-row loops
``{%tr for ... %}``. Each tag is written into a single run so Word formatting cannot split it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from mailflow.offer_form import HEADER, LABELS

HERE = Path(__file__).resolve().parent
FONT = "Arial"  # LibreOffice substitutes the metric-compatible Liberation Sans
NAVY = RGBColor(0x1F, 0x38, 0x64)
TEXT_WIDTH_CM = 16.5
SIGNATURE_INDENT = Cm(8.5)
HEADER_FILL = "D9E2F3"
NBSP = "\u00a0"  # "2027 r." never splits across lines


# ------------------------------------------------------------------ document set-up


def _plain_fonts(style_element: Any) -> None:
    """Drop theme font references so the named font really applies in Word."""
    for fonts in style_element.iter(qn("w:rFonts")):
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)


def _set_language(document: DocxDocument) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None
    run_properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), "pl-PL")


def new_document(title: str, *, landscape: bool = False) -> DocxDocument:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.0)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)

    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size, before in (("Heading 1", 14, 12), ("Heading 2", 12, 10), ("Title", 16, 0)):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = NAVY
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(6)
    for name in ("List Bullet", "List Number", "Caption", "Header", "Footer"):
        styles[name].font.name = FONT
    styles["Caption"].font.size = Pt(9)
    styles["Caption"].font.italic = True
    styles["Caption"].font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    for style in styles:
        _plain_fonts(style.element)
    _plain_fonts(styles.element)
    _set_language(document)

    properties = document.core_properties
    properties.title = title
    properties.author = "Urząd Miasta"
    properties.language = "pl-PL"
    properties.comments = (
        "Szablon IN-13 (docxtpl): pola w podwójnych nawiasach klamrowych uzupełnia mailflow."
    )
    return document


def paragraph(
    document: DocxDocument,
    text: str = "",
    *,
    bold: bool = False,
    style: str | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: Cm | None = None,
    size: float | None = None,
    space_after: float | None = None,
    keep_with_next: bool = False,
) -> Paragraph:
    para = document.add_paragraph(style=style)
    if text:
        run = para.add_run(text)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
    if align is not None:
        para.alignment = align
    if indent is not None:
        para.paragraph_format.left_indent = indent
    if space_after is not None:
        para.paragraph_format.space_after = Pt(space_after)
    if keep_with_next:
        para.paragraph_format.keep_with_next = True
    return para


def tag(document: DocxDocument, text: str) -> None:
    """A paragraph holding only a docxtpl ``{%p ... %}`` tag (removed when rendered)."""
    document.add_paragraph(text)


def bullets(document: DocxDocument, loop: str, item: str, *, indent: Cm | None = None) -> None:
    tag(document, "{%p for " + loop + " %}")
    para = paragraph(document, item, style="List Bullet", space_after=2)
    if indent is not None:
        para.paragraph_format.left_indent = indent
    tag(document, "{%p endfor %}")


def _no_orphans(text: str) -> str:
    """Keep "w 2027 r." on one line: no-break spaces around the year of a title."""
    text = re.sub(r"(\}\}|\d) r\.", "\\1" + NBSP + "r.", text)
    text = re.sub(r" w (\{\{ year \}\}|\d{4})", NBSP.join((" w", "\\1")), text)
    # A placeholder just before: its last word goes down with "w 2027 r." rather than
    # leaving the year alone on the line.
    return text.replace("}} w" + NBSP, "}}" + NBSP + "w" + NBSP)


def heading(document: DocxDocument, text: str, level: int = 2) -> None:
    document.add_heading(_no_orphans(text), level=level).paragraph_format.keep_with_next = True


def _shade(cell: object, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _mark_header_row(table: Table) -> None:
    """Repeat the first row on every page; screen readers treat it as the header row."""
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row_properties.append(header)


def _keep_rows_whole(table: Table) -> None:
    """A row never breaks across pages (a split topic or finding reads as two)."""
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _write_cell(cell: object, text: str, *, bold: bool = False, size: float = 9.5) -> None:
    cell.text = ""  # type: ignore[attr-defined]
    para = cell.paragraphs[0]  # type: ignore[attr-defined]
    para.paragraph_format.space_after = Pt(0)
    para.paragraph_format.line_spacing = 1.0
    run = para.add_run(text)
    run.bold = bold or None
    run.font.size = Pt(size)


def _table(document: DocxDocument, rows: int, widths: Sequence[float]) -> Table:
    table = document.add_table(rows=rows, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # the grid LibreOffice lays out by
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)  # the cell widths Word lays out by
    return table


def loop_table(
    document: DocxDocument,
    headers: Sequence[str],
    cells: Sequence[str],
    loop: str,
    widths: Sequence[float],
    *,
    size: float = 9.5,
    row_height_cm: float | None = None,
    keep_together: bool = False,
) -> Table:
    """Header row, then one row repeated for each item of ``loop`` (``x in items``).

    ``keep_together``: a short table (the criteria, the deadlines) is never split across
    pages: every row is kept with the next, as Word does for "keep with next" in tables.
    """
    table = _table(document, 4, widths)
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _write_cell(cell, text, bold=True, size=size)
        _shade(cell, HEADER_FILL)
    _write_cell(table.rows[1].cells[0], "{%tr for " + loop + " %}", size=size)
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        _write_cell(cell, text, size=size)
    _write_cell(table.rows[3].cells[0], "{%tr endfor %}", size=size)
    if row_height_cm:
        table.rows[2].height = Cm(row_height_cm)
    if keep_together:
        for row in (table.rows[0], table.rows[2]):
            for cell in row.cells:
                for para in cell.paragraphs:
                    para.paragraph_format.keep_with_next = True
    _mark_header_row(table)
    _keep_rows_whole(table)
    document.add_paragraph().paragraph_format.space_after = Pt(2)
    return table


def fixed_table(
    document: DocxDocument,
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    min_height_cm: float | None = None,
    size: float = 10,
) -> Table:
    table = _table(document, len(rows), widths)
    for index, (row, values) in enumerate(zip(table.rows, rows, strict=True)):
        for column, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            _write_cell(cell, text, bold=index == 0 or column == 0, size=size)
            if index == 0:
                _shade(cell, HEADER_FILL)
        if min_height_cm and index:
            row.height = Cm(min_height_cm)
    _mark_header_row(table)
    _keep_rows_whole(table)
    return table


# ------------------------------------------------------------------ letter parts


def _field(paragraph_: Paragraph, instruction: str) -> None:
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    run_properties = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "16")
    run_properties.append(size)
    run.append(run_properties)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph_._p.append(simple)


_PPR_AFTER_BORDERS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _border(paragraph_: Paragraph, side: str) -> None:
    properties = paragraph_._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "4"), ("w:color", "1F3864")):
        line.set(qn(key), value)
    borders.append(line)
    # Schema order matters to Word: pBdr comes before shading, tabs, spacing and the rest.
    properties.insert_element_before(borders, *_PPR_AFTER_BORDERS)


def _bottom_border(paragraph_: Paragraph) -> None:
    _border(paragraph_, "bottom")


def _top_border(paragraph_: Paragraph) -> None:
    _border(paragraph_, "top")


def letterhead(document: DocxDocument) -> None:
    header = document.sections[0].header
    first = header.paragraphs[0]
    run = first.add_run("{{ office.name }}")
    run.bold = True
    run.font.size = Pt(13)
    run.font.color.rgb = NAVY
    first.paragraph_format.space_after = Pt(0)
    for text in (
        "{{ office.unit }} · {{ office.address }}",
        "tel. {{ office.phone }} · e-mail: {{ office.email }} · NIP {{ office.nip }}"
        " · REGON {{ office.regon }} · BIP: {{ office.bip_url }}",
    ):
        line = header.add_paragraph()
        small = line.add_run(text)
        small.font.size = Pt(8)
        small.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
        line.paragraph_format.space_after = Pt(0)
    _bottom_border(header.paragraphs[-1])
    # Air between the rule and the text, so a heading at the top of a page does not touch it.
    header.paragraphs[-1].paragraph_format.space_after = Pt(14)


def footer(document: DocxDocument, text: str) -> None:
    foot = document.sections[0].footer
    first = foot.paragraphs[0]
    _top_border(first)
    run = first.add_run(text)
    run.font.size = Pt(8)
    first.paragraph_format.space_after = Pt(0)
    numbers = foot.add_paragraph()
    numbers.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    page = numbers.add_run("Strona ")
    page.font.size = Pt(8)
    _field(numbers, "PAGE")
    of = numbers.add_run(" z ")
    of.font.size = Pt(8)
    _field(numbers, "NUMPAGES")


def handled_by_footer(document: DocxDocument) -> None:
    footer(
        document,
        "Sprawę prowadzi: {{ handled_by.name }}, {{ handled_by.position }},"
        " tel. {{ handled_by.phone }}, e-mail: {{ handled_by.email }}",
    )


def reference_and_date(document: DocxDocument) -> None:
    para = document.add_paragraph()
    para.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    para.add_run("Znak sprawy: {{ case_ref }}\t{{ place_date }}")
    para.paragraph_format.space_after = Pt(18)


def addressee_block(document: DocxDocument, name: str = "addressee") -> None:
    paragraph(
        document, "{{ " + name + ".name }}", bold=True, indent=SIGNATURE_INDENT, space_after=0
    )
    tag(document, "{%p for line in " + name + ".lines %}")
    paragraph(document, "{{ line }}", indent=SIGNATURE_INDENT, space_after=0)
    tag(document, "{%p endfor %}")
    paragraph(document, "", space_after=12)


def title(document: DocxDocument, text: str, subtitle: str = "") -> None:
    heading_ = document.add_heading(_no_orphans(text), level=1)
    heading_.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading_.paragraph_format.keep_with_next = True
    if subtitle:
        paragraph(
            document,
            _no_orphans(subtitle),
            align=WD_ALIGN_PARAGRAPH.CENTER,
            space_after=12,
            bold=True,
        )


def signature(
    document: DocxDocument, closing: str = "Z poważaniem", who: str = "signatory"
) -> None:
    paragraph(document, "", space_after=6)
    if closing:
        paragraph(document, closing, indent=SIGNATURE_INDENT, space_after=30, keep_with_next=True)
    paragraph(
        document,
        "{{ " + who + ".name }}",
        bold=True,
        indent=SIGNATURE_INDENT,
        space_after=0,
        keep_with_next=True,
    )
    paragraph(document, "{{ " + who + ".position }}", indent=SIGNATURE_INDENT, size=10)


def approval_block(document: DocxDocument) -> None:
    """Author's signature and the superior's approval side by side, kept on one page."""
    paragraph(document, "", space_after=6, keep_with_next=True)
    table = document.add_table(rows=1, cols=2)  # no style: a layout grid without borders
    table.autofit = False
    left, right = table.rows[0].cells
    for column, cell in zip(table.columns, (left, right), strict=True):
        column.width = cell.width = Cm(TEXT_WIDTH_CM / 2)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for cell, lines in (
        (
            left,
            [
                ("Zatwierdzam / nie zatwierdzam:", False, 10, 22),
                ("………………………………………", False, 10, 0),
                ("data i podpis zatwierdzającego", False, 8, 0),
            ],
        ),
        (
            right,
            [
                ("Sporządził(a):", False, 10, 22),
                ("{{ signatory.name }}", True, 10, 0),
                ("{{ signatory.position }}", False, 9, 0),
            ],
        ),
    ):
        for index, (text, bold, size, after) in enumerate(lines):
            para = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            run = para.add_run(text)
            run.bold = bold or None
            run.font.size = Pt(size)
            para.paragraph_format.space_after = Pt(after)
            para.paragraph_format.keep_with_next = True


def letter_start(document: DocxDocument) -> None:
    letterhead(document)
    handled_by_footer(document)
    reference_and_date(document)


# ------------------------------------------------------------------ the nine documents


def prosba_o_zagadnienia() -> DocxDocument:
    doc = new_document("Prośba o zgłoszenie zagadnień do badania satysfakcji klientów")
    letter_start(doc)
    paragraph(doc, "Według rozdzielnika", bold=True, indent=SIGNATURE_INDENT, space_after=18)
    title(doc, "Prośba o zgłoszenie zagadnień do badania satysfakcji klientów w {{ year }} r.")
    paragraph(doc, "Szanowni Państwo,")
    paragraph(
        doc,
        "zgodnie z instrukcją IN-13 „Badanie jakości usług świadczonych przez Urząd” "
        "Zintegrowanego Systemu Zarządzania, {{ office.unit }} przygotowuje katalog zagadnień do "
        "tegorocznego badania satysfakcji klientów {{ office.name_genitive }}. Katalog obejmuje "
        "sprawy, w których potrzebna jest opinia klientów – mieszkańców i przedsiębiorców.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    paragraph(
        doc,
        "Uprzejmie proszę o zgłoszenie zagadnień, które Państwa zdaniem powinny zostać objęte "
        "badaniem, w szczególności wynikających z:",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    for text in (
        "obsługi klientów w Biurze Obsługi Klienta,",
        "skarg, wniosków i interwencji wpływających do Urzędu,",
        "spraw prowadzonych przez kierowane przez Państwa komórki organizacyjne.",
    ):
        paragraph(doc, text, style="List Bullet", space_after=2)
    paragraph(
        doc,
        "Zgłoszenia proszę przesłać do dnia {{ reply_by }}, odpowiadając na wiadomość, do której "
        "dołączono niniejsze pismo (adres: {{ reply_address }}). Proszę wypełnić formularz "
        "zamieszczony poniżej – można go uzupełnić bezpośrednio w tym pliku i odesłać jako "
        "załącznik albo opisać zagadnienia w treści odpowiedzi.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    signature(doc)
    paragraph(doc, "Rozdzielnik:", bold=True, size=10, space_after=2)
    bullets(doc, "person in recipients", "{{ person.name }} – {{ person.position }}")

    doc.add_page_break()
    heading(doc, "Formularz zgłoszenia zagadnień do badania satysfakcji klientów w {{ year }} r.")
    paragraph(doc, "Znak sprawy: {{ case_ref }}", size=10)
    fixed_table(
        doc,
        [
            ["Zgłaszający", "Wypełnia zgłaszający"],
            ["Imię i nazwisko, stanowisko", ""],
            ["Komórka organizacyjna", ""],
            ["Telefon, e-mail", ""],
        ],
        [6.0, 10.5],
        min_height_cm=0.8,
    )
    paragraph(doc, "", space_after=6)
    loop_table(
        doc,
        [
            "Lp.",
            "Zagadnienie (czego dotyczy)",
            "Uzasadnienie (skąd wiadomo, że jest ważne)",
            "Komórka, której dotyczy",
            "Proponowane pytanie do klientów",
        ],
        ["{{ number }}.", "", "", "", ""],
        "number in blank_rows",
        [1.0, 4.0, 4.5, 3.0, 4.0],
        row_height_cm=2.0,
    )
    paragraph(doc, "W razie potrzeby proszę dodać kolejne wiersze tabeli.", size=9)
    return doc


def katalog_zagadnien() -> DocxDocument:
    doc = new_document("Katalog zagadnień do badania satysfakcji klientów")
    letter_start(doc)
    title(doc, "Katalog zagadnień do badania satysfakcji klientów w {{ year }} r.")
    paragraph(
        doc,
        "Katalog opracował {{ office.unit }} zgodnie z instrukcją IN-13 na podstawie własnych "
        "obserwacji, analizy wyników badania przeprowadzonego w poprzednim roku oraz "
        "zgłoszeń Kierownika Biura Obsługi Klienta, pracownika ds. skarg, wniosków i interwencji "
        "i kierowników komórek organizacyjnych Urzędu.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    loop_table(
        doc,
        ["Lp.", "Zagadnienie", "Źródło", "Omówienie"],
        [
            "{{ loop.index }}.",
            "{{ topic.title }}",
            "{{ topic.source_label }}",
            "{{ topic.discussion }}",
        ],
        "topic in topics",
        [1.0, 4.5, 3.5, 7.5],
    )
    paragraph(doc, "Liczba zagadnień w katalogu: {{ topics|length }}.")
    signature(doc, closing="Sporządził(a):")
    return doc


def zapytanie_o_cene() -> DocxDocument:
    doc = new_document("Zapytanie o cenę – badanie satysfakcji klientów")
    letter_start(doc)
    addressee_block(doc)
    title(
        doc,
        "Zapytanie o cenę",
        "dotyczy: przeprowadzenia badania satysfakcji klientów {{ office.name_genitive }}"
        " w {{ year }} r.",
    )
    paragraph(doc, "Szanowni Państwo,")
    paragraph(
        doc,
        "{{ office.legal_name }} zaprasza do złożenia oferty cenowej na przeprowadzenie badania "
        "satysfakcji klientów {{ office.name_genitive }}. Zapytanie prowadzone jest w celu "
        "rozeznania rynku i wyboru wykonawcy.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    heading(doc, "1. Zamawiający")
    for text in (
        "{{ office.legal_name }} – {{ office.name }}",
        "{{ office.address }}",
        "NIP: {{ office.nip }}, REGON: {{ office.regon }}",
        "Biuletyn Informacji Publicznej: {{ office.bip_url }}",
        "e-mail: {{ office.email }}, tel. {{ office.phone }}",
    ):
        paragraph(doc, text, space_after=0)
    heading(doc, "2. Podstawa prawna i zastrzeżenia")
    paragraph(doc, "{{ legal_basis }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    bullets(doc, "item in reservations", "{{ item }}")
    heading(doc, "3. Przedmiot zamówienia")
    paragraph(
        doc,
        "Przedmiotem zamówienia jest przeprowadzenie badania satysfakcji klientów "
        "{{ office.name_genitive }} w {{ year }} r., dające rzetelną opinię klientów (mieszkańców "
        "i przedsiębiorców) o jakości usług świadczonych przez Urząd. Kod CPV: {{ cpv_text }}.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    paragraph(doc, "Badanie obejmie następujące zagadnienia z katalogu zagadnień:", space_after=2)
    bullets(doc, "item in scope", "{{ item }}")
    paragraph(doc, "Metoda badania: {{ method }}.")
    paragraph(doc, "Wielkość próby: {{ sample_size }} wywiadów. {{ interviews }}")
    tag(doc, "{%p if quotas %}")
    paragraph(doc, "Liczba wywiadów w poszczególnych komórkach Urzędu:", keep_with_next=True)
    loop_table(
        doc,
        ["Miejsce przeprowadzenia wywiadów", "Liczba wywiadów"],
        ["{{ quota.unit }}", "{{ quota.interviews }}"],
        "quota in quotas",
        [12.5, 4.0],
        size=10,
        keep_together=True,
    )
    tag(doc, "{%p endif %}")
    paragraph(doc, "{{ questionnaire }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    heading(doc, "4. Terminy realizacji")
    paragraph(
        doc,
        "Przeprowadzenie wywiadów: nie później niż do dnia {{ survey_by }} Dokładny termin "
        "badania zostanie uzgodniony z wykonawcą po zawarciu umowy.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        keep_with_next=True,
    )
    loop_table(
        doc,
        ["Wykonawca przekaże Zamawiającemu", "Termin"],
        ["{{ item.what }}", "do {{ item.due }}"],
        "item in deliverables",
        [11.5, 5.0],
        size=10,
        keep_together=True,
    )
    heading(doc, "5. Warunki udziału")
    paragraph(doc, "O zamówienie mogą ubiegać się wykonawcy, którzy:", space_after=2)
    bullets(doc, "item in conditions", "{{ item }}")
    paragraph(
        doc,
        "Spełnienie warunków wykonawca potwierdza oświadczeniem w formularzu ofertowym.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    heading(doc, "6. Kryteria oceny ofert i sposób przyznawania punktów")
    loop_table(
        doc,
        ["Kryterium", "Waga", "Sposób przyznawania punktów"],
        [
            "{{ criterion.name }}",
            "{{ criterion.weight_percent }}%",
            "{{ criterion.description }}",
        ],
        "criterion in criteria",
        [4.0, 1.5, 11.0],
        size=9.5,
        keep_together=True,
    )
    paragraph(
        doc,
        "Łączna liczba punktów oferty jest sumą punktów uzyskanych w poszczególnych kryteriach "
        "(najwyżej 100 pkt). Zamawiający wybierze ofertę, która uzyska najwyższą łączną liczbę "
        "punktów; przy równej liczbie punktów – ofertę z niższą ceną.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    heading(doc, "7. Prawa autorskie i warunki płatności")
    paragraph(doc, "{{ licence }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph(doc, "{{ payment_terms }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    heading(doc, "8. Termin i sposób złożenia oferty")
    paragraph(
        doc,
        "Ofertę należy przesłać do dnia {{ offer_deadline }}, pocztą elektroniczną na adres "
        "{{ reply_address }}, odpowiadając na wiadomość z zapytaniem bez zmiany jej tematu "
        "(oznaczenie {{ subject_tag }}). {{ offer_form_rule }} Cenę należy podać w złotych, netto "
        "i brutto, z uwzględnieniem wszystkich kosztów realizacji zamówienia. "
        "{{ late_offer_rule }}",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    paragraph(
        doc,
        "Wykonawca jest związany ofertą przez {{ offer_validity_days }} dni od upływu terminu "
        "składania ofert, tj. do dnia {{ offer_valid_until }} Wykonawca może przed upływem "
        "terminu zmienić ofertę, przesyłając jej korektę; wiąże wówczas oferta późniejsza.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    paragraph(
        doc,
        "Pytania dotyczące zapytania można kierować na ten sam adres. Osoba do kontaktu: "
        "{{ contact.name }}, {{ contact.position }}, tel. {{ contact.phone }}, "
        "e-mail: {{ contact.email }}. W korespondencji proszę powoływać się na znak sprawy "
        "{{ case_ref }}.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    heading(doc, "9. Klauzula informacyjna (art. 13 RODO)")
    paragraph(
        doc,
        "Zgodnie z art. 13 ust. 1 i 2 rozporządzenia Parlamentu Europejskiego i Rady (UE) 2016/679 "
        "z dnia 27 kwietnia 2016 r. w sprawie ochrony osób fizycznych w związku z przetwarzaniem "
        "danych osobowych i w sprawie swobodnego przepływu takich danych oraz uchylenia dyrektywy "
        "95/46/WE (ogólne rozporządzenie o ochronie danych, Dz. Urz. UE L 119 z 04.05.2016, "
        "str. 1), dalej „RODO”, informuję, że:",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        size=9,
    )
    for text in (
        "administratorem Pani/Pana danych osobowych jest {{ office.legal_name }}, "
        "{{ office.address }}, e-mail: {{ office.email }};",
        "kontakt z inspektorem ochrony danych: {{ office.data_protection_email }};",
        "dane osobowe przetwarzane będą na podstawie art. 6 ust. 1 lit. c RODO w celu związanym "
        "z niniejszym rozeznaniem rynku i udzieleniem zamówienia;",
        "odbiorcami danych mogą być osoby i podmioty, którym udostępniona zostanie dokumentacja "
        "na podstawie ustawy z dnia 6 września 2001 r. o dostępie do informacji publicznej;",
        "dane będą przechowywane przez okres wynikający z przepisów o narodowym zasobie "
        "archiwalnym i archiwach oraz jednolitego rzeczowego wykazu akt;",
        "podanie danych jest dobrowolne, lecz niezbędne do rozpatrzenia oferty;",
        "decyzje nie będą podejmowane w sposób zautomatyzowany, w tym w formie profilowania;",
        "przysługuje Pani/Panu prawo dostępu do danych, ich sprostowania i ograniczenia "
        "przetwarzania oraz prawo wniesienia skargi do Prezesa Urzędu Ochrony Danych Osobowych; "
        "nie przysługuje prawo do usunięcia danych, ich przenoszenia ani sprzeciwu, o ile "
        "podstawą przetwarzania jest art. 6 ust. 1 lit. c RODO.",
    ):
        para = paragraph(doc, text, style="List Bullet", space_after=0, size=9)
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    signature(doc)
    paragraph(doc, "Załącznik:", bold=True, size=10, space_after=0)
    paragraph(doc, "Formularz ofertowy", style="List Number", size=10)
    return doc


def formularz_ofertowy() -> DocxDocument:
    doc = new_document("Formularz ofertowy")
    letterhead(doc)
    footer(doc, "Formularz ofertowy – znak sprawy {{ case_ref }}")
    title(doc, "FORMULARZ OFERTOWY")
    paragraph(doc, "Znak sprawy: {{ case_ref }}", space_after=2)
    paragraph(
        doc,
        "Zamawiający: {{ office.legal_name }} – {{ office.name }}, {{ office.address }}, "
        "NIP {{ office.nip }}",
        space_after=2,
    )
    paragraph(doc, "Przedmiot: {{ subject }}", space_after=10)
    fixed_table(
        doc,
        [list(HEADER)] + [[label, ""] for label in LABELS],
        [7.0, 9.5],
        min_height_cm=0.9,
        size=10,
    )
    paragraph(doc, "", space_after=4)
    paragraph(doc, "Oświadczam, że:", size=10, space_after=2, keep_with_next=True)
    for text in (
        "zapoznałem(-am) się z treścią zapytania o cenę i nie wnoszę do niego zastrzeżeń, "
        "a podana cena obejmuje wszystkie koszty realizacji zamówienia, w tym przeniesienie "
        "autorskich praw majątkowych;",
        "spełniam warunki udziału określone w zapytaniu o cenę, a liczba badań podana "
        "w formularzu jest zgodna z prawdą;",
        "jestem związany(-a) ofertą co najmniej do dnia {{ valid_until }}",
    ):
        para = paragraph(doc, text, style="List Bullet", space_after=0, size=10)
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph(doc, "", space_after=4)
    tag(doc, "{%p for note in notes %}")
    paragraph(doc, "{{ note }}", size=9, align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=2)
    tag(doc, "{%p endfor %}")
    paragraph(
        doc,
        "Prosimy wypełnić prawą kolumnę tabeli (bez zmiany opisów w lewej kolumnie) i odesłać "
        "plik w odpowiedzi na wiadomość z zapytaniem. Ceny proszę podać w złotych, np. 12 300,00.",
        size=9,
    )
    return doc


def zestawienie_ofert() -> DocxDocument:
    doc = new_document("Zestawienie ofert – notatka z rozeznania rynku")
    letter_start(doc)
    addressee_block(doc)
    title(doc, "Notatka z rozeznania rynku", "Zestawienie ofert – {{ subject }}")
    paragraph(
        doc,
        "Zgodnie z instrukcją IN-13 zapytanie o cenę skierowano do {{ asked_count }} wykonawców "
        "prowadzących badania opinii. Termin składania ofert upłynął {{ offer_deadline }}. "
        "Oferty złożyło {{ offers_count }} wykonawców; ocenie podlegało {{ scored_count }}. "
        "Poniżej zestawiono wszystkie zapytania i odpowiedzi (daty i godziny według czasu "
        "urzędowego w Polsce).",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    heading(doc, "1. Zapytania i złożone oferty")
    loop_table(
        doc,
        [
            "Lp.",
            "Wykonawca",
            "Zapytanie wysłano",
            "Oferta wpłynęła",
            "Cena netto",
            "VAT",
            "Cena brutto",
            "Status, uwagi",
        ],
        [
            "{{ loop.index }}.",
            "{{ vendor.name }}, {{ vendor.email_wrapped }}",
            "{{ vendor.asked }}",
            "{{ vendor.answered }}",
            "{{ vendor.net }}",
            "{{ vendor.vat }}",
            "{{ vendor.gross }}",
            "{{ vendor.status_label }}{% if vendor.remarks %}; {{ vendor.remarks }}{% endif %}",
        ],
        "vendor in vendors",
        [0.9, 3.4, 2.0, 2.2, 2.3, 1.1, 2.3, 2.3],
        size=8,
    )
    paragraph(doc, "{{ offer_form_rule }} {{ late_offer_rule }}", size=9)
    tag(doc, "{%p if corrections %}")
    heading(doc, "Korekty ofert")
    paragraph(
        doc,
        "Wykonawca może przed upływem terminu zastąpić ofertę korektą; ocenie podlega oferta "
        "późniejsza, a oferta zastąpiona pozostaje w dokumentacji.",
        size=9,
        keep_with_next=True,
    )
    loop_table(
        doc,
        ["Wykonawca", "Oferta zastąpiona", "Netto / brutto", "Korekta", "Netto / brutto"],
        [
            "{{ item.vendor }}",
            "{{ item.first_received_at }}",
            "{{ item.first_net }} / {{ item.first_gross }}",
            "{{ item.new_received_at }}",
            "{{ item.new_net }} / {{ item.new_gross }}",
        ],
        "item in corrections",
        [3.8, 3.3, 3.0, 3.3, 3.1],
        size=8.5,
    )
    tag(doc, "{%p endif %}")
    heading(doc, "2. Ocena ofert według kryteriów z zapytania")
    tag(doc, "{%p for criterion in criteria %}")
    paragraph(
        doc,
        "{{ criterion.name }} ({{ criterion.weight_percent }}%): {{ criterion.description }}.",
        size=9,
        space_after=2,
        keep_with_next=True,
    )
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if ranking %}")
    table = loop_table(
        doc,
        ["Miejsce", "Wykonawca", "Punkty w kryteriach", "Razem pkt"],
        ["{{ offer.place }}.", "{{ offer.vendor }}", "", "{{ offer.total }}"],
        "offer in ranking",
        [1.6, 4.6, 8.3, 2.0],
        size=9,
    )
    cell = table.rows[2].cells[2]
    cell.text = ""
    first = cell.paragraphs[0]
    first.add_run("{%p for item in offer.points %}").font.size = Pt(9)
    for text in ("{{ item.line }}", "{%p endfor %}"):
        para = cell.add_paragraph()
        para.paragraph_format.space_after = Pt(0)
        para.add_run(text).font.size = Pt(9)
    for para in cell.paragraphs:
        para.paragraph_format.space_after = Pt(0)
    paragraph(
        doc,
        "„nie podano” – wykonawca nie podał informacji, o którą pytał formularz; zgodnie "
        "z zapytaniem oznacza to 0 pkt w tym kryterium.",
        size=8.5,
    )
    tag(doc, "{%p else %}")
    paragraph(doc, "Żadna oferta nie podlegała ocenie.")
    tag(doc, "{%p endif %}")
    heading(doc, "3. Szacunkowa wartość zamówienia")
    paragraph(
        doc,
        "Na podstawie art. 28 ustawy z dnia 11 września 2019 r. – Prawo zamówień publicznych "
        "szacunkowa wartość zamówienia, bez podatku od towarów i usług, wynosi "
        "{{ estimated_value_net }} netto (słownie: {{ estimated_value_words }}). "
        "{{ estimation_basis }} Wartość ustalono w dniu {{ estimate_date }}",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    paragraph(
        doc,
        "Badanie satysfakcji klientów jest usługą powtarzającą się corocznie (art. 34 ustawy "
        "– Prawo zamówień publicznych).",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        space_after=2,
    )
    tag(doc, "{%p if previous_contracts %}")
    paragraph(doc, "Wartość zamówień tego rodzaju w poprzednich latach:", space_after=2)
    bullets(
        doc,
        "item in previous_contracts",
        "{{ item.year }} r.: {{ item.net }} netto ({{ item.contractor }})",
    )
    tag(doc, "{%p else %}")
    paragraph(
        doc,
        "Ewidencja prowadzona w systemie nie zawiera wartości zamówień tego rodzaju "
        "z poprzednich lat.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    tag(doc, "{%p endif %}")
    paragraph(
        doc,
        "Równowartość w euro: {{ estimated_value_eur }}, według kursu {{ eur_rate_text }} "
        "obowiązującego od {{ eur_rate.in_force_from }} ({{ eur_rate.legal_basis }}).",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    paragraph(
        doc,
        "Szacunkowa wartość zamówienia {{ threshold_statement }}.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        bold=True,
    )
    heading(doc, "4. Rekomendacja")
    tag(doc, "{%p if recommended %}")
    # The recommendation stays on the page of the signatures that approve it.
    paragraph(
        doc,
        "Rekomenduję wybór oferty złożonej przez: {{ recommended }}",
        bold=True,
        keep_with_next=True,
    )
    paragraph(
        doc,
        "Uzasadnienie: {{ recommendation_reason }}",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        keep_with_next=True,
    )
    tag(doc, "{%p else %}")
    paragraph(
        doc,
        "Nie rekomenduję wyboru oferty. {{ recommendation_reason }}",
        keep_with_next=True,
    )
    tag(doc, "{%p endif %}")
    approval_block(doc)
    return doc


def pismo_do_wykonawcy() -> DocxDocument:
    doc = new_document("Pismo do wykonawcy – katalog zagadnień")
    letter_start(doc)
    addressee_block(doc)
    title(doc, "Katalog zagadnień do badania satysfakcji klientów w {{ year }} r.")
    paragraph(doc, "Szanowni Państwo,")
    paragraph(
        doc,
        "w związku z umową nr {{ contract_ref }} z dnia {{ contract_date }} na przeprowadzenie "
        "badania satysfakcji klientów {{ office.name_genitive }} przekazuję katalog zagadnień "
        "wraz z ich omówieniem. Proszę o uwzględnienie wszystkich zagadnień w projekcie "
        "kwestionariusza.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    loop_table(
        doc,
        ["Lp.", "Zagadnienie", "Omówienie"],
        ["{{ loop.index }}.", "{{ topic.title }}", "{{ topic.discussion }}"],
        "topic in topics",
        [1.0, 5.0, 10.5],
    )
    paragraph(
        doc, "Uzgodniony termin przeprowadzenia badania: do dnia {{ survey_term }}", bold=True
    )
    tag(doc, "{%p if term_change_reason %}")
    paragraph(
        doc,
        "Uzasadnienie zmiany terminu: {{ term_change_reason }}",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    tag(doc, "{%p endif %}")
    paragraph(
        doc,
        "Projekt kwestionariusza proszę przesłać do akceptacji w odpowiedzi na wiadomość, do "
        "której dołączono niniejsze pismo. Zaakceptowany kwestionariusz wraz z dokładnym terminem "
        "badania i szczegółami organizacyjnymi przekażemy niezwłocznie po jego akceptacji.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    signature(doc)
    return doc


def _survey_facts(doc: DocxDocument) -> None:
    for label, value in (
        ("Wykonawca badania", "{{ contractor_name }}"),
        ("Termin badania", "{{ survey_period }}"),
        ("Metoda", "{{ method }}"),
        ("Liczba respondentów", "{{ respondents }}"),
    ):
        para = doc.add_paragraph()
        para.paragraph_format.space_after = Pt(0)
        para.add_run(label + ": ").bold = True
        para.add_run(value)
    paragraph(doc, "", space_after=4)


def _indicator_table(doc: DocxDocument) -> None:
    loop_table(
        doc,
        [
            "Pytanie",
            "n",
            "Średnia (1–5)",
            "95% przedział ufności",
            "Oceny 4–5",
            "95% przedział ufności",
            "Średnia {{ previous_year }}",
            "Zmiana",
        ],
        [
            "{{ item.label }}",
            "{{ item.n }}",
            "{{ item.mean }}",
            "{{ item.mean_ci }}",
            "{{ item.top2 }}",
            "{{ item.top2_ci }}",
            "{{ item.previous }}",
            "{{ item.change }}",
        ],
        "item in indicators",
        [4.6, 1.0, 1.6, 2.1, 1.6, 2.3, 1.8, 1.5],
        size=8.5,
    )
    paragraph(
        doc,
        "n – liczba ważnych odpowiedzi (odpowiedzi „trudno powiedzieć” nie są liczone). Przedział "
        "ufności dla średniej: przedział t; dla odsetka ocen 4–5: przedział Wilsona.",
        size=8.5,
    )


def _charts(doc: DocxDocument) -> None:
    tag(doc, "{%p for chart in charts %}")
    para = paragraph(
        doc,
        "{{ chart.image }}",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=0,
        keep_with_next=True,
    )
    para.paragraph_format.keep_with_next = True
    paragraph(
        doc,
        "Rysunek {{ loop.index }}. {{ chart.title }}",
        style="Caption",
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    tag(doc, "{%p endfor %}")


def _irregularities(doc: DocxDocument) -> None:
    tag(doc, "{%p if irregularities %}")
    loop_table(
        doc,
        ["Lp.", "Obszar", "Ustalenie", "Reguła, która wskazała nieprawidłowość"],
        ["{{ loop.index }}.", "{{ item.subject }}", "{{ item.finding }}", "{{ item.rule }}"],
        "item in irregularities",
        [1.0, 4.5, 6.5, 4.5],
    )
    tag(doc, "{%p else %}")
    paragraph(doc, "Nie stwierdzono nieprawidłowości ani ryzyka ich wystąpienia.")
    tag(doc, "{%p endif %}")


def informacja_o_wynikach() -> DocxDocument:
    doc = new_document("Informacja o wynikach badania satysfakcji klientów")
    letter_start(doc)
    title(doc, "Informacja o wynikach badania satysfakcji klientów w {{ year }} r.")
    heading(doc, "1. Przebieg badania")
    _survey_facts(doc)
    heading(doc, "2. Wskaźniki satysfakcji i zmiany w stosunku do {{ previous_year }} r.")
    _indicator_table(doc)
    heading(doc, "3. Wykresy")
    _charts(doc)
    heading(doc, "4. Stwierdzone nieprawidłowości")
    _irregularities(doc)
    heading(doc, "5. Wnioski")
    bullets(doc, "item in conclusions", "{{ item }}")
    signature(doc, closing="Sporządził(a):")
    paragraph(doc, "Otrzymują (według kolejności obiegu):", bold=True, size=10, space_after=2)
    tag(doc, "{%p for person in recipients %}")
    paragraph(
        doc,
        "{{ person.name }} – {{ person.position }}",
        style="List Number",
        size=10,
        space_after=0,
    )
    tag(doc, "{%p endfor %}")
    return doc


def polecenie_auditu() -> DocxDocument:
    doc = new_document("Polecenie przeprowadzenia auditu wewnętrznego")
    letter_start(doc)
    addressee_block(doc)
    title(doc, "Polecenie przeprowadzenia auditu wewnętrznego")
    paragraph(
        doc,
        "Na podstawie instrukcji IN-13 Zintegrowanego Systemu Zarządzania, w związku "
        "z nieprawidłowościami (lub ryzykiem ich wystąpienia) stwierdzonymi w wynikach badania "
        "satysfakcji klientów w {{ year }} r., polecam Zespołowi ds. Zintegrowanego Systemu "
        "Zarządzania przygotowanie i przeprowadzenie auditu wewnętrznego w terminie do dnia "
        "{{ audit_by }} oraz przedłożenie sprawozdania z auditu do dnia {{ report_by }}",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    paragraph(doc, "Skład zespołu auditującego:", space_after=2)
    bullets(doc, "person in audit_team", "{{ person.name }} – {{ person.position }}")
    heading(doc, "1. Nieprawidłowości wskazane w wynikach badania")
    _irregularities(doc)
    heading(doc, "2. Wytyczne do auditu")
    loop_table(
        doc,
        ["Lp.", "Co zbadać", "Gdzie", "Jakie dowody sprawdzić"],
        ["{{ loop.index }}.", "{{ item.what }}", "{{ item.where }}", "{{ item.evidence }}"],
        "item in guidelines",
        [1.0, 6.0, 3.5, 6.0],
    )
    heading(doc, "3. Korekcje, działania korygujące i zapobiegawcze")
    loop_table(
        doc,
        ["Lp.", "Rodzaj", "Działanie", "Odpowiedzialny", "Termin"],
        [
            "{{ loop.index }}.",
            "{{ item.kind_label }}",
            "{{ item.description }}",
            "{{ item.owner }}",
            "{{ item.due_short }}",
        ],
        "item in actions",
        [1.0, 3.0, 7.0, 3.3, 2.2],
    )
    paragraph(
        doc,
        "Zespół monitoruje realizację działań do ich zamknięcia i informuje Pełnomocnika "
        "o ich skuteczności.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    signature(doc, closing="")
    return doc


def publikacja_wynikow() -> DocxDocument:
    doc = new_document("Wyniki badania satysfakcji klientów")
    footer(doc, "{{ office.name }} · {{ office.bip_url }} · {{ place_date }}")
    heading(
        doc,
        "Wyniki badania satysfakcji klientów {{ office.name_genitive }} w {{ year }} r.",
        level=1,
    )
    tag(doc, "{%p for item in summary %}")
    paragraph(doc, "{{ item }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    tag(doc, "{%p endfor %}")
    heading(doc, "O badaniu")
    _survey_facts(doc)
    heading(doc, "Wyniki")
    paragraph(
        doc,
        "Tabela 1. Ocena usług Urzędu w {{ year }} r. i zmiana w stosunku do "
        "{{ previous_year }} r.",
        style="Caption",
        keep_with_next=True,
    )
    _indicator_table(doc)
    heading(doc, "Wykresy")
    _charts(doc)
    heading(doc, "Wnioski")
    bullets(doc, "item in conclusions", "{{ item }}")
    tag(doc, "{%p if planned_actions %}")
    heading(doc, "Planowane działania")
    bullets(doc, "item in planned_actions", "{{ item }}")
    tag(doc, "{%p endif %}")
    heading(doc, "Kontakt")
    paragraph(
        doc,
        "{{ contact.name }}, {{ contact.position }}, {{ office.name }}, "
        "{{ office.address }}, tel. {{ contact.phone }}, e-mail: {{ contact.email }}",
    )
    paragraph(doc, "Opublikowano: {{ place_date }}", size=9)
    return doc


BUILDERS: dict[str, Callable[[], DocxDocument]] = {
    "prosba_o_zagadnienia": prosba_o_zagadnienia,
    "katalog_zagadnien": katalog_zagadnien,
    "zapytanie_o_cene": zapytanie_o_cene,
    "formularz_ofertowy": formularz_ofertowy,
    "zestawienie_ofert": zestawienie_ofert,
    "pismo_do_wykonawcy": pismo_do_wykonawcy,
    "informacja_o_wynikach": informacja_o_wynikach,
    "polecenie_auditu": polecenie_auditu,
    "publikacja_wynikow": publikacja_wynikow,
}


def main(argv: Sequence[str]) -> int:
    force = "--force" in argv
    names = [a for a in argv if not a.startswith("--")] or list(BUILDERS)
    for name in names:
        build = BUILDERS[name]
        target = HERE / f"{name}.docx"
        if target.exists() and not force:
            print(f"kept {target.name} (exists; --force overwrites an official's edits)")
            continue
        build().save(str(target))
        print(f"wrote {target.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
