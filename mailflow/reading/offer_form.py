"""Our own offer form (formularz ofertowy), filled in by a vendor: exact fields by their labels.

The form is a DOCX table under a header row "Pole" | "Wypełnia wykonawca"; the documents
module renders the same labels, so the fields are read by label, not guessed.
"""

from __future__ import annotations

import re

from mailflow.errors import ReadingRefused
from mailflow.offer_form import HEADER as FORM_HEADER
from mailflow.offer_form import LABELS
from mailflow.reading.documents import Cell, DocumentText, Refusal, read_document
from mailflow.reading.model import Attachment
from mailflow.reading.safety import ReadingLimits

FORM_LABELS = LABELS


class DocumentRefused(ReadingRefused):
    """A document that must not or cannot be read (zip bomb, macros, broken file...)."""


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).lower()


_LABELS = {_norm(label): label for label in FORM_LABELS}
HEADER = tuple(_norm(cell) for cell in FORM_HEADER)  # as the table's first row reads


def form_fields(tables: list[list[list[Cell]]]) -> dict[str, str]:
    """The filled fields of the offer-form table among ``tables``; {} when there is none."""
    for rows in tables:
        if not rows or tuple(_norm(str(c)) for c in rows[0][:2]) != HEADER:
            continue
        fields: dict[str, str] = {}
        for row in rows[1:]:
            if len(row) < 2:
                continue
            label = _LABELS.get(_norm(str(row[0])))
            if label is not None:
                fields[label] = re.sub(r"[ \t]+", " ", str(row[1])).strip()
        return fields
    return {}


def read_offer_form(data: bytes, limits: ReadingLimits | None = None) -> dict[str, str]:
    """Exact fields of a filled offer form DOCX, by label ({} when the DOCX is not our form).

    Raises :class:`DocumentRefused` (with the reason) for a hostile or broken file.
    """
    document = read_document(
        Attachment(
            "formularz.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            data,
        ),
        limits or ReadingLimits(),
    )
    if isinstance(document, Refusal):
        raise DocumentRefused(document.reason, document.polish)
    if not isinstance(document, DocumentText):
        return {}
    return form_fields(document.tables)
