"""Text out of attachments: DOCX (python-docx), text PDF (pdfplumber), XLSX/ODS (calamine).

Each reader gives a :class:`DocumentText` (paragraph lines and table rows) or a
:class:`Refusal` with the reason a person will read. Hostile files are refused by
:mod:`mailflow.reading.safety` before a parser sees them; a parser that still fails on broken
bytes becomes a refusal too, never an exception out of here.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from mailflow.errors import (
    BrokenFile,
    EncryptedFile,
    ReaderFailed,
    ReadingRefused,
    TooComplexToRead,
    TooLargeToRead,
    UnsupportedFile,
)
from mailflow.reading.model import Attachment
from mailflow.reading.safety import MB, OLE_MAGIC, ReadingLimits, macro_refusal, zip_refusal

log = logging.getLogger(__name__)

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
    """An attachment (or a part of one) not read: the English reason and the Polish one."""

    reason: str
    polish: str = ""
    code: str = ReadingRefused.code

    @classmethod
    def of(cls, error: ReadingRefused) -> Refusal:
        return cls(str(error), error.polish, error.code)


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
    """The text of one attachment; None for kinds we do not read (images, archives...).

    Never raises: whatever a reader meets becomes a :class:`Refusal` with its reasons.
    """
    kind = document_kind(attachment)
    if kind is None:
        return None
    name = (attachment.filename or "attachment")[:200]
    try:
        return _read_kind(kind, attachment.data, name, attachment.content_type, limits)
    except ReadingRefused as error:
        return Refusal.of(error)
    except RecursionError:
        return Refusal.of(_too_deep(name))
    except MemoryError:
        return Refusal.of(
            TooLargeToRead(
                f"{name}: needs more memory than allowed to read, not read",
                f"Odczytanie załącznika „{name}” wymaga więcej pamięci niż dozwolone — "
                "nie został odczytany.",
            )
        )
    except Exception:  # a reader bug on bytes nobody foresaw: logged, never a crash
        log.exception("reading the attachment %r failed", name)
        return Refusal.of(
            ReaderFailed(
                f"{name}: the reader failed on this file, not read",
                f"Załącznika „{name}” nie udało się odczytać z powodu błędu programu — "
                "nie został odczytany; sprawa wymaga przejrzenia przez osobę.",
            )
        )


def _too_deep(name: str) -> TooComplexToRead:
    return TooComplexToRead(
        f"{name}: nested too deeply to be read",
        f"Załącznik „{name}” ma zbyt głęboko zagnieżdżoną strukturę — nie został odczytany.",
    )


def _read_kind(
    kind: str, data: bytes, name: str, content_type: str, limits: ReadingLimits
) -> DocumentText | Refusal:
    if len(data) > limits.max_attachment_bytes:
        raise TooLargeToRead(
            f"{name}: attachment over {limits.max_attachment_bytes} bytes, not read",
            f"Załącznik „{name}” ma {len(data) / MB:.1f} MB, więcej niż dozwolone "
            f"{limits.max_attachment_bytes // MB} MB — nie został odczytany.",
        )
    macro = macro_refusal(name, content_type)
    if macro:
        raise macro
    if kind == "pdf":
        return _read_pdf(data, name, limits)
    if data.startswith(OLE_MAGIC):
        raise UnsupportedFile(
            f"{name}: old binary Office format (or encrypted file), not read",
            f"Załącznik „{name}” jest w starym formacie binarnym Office (lub jest "
            "zaszyfrowany) — nie został odczytany; prosimy o plik DOCX, XLSX lub PDF.",
        )
    problem = zip_refusal(data, name, limits)
    if problem:
        raise problem
    if kind == "docx" and _is_odf_text(data):
        return _read_odt(data, name)
    if kind == "docx":
        return _read_docx(data, name)
    return _read_sheet(data, name, limits)


def _broken(name: str, english: str, polish_kind: str) -> BrokenFile:
    return BrokenFile(
        f"{name}: {english}",
        f"Załącznik „{name}” ({polish_kind}) jest uszkodzony — nie został odczytany.",
    )


def _read_docx(data: bytes, name: str) -> DocumentText | Refusal:
    import docx  # python-docx; imported here so that plain-text replies do not pay for it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many types on broken files; all mean "unreadable"
        raise _broken(name, "broken DOCX, cannot be read", "DOCX") from None
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
    """The text of an ODF paragraph: its text nodes, with <text:s/> and tabs as spaces.

    Walked with a stack, not by recursion: spans nest without limit (5 000 nested spans
    raised RecursionError).
    """
    spaces = (f"{{{ODF_TEXT}}}s", f"{{{ODF_TEXT}}}tab", f"{{{ODF_TEXT}}}line-break")
    parts: list[str] = []
    # Each entry: an element to open, or a tail string to emit after its element closes.
    stack: list[Any] = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        if item is not element and item.tag in spaces:
            parts.append(" ")
        else:
            parts.append(item.text or "")
            for child in reversed(list(item)):
                stack.append(child.tail or "")
                stack.append(child)
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
        raise _broken(name, "broken ODT, cannot be read", "ODT") from None
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


def _read_pdf(data: bytes, name: str, limits: ReadingLimits) -> DocumentText:
    if not data.startswith(b"%PDF"):
        raise BrokenFile(
            f"{name}: not a PDF file",
            f"Załącznik „{name}” nie jest plikiem PDF, choć tak go nazwano — nie został odczytany.",
        )
    import pdfplumber

    from mailflow.reading import pdfguard

    result = DocumentText("pdf", name)
    first_pages = list(range(1, limits.max_pdf_pages + 1))
    try:
        with pdfguard.budget(
            limits.max_pdf_stream_bytes, limits.max_pdf_unpacked_bytes, limits.max_pdf_tokens
        ):
            # No "with": pdfplumber's close() walks every page of the tree, which is the very
            # work the page cap is there to avoid on a huge PDF.
            pdf = pdfplumber.open(io.BytesIO(data), pages=first_pages)
            declared = _declared_pages(pdf.doc)
            if declared is not None and declared > limits.max_pdf_pages:
                raise TooComplexToRead(
                    f"{name}: PDF has {declared} pages, over the limit, not read",
                    f"Załącznik PDF „{name}” ma {declared} stron, więcej niż dozwolone "
                    f"{limits.max_pdf_pages} — nie został odczytany.",
                )
            chars = 0
            for page in pdf.pages:
                # Laid out under a bound on what the page draws: one page of two million
                # glyphs would otherwise become two million objects before any check.
                try:
                    pdfguard.lay_out(page, limits.max_pdf_page_objects)
                except (pdfguard.ContentTooLong, pdfguard.PageTooBusy):
                    if not result.lines:
                        raise
                    # What the first pages say is kept, flagged as incomplete.
                    result.notes.append(f"{name}: only the first {page.page_number - 1} pages read")
                    break
                text = page.extract_text() or ""
                page.close()  # drops the page's parsed objects: keeps memory flat
                result.lines.extend(line for line in text.split("\n") if line.strip())
                chars += len(text)
                if chars > limits.max_pdf_chars:
                    result.notes.append(f"{name}: only the first {chars} characters read")
                    break
    except ReadingRefused:
        raise
    except pdfguard.StreamTooLarge as error:
        where = "zawartość strony" if error.per_stream else "zawartość"
        raise TooLargeToRead(
            f"{name}: PDF content unpacks to more than {error.limit // MB} MB, not read",
            f"Załącznik PDF „{name}” ma {where} większą niż dozwolone {error.limit // MB} MB "
            "po rozpakowaniu — nie został odczytany.",
        ) from None
    except pdfguard.ContentTooLong as error:
        raise TooComplexToRead(
            f"{name}: PDF content has more than {error.limit} operators and operands, not read",
            f"Załącznik PDF „{name}” ma treść stron złożoną z ponad {error.limit} poleceń, "
            "więcej niż dozwolone — nie został odczytany.",
        ) from None
    except pdfguard.PageTooBusy as error:
        raise TooComplexToRead(
            f"{name}: a PDF page draws more than {error.limit} objects, not read",
            f"Załącznik PDF „{name}” ma stronę z ponad {error.limit} znakami lub elementami "
            "graficznymi, więcej niż dozwolone — nie został odczytany.",
        ) from None
    except RecursionError:
        raise _too_deep(name) from None
    except Exception as error:  # pdfminer raises many types on broken/encrypted input
        described = " ".join([type(error).__name__, *(repr(arg) for arg in error.args)]).lower()
        if "password" in described or "encrypt" in described:
            raise EncryptedFile(
                f"{name}: encrypted PDF, cannot be read",
                f"Załącznik PDF „{name}” jest zaszyfrowany hasłem — nie został odczytany.",
            ) from None
        raise _broken(name, "broken PDF, cannot be read", "PDF") from None
    if not result.lines:
        raise UnsupportedFile(
            f"{name}: PDF has no text layer (scan?), cannot be read",
            f"Załącznik PDF „{name}” nie zawiera warstwy tekstowej (prawdopodobnie jest skanem) "
            "— nie został odczytany; kwotę trzeba sprawdzić ręcznie.",
        )
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


def _read_sheet(data: bytes, name: str, limits: ReadingLimits) -> DocumentText:
    import python_calamine

    _check_sheet_size(data, name, limits)
    result = DocumentText("xlsx", name)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for sheet_name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            result.tables.append([[_cell(v) for v in row] for row in rows])
    except Exception:  # calamine's errors (zip, XML, password) all mean "unreadable"
        raise BrokenFile(
            f"{name}: broken or protected spreadsheet, cannot be read",
            f"Arkusz „{name}” jest uszkodzony lub chroniony hasłem — nie został odczytany.",
        ) from None
    return result


# A cell reference and a row number in XLSX sheet XML (any namespace prefix).
_CELL_REF = re.compile(rb"<(?:\w{1,20}:)?c\s[^<>]{0,300}?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
_ROW_REF = re.compile(rb"<(?:\w{1,20}:)?row\s[^<>]{0,300}?\br=\"([0-9]{1,7})\"")
_OVERLAP = 400  # longer than any match, so none is lost between two chunks


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_sheet_size(data: bytes, name: str, limits: ReadingLimits) -> None:
    """Refuse a sheet whose cells span more than ``max_sheet_cells`` before calamine reads it.

    calamine allocates the whole rectangle from A1 to the last cell: one cell at
    XFD1048576 asks for 17 billion cells (512 GiB) and aborts the process. The references
    are read from the sheet XML in bounded chunks (the zip was checked already).
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                continue
            rows: list[int] = []
            columns: list[int] = []
            tail = b""
            with archive.open(info) as member:
                while chunk := member.read(1024 * 1024):
                    window = tail + chunk
                    # Matches that end in the overlap were counted with the previous chunk.
                    for match in _CELL_REF.finditer(window):
                        if match.end() > len(tail):
                            columns.append(_column_number(match.group(1)))
                            rows.append(int(match.group(2)))
                    for match in _ROW_REF.finditer(window):
                        if match.end() > len(tail):
                            rows.append(int(match.group(1)))
                    rows = [max(rows, default=0)]
                    columns = [max(columns, default=1)]
                    tail = window[-_OVERLAP:]
            # Read with its empty area, a sheet is a rectangle from A1 to its last cell.
            cells = max(rows) * max(columns)
            if cells > limits.max_sheet_cells:
                raise TooComplexToRead(
                    f"{name}: a sheet spans {cells} cells, over the limit of "
                    f"{limits.max_sheet_cells}, not read",
                    f"Arkusz „{name}” obejmuje {cells} komórek, więcej niż dozwolone "
                    f"{limits.max_sheet_cells} — nie został odczytany.",
                )
