"""The BIP version of the publication: semantic, escaped, Polish, every chart described."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mailflow.documents import Publication, render_publication_html
from mailflow.documents.examples import example_documents
from mailflow.errors import UserError


def _publication() -> Publication:
    publication = example_documents()["publikacja_wynikow"]
    assert isinstance(publication, Publication)
    return publication


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alts: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


def test_it_is_a_polish_page_with_a_title_headings_and_a_header_row() -> None:
    html = render_publication_html(_publication())
    assert '<html lang="pl">' in html
    assert (
        "<title>Wyniki badania satysfakcji klientów Urzędu Miasta Przykładowo w 2027 r.</title>"
        in html
    )
    assert len(re.findall(r"<h1\b", html)) == 1 and "<h2" in html
    assert '<th scope="col">Pytanie</th>' in html and '<th scope="row">Q1.' in html
    assert "<caption>" in html


def test_every_chart_has_alt_text() -> None:
    parser = _Images()
    parser.feed(render_publication_html(_publication()))
    assert len(parser.alts) == 1
    assert all(alt and alt.startswith("Wykres słupkowy") for alt in parser.alts)


def test_it_escapes_text() -> None:
    publication = replace(_publication(), summary=['<script>alert("x")</script> & więcej'])
    html = render_publication_html(publication)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&amp; więcej" in html


def test_an_office_html_override_wins_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    (tmp_path / "publikacja_wynikow.html").write_text("<p>{{ office.name }}</p>", encoding="utf-8")
    assert render_publication_html(_publication(), tmp_path) == "<p>Urząd Miasta Przykładowo</p>"
    (tmp_path / "publikacja_wynikow.html").write_text("<p>{{ office.faks }}</p>", encoding="utf-8")
    with pytest.raises(UserError, match=r"publikacja_wynikow\.html: .*faks"):
        render_publication_html(_publication(), tmp_path)
