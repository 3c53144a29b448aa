"""The NES schema check itself: what it accepts and what it refuses."""

from __future__ import annotations

import pytest
from lxml import etree

from mailflow.casefile.nes import NS, InvalidMetadata, validate

# One line an element, as the standard lists them; long lines are the XML itself.
MINIMAL = f"""<dokument xmlns="{NS}" wersja="2.0">
<identyfikator><typidentyfikatora>SystemID</typidentyfikatora>
<wartoscId>x:1</wartoscId></identyfikator>
<tytul><oryginalny kodJezyka="pol">Zapytanie o cenę</oryginalny></tytul>
<data><typDaty>utworzony</typDaty><czas>2027-01-15T07:00:00Z</czas></data>
<format><typFormatu>docx</typFormatu><wielkosc miara="bajt">12</wielkosc></format>
<dostep><dostepnosc>niepubliczny</dostepnosc></dostep>
<typ><klasa>tekst</klasa><rodzaj>pismo</rodzaj></typ>
<grupowanie><typGrupy>znak sprawy</typGrupy><kodGrupy>OS.0543.3.2027</kodGrupy>
<opis>B</opis></grupowanie>
</dokument>"""


def test_a_minimal_nes_document_is_valid() -> None:
    validate(MINIMAL.encode())


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("<tytul>", "<tytuł>"), "tytu"),  # misspelt element
        (('wersja="2.0"', 'wersja="3.0"'), "wersja"),
        (("<typDaty>utworzony", "<typDaty>wczoraj"), "/dokument/data/typDaty"),
        (("2027-01-15T07:00:00Z", "15.01.2027"), "15.01.2027"),
        (("<dostepnosc>niepubliczny", "<dostepnosc>tajny"), "dostep/dostepnosc"),
        (("<wartoscId>x:1</wartoscId>", "<wartoscId> </wartoscId>"), "identyfikator/wartoscId"),
    ],
)
def test_a_document_breaking_the_schema_is_refused_with_where(
    change: tuple[str, str], expected: str
) -> None:
    broken = MINIMAL.replace(*change)
    if change[0] == "<tytul>":
        broken = broken.replace("</tytul>", "</tytuł>")
    etree.fromstring(broken.encode())  # still well-formed XML: only the schema can tell
    with pytest.raises(InvalidMetadata, match=expected):
        validate(broken.encode(), "test.xml")
