"""Text out of attachments: DOCX (python-docx), text PDF (pdfplumber), XLSX/ODS (calamine).

Each reader gives a :class:`DocumentText` (paragraph lines and table rows) or a
:class:`Refusal` with the reason a person will read. Hostile files are refused by
:mod:`mailflow.reading.safety` before a parser sees them; a parser that still fails on broken
bytes becomes a refusal too, never an exception out of here.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from mailflow.reading.model import Attachment
from mailflow.reading.safety import (
    OLE_MAGIC,
    ReadingLimits,
    check_zip,
    refuse_macros,
)

Cell = str | Decimal

DOCX_TYPES = ("wordprocessingml", "msword", "opendocument.text")
SHEET_TYPES = ("spreadsheetml", "ms-excel", "opendocument.spreadsheet")


@dataclass
class DocumentText:
    kind: str  # "docx", "pdf" or "xlsx" (ODS is read as "xlsx": a cost estimate either way)
    filename: str
    lines: list[str] = field(default_factory=list)
    tables: list[list[list[Cell]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why the reading is incomplete, if it is


@dataclass(frozen=True)
class Refusal:
    reason: str


def document_kind(attachment: Attachment) -> str | None:
    """Which reader an attachment needs, from its name first and its declared type second."""
    name = attachment.filename.lower()
    ctype = attachment.content_type.lower()
    if name.endswith((".docx", ".docm", ".dotm", ".dotx", ".odt")) or any(
        t in ctype for t in DOCX_TYPES
    ):
        return "docx"
    if name.endswith(".pdf") or ctype == "application/pdf":
        return "pdf"
    if name.endswith((".xlsx", ".xlsm", ".xlsb", ".ods", ".xls")) or any(
        t in ctype for t in SHEET_TYPES
    ):
        return "xlsx"
    return None


def read_document(attachment: Attachment, limits: ReadingLimits) -> DocumentText | Refusal | None:
    """The text of one attachment; None for kinds we do not read (images, archives...)."""
    kind = document_kind(attachment)
    if kind is None:
        return None
    name = attachment.filename or "attachment"
    if len(attachment.data) > limits.max_attachment_bytes:
        return Refusal(f"{name}: attachment over {limits.max_attachment_bytes} bytes, not read")
    macro = refuse_macros(name, attachment.content_type)
    if macro:
        return Refusal(macro)
    if kind == "pdf":
        return _read_pdf(attachment.data, name, limits)
    if attachment.data.startswith(OLE_MAGIC):
        return Refusal(f"{name}: old binary Office format (or encrypted file), not read")
    problem = check_zip(attachment.data, name, limits)
    if problem:
        return Refusal(problem)
    if kind == "docx" and _is_odf_text(attachment.data):
        return _read_odt(attachment.data, name)
    if kind == "docx":
        return _read_docx(attachment.data, name)
    return _read_sheet(attachment.data, name)


def _read_docx(data: bytes, name: str) -> DocumentText | Refusal:
    import docx  # python-docx; imported here so that plain-text replies do not pay for it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many types on broken files; all mean "unreadable"
        return Refusal(f"{name}: broken DOCX, cannot be read")
    result = DocumentText("docx", name)
    # Letterheads often live in the page header: the vendor's NIP may be only there.
    for section in document.sections:
        for part in (section.header, section.footer):
            result.lines.extend(p.text for p in part.paragraphs if p.text.strip())
    for paragraph in document.paragraphs:
        result.lines.extend(line for line in paragraph.text.split("\n") if line.strip())
    for table in document.tables:
        rows: list[list[Cell]] = []
        for row in table.rows:
            rows.append([cell.text.strip() for cell in row.cells])
        result.tables.append(rows)
    return result


ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
ODF_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _is_odf_text(data: bytes) -> bool:
    """An OpenDocument text (LibreOffice .odt) starts with its uncompressed mimetype member."""
    return data[30:38] == b"mimetype" and b"opendocument.text" in data[38:100]


def _odf_text(element: Any) -> str:
    """The text of an ODF paragraph: its text nodes, with <text:s/> and tabs as spaces."""
    parts = [element.text or ""]
    for child in element:
        if child.tag in (f"{{{ODF_TEXT}}}s", f"{{{ODF_TEXT}}}tab", f"{{{ODF_TEXT}}}line-break"):
            parts.append(" ")
        else:
            parts.append(_odf_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _read_odt(data: bytes, name: str) -> DocumentText | Refusal:
    """A LibreOffice letter or offer form: paragraphs and tables of content.xml.

    Read as a "docx" source: the contract names word-processor letters that way.
    """
    from defusedxml.ElementTree import fromstring

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = fromstring(archive.read("content.xml"), forbid_dtd=True)
    except Exception:  # already checked by safety; anything left is a broken file
        return Refusal(f"{name}: broken ODT, cannot be read")
    result = DocumentText("docx", name)
    cell_paragraphs: set[int] = set()
    for table in root.iter(f"{{{ODF_TABLE}}}table"):
        rows: list[list[Cell]] = []
        for row in table.iter(f"{{{ODF_TABLE}}}table-row"):
            cells: list[Cell] = []
            for cell in row.iter(f"{{{ODF_TABLE}}}table-cell"):
                paragraphs = list(cell.iter(f"{{{ODF_TEXT}}}p"))
                cell_paragraphs.update(id(p) for p in paragraphs)
                cells.append("\n".join(_odf_text(p).strip() for p in paragraphs).strip())
            rows.append(cells)
        result.tables.append(rows)
    paragraph_tags = (f"{{{ODF_TEXT}}}p", f"{{{ODF_TEXT}}}h")
    for paragraph in root.iter():
        if paragraph.tag in paragraph_tags and id(paragraph) not in cell_paragraphs:
            text = _odf_text(paragraph).strip()
            if text:
                result.lines.append(text)
    return result


def _read_pdf(data: bytes, name: str, limits: ReadingLimits) -> DocumentText | Refusal:
    if not data.startswith(b"%PDF"):
        return Refusal(f"{name}: not a PDF file")
    import pdfplumber

    result = DocumentText("pdf", name)
    first_pages = list(range(1, limits.max_pdf_pages + 1))
    try:
        # No "with": pdfplumber's close() walks every page of the tree, which is the very work
        # the page cap is there to avoid on a huge PDF.
        pdf = pdfplumber.open(io.BytesIO(data), pages=first_pages)
        declared = _declared_pages(pdf.doc)
        if declared is not None and declared > limits.max_pdf_pages:
            return Refusal(f"{name}: PDF has {declared} pages, over the limit, not read")
        chars = 0
        for page in pdf.pages:
            text = page.extract_text() or ""
            page.close()  # drops the page's parsed objects: keeps memory flat
            result.lines.extend(line for line in text.split("\n") if line.strip())
            chars += len(text)
            if chars > limits.max_pdf_chars:
                result.notes.append(f"{name}: only the first {chars} characters read")
                break
    except Exception as error:  # pdfminer raises many types on broken/encrypted input
        described = " ".join([type(error).__name__, *(repr(arg) for arg in error.args)]).lower()
        if "password" in described or "encrypt" in described:
            return Refusal(f"{name}: encrypted PDF, cannot be read")
        return Refusal(f"{name}: broken PDF, cannot be read")
    if not result.lines:
        return Refusal(f"{name}: PDF has no text layer (scan?), cannot be read")
    return result


def _declared_pages(document: object) -> int | None:
    """The page count the PDF's catalog declares, read without parsing any page."""
    from pdfminer.pdftypes import resolve1

    try:
        pages = resolve1(document.catalog["Pages"])  # type: ignore[attr-defined]
        count = resolve1(pages["Count"])
    except Exception:  # a damaged page tree: count unknown, the page cap still applies
        return None
    return count if isinstance(count, int) else None


def _cell(value: object) -> Cell:
    """Spreadsheet numbers become Decimals through their shortest repr, never float maths."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        try:
            return Decimal(repr(value))
        except InvalidOperation:
            return ""
    return "" if value is None else str(value).strip()


def _read_sheet(data: bytes, name: str) -> DocumentText | Refusal:
    import python_calamine

    result = DocumentText("xlsx", name)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for sheet_name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            result.tables.append([[_cell(v) for v in row] for row in rows])
    except Exception:  # calamine's errors (zip, XML, password) all mean "unreadable"
        return Refusal(f"{name}: broken or protected spreadsheet, cannot be read")
    return result
