"""The offer form round-trips: what a vendor types into the table is read back exactly."""

from __future__ import annotations

import email
import io
from email.message import Message
from pathlib import Path

import pytest
from docx import Document

from mailflow.documents import render_document
from mailflow.documents.examples import example_documents
from mailflow.errors import UserError
from mailflow.offer_form import HEADER, LABELS, read_offer_form

CORPUS = Path(__file__).resolve().parent / "data" / "dev"

VENDOR_ANSWERS = {
    "Nazwa wykonawcy": "Pracownia Sondażowa Północ sp. z o.o.",
    "Adres": "ul. Długa 12, 80-831 Gdańsk",
    "NIP": "584-000-12-34",
    "Osoba do kontaktu, telefon, e-mail": "Jolanta Wieczorek, 58 301 22 33, biuro@example.pl",
    "Cena netto [zł]": "11 500,00",
    "Stawka VAT [%]": "23",
    "Cena brutto [zł]": "14 145,00",
    "Cena brutto słownie": "czternaście tysięcy sto czterdzieści pięć złotych 00/100",
    "Liczba badań dla podmiotów publicznych w ostatnich 3 latach": "7",
    "Termin realizacji": "do 15.06.2027 r.",
    "Oferta ważna do": "30.04.2027 r.",
    "Miejscowość, data, podpis": "Gdańsk, 05.03.2027 r., Jolanta Wieczorek",
}


def _blank_form() -> bytes:
    return render_document(
        "formularz_ofertowy", example_documents()["formularz_ofertowy"].context()
    )


def _fill_like_a_vendor(blank: bytes, answers: dict[str, str]) -> bytes:
    document = Document(io.BytesIO(blank))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == HEADER[0])
    for row in table.rows[1:]:
        label = row.cells[0].text
        if label in answers:
            # Typing into the empty cell: the cursor sits in its one empty paragraph.
            row.cells[1].paragraphs[0].add_run(answers[label])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_it_prints_exactly_the_labels_the_reader_expects() -> None:
    document = Document(io.BytesIO(_blank_form()))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == HEADER[0])
    rows = [tuple(cell.text for cell in row.cells) for row in table.rows]
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == list(LABELS)
    assert all(row[1] == "" for row in rows[1:])


def test_it_reads_back_every_value_a_vendor_typed() -> None:
    filled = _fill_like_a_vendor(_blank_form(), VENDOR_ANSWERS)
    assert read_offer_form(filled) == VENDOR_ANSWERS


def test_it_reads_fields_left_empty_as_empty_strings() -> None:
    partial = {"Cena netto [zł]": "9 800,00", "Stawka VAT [%]": "zw."}
    values = read_offer_form(_fill_like_a_vendor(_blank_form(), partial))
    assert values["Cena netto [zł]"] == "9 800,00"
    assert values["Stawka VAT [%]"] == "zw."
    assert values["NIP"] == ""


def test_it_refuses_a_document_without_the_offer_table() -> None:
    buffer = io.BytesIO()
    Document().save(buffer)
    with pytest.raises(UserError, match="no offer form table"):
        read_offer_form(buffer.getvalue())
    with pytest.raises(UserError, match=r"not a valid Office file"):
        read_offer_form(b"not a zip")


def test_it_reads_the_filled_form_of_the_test_corpus() -> None:
    message = email.message_from_bytes(
        (CORPUS / "13_quote_offer_form_docx_applemail.eml").read_bytes()
    )
    attachment = next(
        part for part in message.walk() if (part.get_filename() or "").endswith(".docx")
    )
    assert isinstance(attachment, Message)
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    values = read_offer_form(payload)
    assert values["Stawka VAT [%]"] == "23"
    assert values["Oferta ważna do"] == "30.04.2027 r."
    assert values["Cena netto [zł]"].replace("\u00a0", " ").startswith("11 500")
