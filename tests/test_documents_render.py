"""Rendering: all or nothing, office overrides win, accessibility properties are set."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from mailflow.documents import DOCUMENT_NAMES, TEMPLATES_DIR, render_document
from mailflow.documents.contexts import Document as DocumentContext
from mailflow.documents.contexts import PriceInquiry, Publication, Vendor
from mailflow.documents.examples import example_documents
from mailflow.errors import UserError

EXAMPLES = example_documents()


def _xml(data: bytes, member: str = "word/document.xml") -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read(member).decode("utf-8")


def _override(tmp_path: Path, name: str, *paragraphs: str) -> Path:
    """The office's copy of template ``name`` with extra paragraphs typed at its end."""
    document = Document(str(TEMPLATES_DIR / f"{name}.docx"))
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(tmp_path / f"{name}.docx"))
    return tmp_path


@pytest.mark.parametrize("name", DOCUMENT_NAMES)
def test_it_renders_every_document_with_no_placeholder_left(name: str) -> None:
    data = render_document(name, EXAMPLES[name].context())
    text = _xml(data)
    assert "{{" not in text and "{%" not in text
    assert Document(io.BytesIO(data)).core_properties.title


def test_it_sets_title_language_and_author_for_accessibility() -> None:
    data = render_document("publikacja_wynikow", EXAMPLES["publikacja_wynikow"].context())
    properties = Document(io.BytesIO(data)).core_properties
    assert (
        properties.title
        == "Wyniki badania satysfakcji klientów Urzędu Miasta Przykładowo w 2027 r."
    )
    assert properties.language == "pl-PL"
    assert properties.author == "Urząd Miasta Przykładowo"
    assert 'w:val="pl-PL"' in _xml(data, "word/styles.xml")


def test_it_gives_every_chart_its_alt_text() -> None:
    context = EXAMPLES["publikacja_wynikow"]
    assert isinstance(context, Publication)
    data = render_document("publikacja_wynikow", context.context())
    document = Document(io.BytesIO(data))
    pictures = document.element.body.xpath(".//wp:docPr")
    assert len(pictures) == len(context.charts) == 1
    description = pictures[0].get("descr")
    assert description.startswith("Wykres słupkowy: Średnia ocena usług Urzędu")
    assert "Q2. Czas oczekiwania: 3,38" in description


def test_it_uses_real_headings_and_repeated_table_header_rows() -> None:
    publication = EXAMPLES["publikacja_wynikow"]
    assert isinstance(publication, Publication)
    data = render_document("publikacja_wynikow", publication.context())
    document = Document(io.BytesIO(data))
    styles = {p.style.name for p in document.paragraphs if p.text.strip() and p.style}
    assert {"Heading 1", "Heading 2"} <= styles
    table = document.tables[0]
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    assert len(table.rows) == 1 + len(publication.indicators)


def test_it_escapes_values_so_an_ampersand_does_not_break_the_document() -> None:
    inquiry = EXAMPLES["zapytanie_o_cene"]
    assert isinstance(inquiry, PriceInquiry)
    vendor = replace(inquiry.vendor, name="Kowalski & Syn <Badania>")
    data = render_document("zapytanie_o_cene", replace(inquiry, vendor=vendor).context())
    assert "Kowalski &amp; Syn &lt;Badania&gt;" in _xml(data)
    assert "Kowalski & Syn <Badania>" in "\n".join(
        p.text for p in Document(io.BytesIO(data)).paragraphs
    )


def test_it_refuses_a_missing_value_and_names_it() -> None:
    context = EXAMPLES["zapytanie_o_cene"].context()
    del context["offer_deadline"]
    with pytest.raises(UserError, match=r"zapytanie_o_cene\.docx: missing value: .*offer_deadline"):
        render_document("zapytanie_o_cene", context)


def test_it_refuses_a_missing_nested_value() -> None:
    context = EXAMPLES["zapytanie_o_cene"].context()
    del context["office"]["regon"]
    with pytest.raises(UserError, match=r"missing value: .*regon"):
        render_document("zapytanie_o_cene", context)


def test_the_office_override_wins(tmp_path: Path) -> None:
    override = _override(tmp_path, "pismo_do_wykonawcy", "Dopisek urzędu: {{ case_ref }}")
    data = render_document("pismo_do_wykonawcy", EXAMPLES["pismo_do_wykonawcy"].context(), override)
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert "Dopisek urzędu: OS.0543.3.2027" in texts


def test_it_refuses_a_broken_template(tmp_path: Path) -> None:
    override = _override(tmp_path, "katalog_zagadnien", "{{ case_ref ")
    with pytest.raises(UserError, match=r"katalog_zagadnien\.docx: broken placeholder syntax"):
        render_document("katalog_zagadnien", EXAMPLES["katalog_zagadnien"].context(), override)


def test_it_refuses_a_file_that_is_not_a_docx(tmp_path: Path) -> None:
    (tmp_path / "polecenie_auditu.docx").write_bytes(b"this is not a zip")
    with pytest.raises(UserError, match=r"polecenie_auditu\.docx is not a readable \.docx"):
        render_document("polecenie_auditu", EXAMPLES["polecenie_auditu"].context(), tmp_path)


def test_it_never_returns_a_file_with_placeholder_syntax_in_it() -> None:
    # The final guard: whatever the cause (here a value that itself looks like a tag),
    # a document showing "{{" is refused rather than sent.
    inquiry = EXAMPLES["zapytanie_o_cene"]
    assert isinstance(inquiry, PriceInquiry)
    vendor = replace(inquiry.vendor, name="{{ vendor.name }}")
    with pytest.raises(UserError, match=r"placeholder syntax left in word/document\.xml"):
        render_document("zapytanie_o_cene", replace(inquiry, vendor=vendor).context())


def test_it_refuses_an_unknown_document_and_a_missing_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UserError, match="unknown document 'umowa'"):
        render_document("umowa", {})
    empty = tmp_path / "templates"
    empty.mkdir()
    monkeypatch.setattr("mailflow.documents.render.TEMPLATES_DIR", empty)
    with pytest.raises(UserError, match=r"template formularz_ofertowy\.docx is missing"):
        render_document("formularz_ofertowy", EXAMPLES["formularz_ofertowy"].context())


def test_it_refuses_a_survey_term_after_the_end_of_june() -> None:
    inquiry = EXAMPLES["zapytanie_o_cene"]
    assert isinstance(inquiry, PriceInquiry)
    with pytest.raises(UserError, match="after the end of June 2027"):
        replace(inquiry, survey_by=date(2027, 7, 1))


def test_it_refuses_an_unknown_topic_source() -> None:
    from mailflow.documents.contexts import Topic

    with pytest.raises(UserError, match="unknown source 'gossip'"):
        Topic(title="x", source="gossip", discussion="")


def test_every_example_is_a_typed_document() -> None:
    assert set(EXAMPLES) == set(DOCUMENT_NAMES)
    assert all(isinstance(doc, DocumentContext) for doc in EXAMPLES.values())
    inquiry = EXAMPLES["zapytanie_o_cene"]
    assert isinstance(inquiry, PriceInquiry) and isinstance(inquiry.vendor, Vendor)


def test_a_wheel_carries_every_template_to_where_the_renderer_looks() -> None:
    import fnmatch
    import tomllib

    import mailflow

    root = Path(__file__).resolve().parents[1]
    setuptools = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = setuptools["package-data"]["mailflow"]
    # The renderer looks inside the package, with importlib.resources, in a wheel as here.
    assert Path(mailflow.__file__).resolve().parent / "doc_templates" == TEMPLATES_DIR
    shipped = {
        name
        for name in (f"doc_templates/{n}.docx" for n in DOCUMENT_NAMES)
        if any(fnmatch.fnmatch(name, pattern) for pattern in patterns)
    }
    assert len(shipped) == len(DOCUMENT_NAMES)
    assert any(fnmatch.fnmatch("doc_templates/publikacja_wynikow.html", p) for p in patterns)
