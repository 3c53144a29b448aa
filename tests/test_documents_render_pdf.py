"""Every rendered document opens in LibreOffice and its PDF text holds the expected Polish.

All nine documents are converted by one ``soffice`` run (it takes seconds to start), with
its own profile folder so parallel runs do not fight over a lock. With ``CI=true`` a missing
LibreOffice is a failure; elsewhere these tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from mailflow.documents import DOCUMENT_NAMES, render_document
from mailflow.documents.examples import example_documents

EXPECTED: dict[str, list[str]] = {
    "prosba_o_zagadnienia": [
        "Prośba o zgłoszenie zagadnień do badania satysfakcji klientów w 2027 r.",
        "Według rozdzielnika",
        "do dnia 25 stycznia 2027 r.",
        "Katarzyna Lewandowska – Kierownik Biura Obsługi Klienta",
        "Formularz zgłoszenia zagadnień",
        "Proponowane pytanie do klientów",
    ],
    "katalog_zagadnien": [
        "Katalog zagadnień do badania satysfakcji klientów w 2027 r.",
        "wyniki poprzedniego badania (badanie 2026)",
        "skargi, wnioski i interwencje (7 skarg w 2026 r.)",
        "Czas oczekiwania na obsługę w Wydziale Komunikacji",
        "Liczba zagadnień w katalogu: 5.",
    ],
    "zapytanie_o_cene": [
        "Zapytanie o cenę",
        "Pracownia Sondażowa Północ sp. z o.o.",
        "NIP: 774-00-01-454, REGON: 611015910",
        "Biuletyn Informacji Publicznej: https://bip.um.example.pl",
        "Wielkość próby: 400 wywiadów.",
        "nie później niż do dnia 30 czerwca 2027 r.",
        "do dnia 10 marca 2027 r., godz. 12:00,",
        "Kryteria oceny ofert",
        "79311000-7",
        "79320000-3",
        "tel. 24 364 10 42",
        "art. 13",
        "ankieta+k7m2x9qa@um.example.pl",
        "Znak sprawy: OS.0543.3.2027",
    ],
    "formularz_ofertowy": [
        "FORMULARZ OFERTOWY",
        "Wypełnia wykonawca",
        "Cena netto [zł]",
        "Cena brutto słownie",
        "Oferta ważna do",
        "Miejscowość, data, podpis",
    ],
    "zestawienie_ofert": [
        "Notatka z rozeznania rynku",
        "11 700,00 zł netto (słownie: jedenaście tysięcy siedemset złotych 00/100)",
        "Równowartość w euro: 2 714,62 euro",
        "4,31 zł/euro",
        "art. 3 ust. 3",
        "nie przekracza kwoty 130 000,00 zł netto",
        "14 145,00 zł",
        "05.03.2027, godz. 10:14",
        "Termin składania ofert upłynął 10 marca 2027 r., godz. 12:00.",
        "12 300,00 zł / 15 129,00 zł",
        "odmówił złożenia oferty",
        "wiadomość niedoręczona",
        "oferta po terminie",
        "97,31",
        "Wartość ustalono w dniu 12 marca 2027 r.",
        "2026 r.: 10 900,00 zł netto",
        "Rekomenduję wybór oferty złożonej przez: Instytut Badań Opinii Centrum S.A.",
    ],
    "pismo_do_wykonawcy": [
        "w związku z umową nr OS.272.5.2027 z dnia 29 marca 2027 r.",
        "Uzgodniony termin przeprowadzenia badania: do dnia 15 czerwca 2027 r.",
        "Dostępność informacji o sprawach na stronie BIP",
    ],
    "informacja_o_wynikach": [
        "Informacja o wynikach badania satysfakcji klientów w 2027 r.",
        "4,12–4,30",
        "+0,11",
        "Rysunek 1. Średnia ocena usług Urzędu",
        "średnia poniżej 3,50",
        "Tomasz Wiśniewski – Prezydent Miasta Przykładowo",
    ],
    "polecenie_auditu": [
        "Polecenie przeprowadzenia auditu wewnętrznego",
        "w terminie do dnia 30 września 2027 r.",
        "dane systemu kolejkowego",
        "działanie korygujące",
        "31.08.2027",
        "Ewa Nowicka",
    ],
    "publikacja_wynikow": [
        "Wyniki badania satysfakcji klientów Urzędu Miasta Przykładowo w 2027 r.",
        "Liczba respondentów: 400",
        "81,2%",
        "Rysunek 1.",
        "Kontakt",
    ],
}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is not installed (Debian: libreoffice-writer-nogui, poppler-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def _normalised(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def pdf_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    soffice = _tool("soffice")
    pdftotext = _tool("pdftotext")
    folder = tmp_path_factory.mktemp("documents")
    examples = example_documents()
    sources = []
    for name in DOCUMENT_NAMES:
        source = folder / f"{name}.docx"
        source.write_bytes(render_document(name, examples[name].context()))
        sources.append(str(source))
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *sources,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    texts = {}
    for name in DOCUMENT_NAMES:
        pdf = folder / f"{name}.pdf"
        assert pdf.is_file(), f"LibreOffice did not convert {name}.docx"
        result = subprocess.run(
            [pdftotext, "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, timeout=60
        )
        texts[name] = _normalised(result.stdout.decode("utf-8"))
    return texts


@pytest.mark.parametrize("name", DOCUMENT_NAMES)
def test_it_converts_to_a_pdf_holding_the_expected_polish_text(
    name: str, pdf_texts: dict[str, str]
) -> None:
    text = pdf_texts[name]
    missing = [phrase for phrase in EXPECTED[name] if _normalised(phrase) not in text]
    assert missing == []


@pytest.mark.parametrize("name", DOCUMENT_NAMES)
def test_its_pdf_shows_no_placeholder_syntax(name: str, pdf_texts: dict[str, str]) -> None:
    text = pdf_texts[name]
    for syntax in ("{{", "}}", "{%", "%}", "{#"):
        assert syntax not in text
    assert "Urząd Miasta Przykładowo" in text
