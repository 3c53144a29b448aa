"""``templates check``: placeholders a template uses that the renderer does not provide."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from mailflow.documents import TEMPLATES_DIR, check_templates, template_placeholders


def _override(tmp_path: Path, name: str, text: str) -> Path:
    document = Document(str(TEMPLATES_DIR / f"{name}.docx"))
    document.add_paragraph(text)
    document.save(str(tmp_path / f"{name}.docx"))
    return tmp_path


def test_the_shipped_templates_have_no_problems() -> None:
    assert check_templates() == []


def test_it_lists_a_templates_placeholders() -> None:
    names = template_placeholders("zapytanie_o_cene")
    assert {"office", "case_ref", "offer_deadline", "survey_by", "reply_address"} <= set(names)
    assert "loop" not in names


def test_it_names_the_template_and_the_unknown_placeholder(tmp_path: Path) -> None:
    override = _override(tmp_path, "zestawienie_ofert", "Kurs z dnia: {{ kurs_euro }}")
    problems = check_templates(override)
    assert len(problems) == 1
    assert problems[0].startswith(
        "zestawienie_ofert.docx: placeholder {{ kurs_euro }} is not provided by the renderer"
    )


def test_it_finds_a_mistyped_field_of_a_known_value(tmp_path: Path) -> None:
    override = _override(tmp_path, "pismo_do_wykonawcy", "Faks: {{ office.fax }}")
    problems = check_templates(override)
    assert len(problems) == 1
    assert "pismo_do_wykonawcy.docx: missing value" in problems[0]
    assert "fax" in problems[0]


def test_it_reports_a_broken_template_and_a_stray_file(tmp_path: Path) -> None:
    _override(tmp_path, "katalog_zagadnien", "{% if year %}")
    (tmp_path / "zapytanie.docx").write_bytes(b"")
    problems = check_templates(tmp_path)
    assert any("zapytanie.docx: not a known document name" in p for p in problems)
    assert any(p.startswith("template katalog_zagadnien.docx: broken") for p in problems)
