"""The inquiry, the offer form and the comparison read as a Polish office writes them.

Every procurement document is rendered with the sample data (and with each configured rule)
and its text is checked for what a reader would object to: template syntax left over, an
empty cell where there is data, the office's name in the wrong case, English words or
internal keys of the program.
"""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from docx import Document

from mailflow.config import LATE_OFFER_RULES, OFFER_FORM_RULES
from mailflow.documents import render_document
from mailflow.documents.contexts import QuoteComparison
from mailflow.documents.examples import example_documents

PROCUREMENT = ("zapytanie_o_cene", "formularz_ofertowy", "zestawienie_ofert")
NOMINATIVE = "Urząd Miasta Przykładowo"
GENITIVE = "Urzędu Miasta Przykładowo"
# Words that need the genitive after them in these documents.
GOVERNS_GENITIVE = r"(klientów|dla|do|od|z|ze|przez|satysfakcji)"
ENGLISH = re.compile(
    r"\b(the|and|of|for|with|offer|offers|deadline|price|vendor|none|null|true|false|"
    r"late|rejected|accepted|points|total|page|criteria|weight)\b",
    flags=re.IGNORECASE,
)
INTERNAL = re.compile(
    r"\b[a-z]+_[a-z_]+\b|\b(no_reply|bounced|offer_form|lowest_price|stated_number)\b"
)


def _variants() -> list[tuple[str, object]]:
    examples = example_documents()
    found: list[tuple[str, object]] = [(name, examples[name]) for name in PROCUREMENT]
    for late in LATE_OFFER_RULES:
        for form in OFFER_FORM_RULES:
            for name in ("zapytanie_o_cene", "zestawienie_ofert"):
                document = dataclasses.replace(
                    examples[name],  # type: ignore[type-var]
                    late_offers=late,
                    offer_form=form,
                )
                found.append((name, document))
    nothing = dataclasses.replace(
        examples["zestawienie_ofert"],  # type: ignore[type-var]
        ranking=[],
        corrections=[],
        previous_contracts=[],
        recommended=None,
        recommendation_reason="Nie złożono żadnej oferty podlegającej ocenie.",
    )
    found.append(("zestawienie_ofert", nothing))
    return found


VARIANTS = _variants()


def _parts(name: str, document: object) -> tuple[str, list[list[list[str]]]]:
    data = render_document(name, document.context())  # type: ignore[attr-defined]
    docx = Document(io.BytesIO(data))
    texts = [p.text for p in docx.paragraphs]
    section = docx.sections[0]
    texts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in docx.tables]
    for table in tables:
        texts += [" | ".join(row) for row in table]
    text = "\n".join(texts).replace("\u00a0", " ").replace("\u200b", "")
    return text, tables


@pytest.mark.parametrize(("name", "document"), VARIANTS)
def test_no_template_syntax_is_left(name: str, document: object) -> None:
    text, _ = _parts(name, document)
    for syntax in ("{{", "}}", "{%", "%}", "{#"):
        assert syntax not in text


@pytest.mark.parametrize(("name", "document"), VARIANTS)
def test_the_office_name_is_declined_wherever_it_stands(name: str, document: object) -> None:
    text, _ = _parts(name, document)
    wrong = re.findall(rf"\b{GOVERNS_GENITIVE} {NOMINATIVE}", text)
    assert wrong == []
    assert "klientów Urząd " not in text
    assert f"klientów {GENITIVE}" in text


@pytest.mark.parametrize(("name", "document"), VARIANTS)
def test_there_is_no_english_and_no_internal_key(name: str, document: object) -> None:
    text, _ = _parts(name, document)
    # Addresses and web links are names, not words of the letter.
    words = re.sub(r"\S+@\S+|https?://\S+|\[IN13-[^\]]+\]", "", text)
    assert ENGLISH.findall(words) == []
    assert [m.group(0) for m in INTERNAL.finditer(words)] == []


def test_the_offer_form_leaves_only_the_firms_column_empty() -> None:
    _, tables = _parts("formularz_ofertowy", example_documents()["formularz_ofertowy"])
    (form,) = tables
    assert all(label.strip() for label, _ in form[1:])
    assert all(value == "" for _, value in form[1:])


def test_no_cell_of_the_comparison_is_empty_and_offers_show_their_prices() -> None:
    document = example_documents()["zestawienie_ofert"]
    assert isinstance(document, QuoteComparison)
    _, tables = _parts("zestawienie_ofert", document)
    for table in tables[:-1]:  # the last one is the signature grid
        for row in table:
            assert all(cell.strip() for cell in row), row
    offers, corrections, ranking = tables[0], tables[1], tables[2]
    for row, vendor in zip(offers[1:], document.vendors, strict=True):
        if vendor.net is not None:
            assert "—" not in (row[4], row[6]), row
        if vendor.received_at is not None:
            assert "godz." in row[3]
    assert len(corrections) == 2 and len(ranking) == 1 + len(document.ranking)


def test_the_inquiry_prints_every_item_of_a_complete_inquiry() -> None:
    text, _ = _parts("zapytanie_o_cene", example_documents()["zapytanie_o_cene"])
    for phrase in (
        "art. 2 ust. 1 pkt 1",  # legal basis
        "regulaminu udzielania zamówień",
        "unieważnienia zapytania",  # reservations
        "nie zobowiązuje Zamawiającego",
        "Warunki udziału",
        "Sposób przyznawania punktów",
        "projekt kwestionariusza",  # the contractor drafts it for acceptance
        "do akceptacji",
        "Biuro Obsługi Klienta | 160",  # quotas per unit
        "do 10 lipca 2027 r.",  # deliverables' dates
        "autorskie prawa majątkowe",  # licence
        "w terminie 30 dni od dnia doręczenia",  # payment
        "związany ofertą przez 30 dni",  # validity
        "79311000-7",
        "79320000-3",
        "inspektor w Oddziale Komunikacji Społecznej, tel. 24 364 10 42",
        "do dnia 10 marca 2027 r., godz. 12:00,",
    ):
        assert phrase in text, phrase
    assert "tel. ." not in text and "tel. ," not in text
