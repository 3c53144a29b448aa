"""Codebooks: the firms' long table (CSV, XLSX, a sheet in the data file), SPSS, our TOML."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.errors import UserError
from mailflow.results import analyse_file, load_codebook
from mailflow.results.scales import MISSING_CODE, Scale
from tests.test_results_table import write_csv, write_xlsx

LONG_PL = [
    ["zmienna", "etykieta zmiennej", "wartość", "etykieta wartości", "brak danych"],
    ["P1", "P1. Czas oczekiwania na obsługę", 1, "bardzo krótki", ""],
    ["", "", 2, "krótki", ""],
    ["", "", 3, "ani krótki, ani długi", ""],
    ["", "", 4, "długi", ""],
    ["", "", 5, "bardzo długi", ""],
    ["", "", 8, "odmowa", "tak"],
    ["P2", "P2. Ocena ogólna", 1, "bardzo źle", ""],
    ["", "", 2, "źle", ""],
    ["", "", 3, "przeciętnie", ""],
    ["", "", 4, "dobrze", ""],
    ["", "", 5, "bardzo dobrze", ""],
    ["", "", 9, "nie wiem", "tak"],
    ["KANAL", "Kanał kontaktu", 1, "osobiście", ""],
    ["", "", 2, "telefonicznie", ""],
]
LONG_EN = [["variable", "variable label", "value", "value label", "missing"], *LONG_PL[1:]]
DATA = [
    ["id", "KANAL", "P1", "P2"],
    ["a", 1, 1, 5],
    ["b", 2, 5, 9],
    ["c", 1, 2, 4],
    ["d", 2, 8, 3],
    ["e", 1, 7, 2],
]


def test_it_reads_the_polish_long_table_and_reverses_best_first_codes(tmp_path: Path) -> None:
    book = load_codebook(write_csv(tmp_path / "kody.csv", LONG_PL, "cp1250", ";"))
    p1 = book.question("P1")
    assert p1 is not None and isinstance(p1.scale, Scale)
    assert p1.scale.reversed is True
    numeric = {k: v for k, v in p1.scale.codes.items() if k.isdigit()}
    assert numeric == {"1": 5, "2": 4, "3": 3, "4": 2, "5": 1, "8": MISSING_CODE}
    assert p1.label == "P1. Czas oczekiwania na obsługę"
    assert book.other_labels["KANAL"] == {"1": "osobiście", "2": "telefonicznie"}


def test_it_reads_the_english_long_table_from_xlsx(tmp_path: Path) -> None:
    book = load_codebook(write_xlsx(tmp_path / "codebook.xlsx", {"Codebook": LONG_EN}))
    p2 = book.question("P2")
    assert p2 is not None and isinstance(p2.scale, Scale)
    assert p2.scale.reversed is False and p2.scale.codes["9"] == MISSING_CODE


def test_codes_outside_the_codebook_are_missing_with_a_warning_naming_rows(
    tmp_path: Path,
) -> None:
    data = write_csv(tmp_path / "dane.csv", DATA)
    codebook = write_csv(tmp_path / "kody.csv", LONG_PL)
    report = analyse_file(data, codebook).to_json()
    p1 = report["questions"][0]
    assert p1["label"] == "Czas oczekiwania na obsługę" and p1["reversed"] is True
    assert p1["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}
    assert p1["invalid"] == 1 and p1["missing_code"] == 1
    assert any("'7' outside the codebook in column C (P1), row 6:" in w for w in report["warnings"])


def test_a_codebook_sheet_inside_the_data_file_is_used(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "dane.xlsx", {"Dane": DATA, "Kodowanie": LONG_PL})
    report = analyse_file(path).to_json()
    assert report["codebook"] == "dane.xlsx [Kodowanie]"
    assert report["questions"][0]["reversed"] is True
    assert set(report["segments"]["KANAL"]) == {"osobiście", "telefonicznie"}


def test_a_scale_whose_direction_cannot_be_told_is_a_warning_not_a_guess(tmp_path: Path) -> None:
    rows = [
        ["zmienna", "wartość", "etykieta wartości"],
        ["P1", 1, "wcale"],
        ["", 2, "trochę"],
        ["", 3, "średnio"],
        ["", 4, "sporo"],
        ["", 5, "bardzo"],
    ]
    data = write_csv(
        tmp_path / "dane.csv", [["id", "P1", "P2"], ["a", 1, 5], ["b", 5, 4], ["c", 3, 3]]
    )
    report = analyse_file(data, write_csv(tmp_path / "kody.csv", rows)).to_json()
    p1 = report["questions"][0]
    assert p1["mean"] is None and p1["problem"]
    assert any("direction of the scale cannot be told" in w for w in report["warnings"])
    assert report["questions"][1]["mean"] == pytest.approx(4.0)


def test_our_toml_names_questions_codes_weight_and_segments(tmp_path: Path) -> None:
    toml = tmp_path / "kody.toml"
    toml.write_text(
        'id = "id"\nsegments = ["KANAL"]\n\n'
        '[[question]]\ncolumn = "P1"\nid = "CZAS"\nlabel = "Czas oczekiwania"\n'
        'codes = { "1" = 5, "2" = 4, "3" = 3, "4" = 2, "5" = 1, "8" = "missing" }\n',
        encoding="utf-8",
    )
    report = analyse_file(write_csv(tmp_path / "dane.csv", DATA), toml).to_json()
    assert [q["id"] for q in report["questions"]] == ["CZAS"]  # only the listed questions
    question = report["questions"][0]
    assert question["reversed"] is True and question["label"] == "Czas oczekiwania"
    assert question["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}
    assert list(report["segments"]) == ["KANAL"]


def test_a_toml_codebook_with_a_bad_score_says_which_question(tmp_path: Path) -> None:
    toml = tmp_path / "kody.toml"
    toml.write_text('[[question]]\ncolumn = "P1"\ncodes = { "1" = 7 }\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"question #1: code '1' must map to 1-5"):
        load_codebook(toml)


def test_a_toml_codebook_naming_an_absent_column_is_refused(tmp_path: Path) -> None:
    toml = tmp_path / "kody.toml"
    toml.write_text('[[question]]\ncolumn = "P9"\nscale = "satisfaction"\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"question column 'P9' is not in dane\.csv"):
        analyse_file(write_csv(tmp_path / "dane.csv", DATA), toml)


def test_a_codebook_without_the_expected_header_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no codebook header"):
        load_codebook(write_csv(tmp_path / "kody.csv", [["a", "b"], ["1", "2"]]))


def test_labelled_data_are_read_through_the_codebook_labels(tmp_path: Path) -> None:
    data = write_csv(
        tmp_path / "dane.csv",
        [["id", "P1"], ["a", "bardzo krótki"], ["b", "długi"], ["c", "odmowa"]],
    )
    report = analyse_file(data, write_csv(tmp_path / "kody.csv", LONG_PL)).to_json()
    question = report["questions"][0]
    assert question["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert question["missing_code"] == 1
    assert not any("outside the codebook" in warning for warning in report["warnings"])
