"""Reading back a filled offer form, strictly: every field, or a one-line error.

The labels live in :mod:`mailflow.offer_form`; the safe reading (zip bomb, macro and entity
checks) is the reply reader's, so a vendor's file is opened the same way everywhere.
"""

from __future__ import annotations

from mailflow.errors import UserError
from mailflow.offer_form import HEADER, LABELS
from mailflow.reading.offer_form import DocumentRefused
from mailflow.reading.offer_form import read_offer_form as read_fields

__all__ = ["HEADER", "LABELS", "read_offer_form"]


def read_offer_form(data: bytes) -> dict[str, str]:
    """Label → value as typed (``""`` for an empty field); no form table is a UserError."""
    try:
        fields = read_fields(data)
    except DocumentRefused as error:
        raise UserError(f"the offer form cannot be read: {error}") from error
    if not fields:
        raise UserError("no offer form table (header 'Pole | Wypełnia wykonawca') in the document")
    return {label: " ".join(fields.get(label, "").split()) for label in LABELS}
