"""The offer form's fields: one definition for the template, the documents and the reader.

The form (formularz ofertowy) is a labelled table under a header row ``Pole | Wypełnia
wykonawca``; the template prints these labels and the reply reader reads vendors' values by
them, so they must never differ. They also match ``blank_offer_form()`` of the test corpus.
"""

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
