"""The offer form's fields: one definition for the template, the documents and the reader.

The form (formularz ofertowy) is a labelled table under a header row ``Pole | Wypełnia
wykonawca``; the template prints these labels and the reply reader reads vendors' values by
them, so they must never differ. They also match ``blank_offer_form()`` of the test corpus.
``read_offer_form`` reads a filled form back strictly (every field, or a one-line error); the
safe opening of a vendor's file (zip bomb, macro and entity checks) is the reply reader's.
"""

from __future__ import annotations

from mailflow.errors import UserError

HEADER = ("Pole", "Wypełnia wykonawca")
# The number the experience criterion scores (a criterion's ``form_label`` names a label).
EXPERIENCE_LABEL = "Liczba badań dla podmiotów publicznych w ostatnich 3 latach"
LABELS: tuple[str, ...] = (
    "Nazwa wykonawcy",
    "Adres",
    "NIP",
    "Osoba do kontaktu, telefon, e-mail",
    "Cena netto [zł]",
    "Stawka VAT [%]",
    "Cena brutto [zł]",
    "Cena brutto słownie",
    EXPERIENCE_LABEL,
    "Termin realizacji",
    "Oferta ważna do",
    "Miejscowość, data, podpis",
)


def read_offer_form(data: bytes) -> dict[str, str]:
    """Label → value as typed (``""`` for an empty field); no form table is a UserError."""
    # The reply reader imports the labels from here, so it is imported when used.
    from mailflow.reading.offer_form import DocumentRefused
    from mailflow.reading.offer_form import read_offer_form as read_fields

    try:
        fields = read_fields(data)
    except DocumentRefused as error:
        raise UserError(f"the offer form cannot be read: {error}") from error
    if not fields:
        raise UserError("no offer form table (header 'Pole | Wypełnia wykonawca') in the document")
    return {label: " ".join(fields.get(label, "").split()) for label in LABELS}
