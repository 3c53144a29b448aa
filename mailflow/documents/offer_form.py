"""The offer form's labelled table: the labels the template prints and the exact reader.

``mailflow.reading`` reads vendors' filled forms by these same labels; keep them identical
(they also match ``blank_offer_form()`` of the test corpus).
"""

from __future__ import annotations

import io
import zipfile

from docx import Document
from docx.opc.exceptions import PackageNotFoundError

from mailflow.errors import UserError

HEADER = ("Pole", "Wypełnia wykonawca")
LABELS: tuple[str, ...] = (
    "Nazwa wykonawcy",
    "Adres",
    "NIP",
    "Osoba do kontaktu, telefon, e-mail",
    "Cena netto [zł]",
    "Stawka VAT [%]",
    "Cena brutto [zł]",
    "Cena brutto słownie",
    "Termin realizacji",
    "Oferta ważna do",
    "Miejscowość, data, podpis",
)


def _clean(text: str) -> str:
    # Word joins a cell's paragraphs with newlines; a vendor may add stray spaces.
    return " ".join(text.split())


def read_offer_form(data: bytes) -> dict[str, str]:
    """Label → value exactly as typed, from the table whose header is ``Pole | Wypełnia ...``.

    Labels the vendor left empty map to ``""``; a document without the table is a UserError.
    """
    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UserError(f"the offer form is not a readable .docx file: {error}") from error
    for table in document.tables:
        rows = [[_clean(cell.text) for cell in row.cells] for row in table.rows]
        if not rows or tuple(rows[0][:2]) != HEADER:
            continue
        values = {row[0]: row[1] for row in rows[1:] if len(row) >= 2 and row[0] in LABELS}
        return {label: values.get(label, "") for label in LABELS}
    raise UserError("no offer form table (header 'Pole | Wypełnia wykonawca') in the document")
