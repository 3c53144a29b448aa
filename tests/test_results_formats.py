"""Every layout a firm delivers (tests/data/results, made by make_results.py) reads as the
figures computed there from the generated answers with textbook formulas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mailflow.results import AnalysisOptions, analyse_file

DATA = Path(__file__).resolve().parent / "data" / "results"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
CODEBOOKS = {
    "coded_cp1250_semicolon.csv": "codebook_long_cp1250.csv",
    "coded_utf8_comma.csv": "codebook_wide.csv",
}
CODES = ["P1", "P2", "P3", "P4", "P5", "P6"]
FIGURES = ("n", "missing", "mean", "ci95", "top2_share", "top2_ci95", "n_eff", "deff")


def close(actual: Any, expected: Any, where: str) -> None:
    if isinstance(expected, dict):
        for key, value in expected.items():
            close(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), where
        for k, (a, e) in enumerate(zip(actual, expected, strict=True)):
            close(a, e, f"{where}[{k}]")
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, abs=1.01e-6), where
    else:
        assert actual == expected, where


def analysed(name: str, options: AnalysisOptions | None = None) -> dict[str, Any]:
    codebook = DATA / CODEBOOKS[name] if name in CODEBOOKS else None
    return analyse_file(DATA / name, codebook=codebook, options=options).to_json()


def by_code(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    questions = report["questions"]
    assert len(questions) == len(CODES), [q["column"] for q in questions]
    return dict(zip(CODES, questions, strict=True))


@pytest.mark.parametrize("name", sorted(EXPECTED["files"]))
def test_each_layout_reads_as_the_figures_of_its_generated_answers(name: str) -> None:
    expected = EXPECTED[EXPECTED["files"][name]]
    report = analysed(name)
    assert report["respondents"] == expected["respondents"]
    for code, question in by_code(report).items():
        want = expected["questions"][code]
        close({k: question[k] for k in FIGURES}, {k: want[k] for k in FIGURES}, f"{name} {code}")
    close(report["satisfaction_index"], expected["satisfaction_index"], f"{name} index")


@pytest.mark.parametrize("name", ["coded_cp1250_semicolon.csv", "labelled.sav", "google_forms.csv"])
def test_the_nps_of_the_0_to_10_question_has_its_trinomial_interval(name: str) -> None:
    expected = EXPECTED[EXPECTED["files"][name]]["questions"]["P6"]["nps"]
    report = analysed(name)
    close(report["nps"], expected, name)
    assert report["nps"]["question"] == by_code(report)["P6"]["id"]


@pytest.mark.parametrize("name", ["coded_cp1250_semicolon.csv", "label_sheet.xlsx"])
def test_a_configured_population_size_narrows_every_interval_by_the_fpc(name: str) -> None:
    expected = EXPECTED[EXPECTED["files"][name]]["with_population"]
    report = analysed(name, AnalysisOptions(population_size=expected["population_size"]))
    assert report["population_size"] == expected["population_size"]
    assert report["fpc"] == pytest.approx(1 - 120 / expected["population_size"], abs=1e-6)
    for code, question in by_code(report).items():
        want = expected["questions"][code]
        keys = ("mean", "ci95", "top2_ci95")
        close({k: question[k] for k in keys}, {k: want[k] for k in keys}, f"{name} {code}")
    close(report["satisfaction_index"], expected["satisfaction_index"], f"{name} index")
    assert any("finite-population correction" in note for note in report["notes"])


def test_the_coded_windows_1250_file_with_a_long_codebook_is_read_as_the_firm_meant() -> None:
    report = analysed("coded_cp1250_semicolon.csv")
    assert "CSV read with the semicolon as the delimiter" in report["notes"]
    questions = by_code(report)
    assert questions["P1"]["label"].startswith("Na ile jest Pan/Pani zadowolony/a z uprzejmości")
    assert questions["P5"]["reversed"] is True  # coded 1 = tak ... 4 = nie
    assert questions["P6"]["points"] == 11 and questions["P6"]["scale"] == "0-10"
    assert list(report["segments"]["komorka"]) == [
        "Biuro Obsługi Klienta",
        "Wydział Komunikacji",
        "Wydział Podatków i Opłat",
    ]


def test_every_scale_states_its_mapping_in_the_notes() -> None:
    report = analysed("coded_cp1250_semicolon.csv")
    notes = " ".join(report["notes"])
    assert "4-point scale mapped to 1-5 without a midpoint" in notes
    assert "0-10 scale mapped linearly to 1-5: score = 1 + 0.4 x answer" in notes
    questions = by_code(report)
    assert questions["P6"]["mapping"]["10"] == 10 and questions["P6"]["mapping"]["0"] == 0
    assert questions["P5"]["mapping"]["1"] == 5
    assert set(questions["P6"]["distribution"]) == {str(k) for k in range(11)}
    numeric = analyse_file(DATA / "coded_utf8_comma.csv").to_json()
    assert any("5-point scale: the codes 1-5 are the scores" in n for n in numeric["notes"])


def test_two_header_rows_give_codes_and_question_texts() -> None:
    report = analysed("two_row_header.csv")
    assert "row 2 taken as the question texts of the codes in row 1" in report["notes"]
    questions = by_code(report)
    assert questions["P2"]["column"] == "P2"
    assert questions["P2"]["label"].startswith("Na ile jest Pan/Pani zadowolony/a z czasu")
    assert report["weight_column"] == "waga"


def test_forms_exports_leave_the_timestamp_and_contact_columns_out() -> None:
    for name in ("google_forms.csv", "microsoft_forms.xlsx"):
        report = analysed(name)
        roles = {c["column"]: c["role"] for c in report["columns"]}
        assert roles.get("Sygnatura czasowa", roles.get("Godzina rozpoczęcia")) == "other"
        assert report["weighted"] is False


def test_the_spss_syntax_names_its_data_file_labels_missing_values_and_weight() -> None:
    report = analysed("limesurvey_spss.sps")
    assert report["weight_column"] == "waga"
    assert (
        by_code(report)["P1"]["missing_code"]
        == EXPECTED["weighted"]["questions"]["P1"]["missing"] - by_code(report)["P1"]["blank"]
    )


def test_a_sav_file_is_read_without_pandas(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['pandas'] = None; sys.modules['polars'] = None\n"
        "from mailflow.results import analyse_file\n"
        f"r = analyse_file({str(DATA / 'labelled.sav')!r}).to_json()\n"
        "print(r['respondents'], r['questions'][0]['n'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["120", str(EXPECTED["weighted"]["questions"]["P1"]["n"])]


def test_the_generator_rewrites_the_same_files(tmp_path: Path) -> None:
    """Deterministic: a second run gives byte-equal files (the SPSS header date fixed)."""
    import shutil

    copy = tmp_path / "results"
    shutil.copytree(DATA, copy)
    subprocess.run([sys.executable, str(copy / "make_results.py")], check=True, cwd=copy)
    for path in sorted(DATA.iterdir()):
        if path.is_file() and path.suffix != ".py":
            assert (copy / path.name).read_bytes() == path.read_bytes(), path.name
