"""analyse_file end to end: every format, figures checked against numpy/scipy directly."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from mailflow.errors import UserError
from mailflow.results import analyse_file
from tests.test_results_table import write_csv, write_ods, write_sav, write_xlsx

CORPUS = Path(__file__).resolve().parent / "data" / "dev"
Z = stats.norm.ppf(0.975)

SATISFACTION = [
    "zdecydowanie niezadowolony",
    "raczej niezadowolony",
    "ani zadowolony, ani niezadowolony",
    "raczej zadowolony",
    "zdecydowanie zadowolony",
]
AGREEMENT = [
    "zdecydowanie się nie zgadzam",
    "raczej się nie zgadzam",
    "ani się zgadzam, ani się nie zgadzam",
    "raczej się zgadzam",
    "zdecydowanie się zgadzam",
]
DURATION = {
    5: "bardzo krótki",
    4: "krótki",
    3: "ani krótki, ani długi",
    2: "długi",
    1: "bardzo długi",
}
YES_NO = {1: "nie", 2: "raczej nie", 4: "raczej tak", 5: "tak"}
DEPARTMENTS = ["Wydział Komunikacji", "Biuro Obsługi Klienta", "Urząd Stanu Cywilnego"]
HEADERS = [
    "Nr ankiety",
    "Komórka organizacyjna",
    "P1. Uprzejmość pracowników",
    "P2. Formularze są zrozumiałe",
    "P3. Czas oczekiwania",
    "P4. Czy informacja była jasna",
    "P5. Ocena ogólna",
    "Waga",
]
BLANK, DONT_KNOW, CODE_9 = 0, -1, -2


@dataclass
class Survey:
    """Known answers: scores[q][i] is 1..5, or BLANK / DONT_KNOW / CODE_9."""

    ids: list[str]
    departments: list[str]
    scores: list[np.ndarray]
    weights: np.ndarray


def make_survey(n: int = 90, seed: int = 3) -> Survey:
    rng = np.random.default_rng(seed)
    scores = []
    for q in range(5):
        values = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.05, 0.1, 0.25, 0.35, 0.25])
        if q == 3:  # the 4-point question has no midpoint
            values[values == 3] = 4
        special = rng.random(n)
        values[special < 0.05] = BLANK
        values[(special >= 0.05) & (special < 0.12)] = DONT_KNOW if q != 4 else CODE_9
        scores.append(values)
    return Survey(
        ids=[f"2027/{i + 1:03d}" for i in range(n)],
        departments=[DEPARTMENTS[k] for k in rng.integers(0, 3, size=n)],
        scores=scores,
        weights=np.round(rng.uniform(0.5, 1.6, size=n), 4),
    )


def label_cell(q: int, score: int) -> Any:
    if score == BLANK:
        return None
    if score == DONT_KNOW:
        return "trudno powiedzieć" if q % 2 == 0 else "nie wiem"
    if q == 0:
        return SATISFACTION[score - 1]
    if q == 1:
        return AGREEMENT[score - 1]
    if q == 2:
        return DURATION[score]
    if q == 3:
        return YES_NO[score]
    return 9 if score == CODE_9 else score


def table_rows(survey: Survey, decimal_comma: bool = False) -> list[list[Any]]:
    rows: list[list[Any]] = [list(HEADERS)]
    for i, respondent in enumerate(survey.ids):
        weight: Any = float(survey.weights[i])
        if decimal_comma:
            weight = f"{weight}".replace(".", ",")
        rows.append(
            [respondent, survey.departments[i]]
            + [label_cell(q, int(survey.scores[q][i])) for q in range(5)]
            + [weight]
        )
    return rows


def sav_file(path: Path, survey: Survey) -> Path:
    """SPSS coding as survey firms do it: codes 1..n in questionnaire order, labels attached."""
    duration_codes = {5: 1.0, 4: 2.0, 3: 3.0, 2: 4.0, 1: 5.0}  # 1 = best: must be reversed
    yes_no_codes = {5: 1.0, 4: 2.0, 2: 3.0, 1: 4.0}
    columns: dict[str, list[Any]] = {
        "nr": survey.ids,
        "komorka": [float(DEPARTMENTS.index(d) + 1) for d in survey.departments],
    }
    for q in range(5):
        cells: list[Any] = []
        for score in survey.scores[q]:
            if score == BLANK:
                cells.append(math.nan)
            elif score in (DONT_KNOW, CODE_9):
                cells.append(9.0)
            elif q == 2:
                cells.append(duration_codes[int(score)])
            elif q == 3:
                cells.append(yes_no_codes[int(score)])
            else:
                cells.append(float(score))
        columns[f"p{q + 1}"] = cells
    columns["waga"] = survey.weights.tolist()
    labels = {
        "komorka": {float(k + 1): name for k, name in enumerate(DEPARTMENTS)},
        "p1": {float(k + 1): label for k, label in enumerate(SATISFACTION)}
        | {9.0: "trudno powiedzieć"},
        "p2": {float(k + 1): label for k, label in enumerate(AGREEMENT)} | {9.0: "nie wiem"},
        "p3": {duration_codes[s]: label for s, label in DURATION.items()}
        | {9.0: "trudno powiedzieć"},
        "p4": {yes_no_codes[s]: label for s, label in YES_NO.items()} | {9.0: "nie wiem"},
        "p5": {
            1.0: "bardzo źle",
            2.0: "źle",
            3.0: "przeciętnie",
            4.0: "dobrze",
            5.0: "bardzo dobrze",
            9.0: "odmowa",
        },
    }
    column_labels = {"nr": "Nr ankiety", "komorka": "Komórka organizacyjna", "waga": "Waga"}
    column_labels |= {f"p{q + 1}": HEADERS[q + 2] for q in range(5)}
    return write_sav(path, columns, labels, column_labels)


def build(fmt: str, tmp_path: Path, survey: Survey) -> Path:
    if fmt == "xlsx":
        return write_xlsx(tmp_path / "dane.xlsx", {"Dane": table_rows(survey)})
    if fmt == "ods":
        return write_ods(tmp_path / "dane.ods", {"Arkusz1": table_rows(survey)})
    if fmt == "sav":
        return sav_file(tmp_path / "dane.sav", survey)
    encoding, delimiter = fmt.split("-")[1:]
    separator = {"comma": ",", "semicolon": ";", "tab": "\t"}[delimiter]
    return write_csv(
        tmp_path / "dane.csv",
        table_rows(survey, decimal_comma=separator != ","),
        encoding="utf-8" if encoding.startswith("utf8") else encoding,
        delimiter=separator,
        bom=encoding == "utf8bom",
    )


# ----------------------------------------------------------- independent figures


def wilson(p: float, n: float) -> tuple[float, float]:
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def expected_figures(scores: np.ndarray, weights: np.ndarray) -> dict[str, Any]:
    valid = scores > 0
    x, w = scores[valid].astype(float), weights[valid]
    n = x.size
    mean = x.mean()
    low, high = stats.t.interval(0.95, n - 1, loc=mean, scale=stats.sem(x))
    top = int((x >= 4).sum())
    interval = stats.binomtest(top, n).proportion_ci(0.95, method="wilson")
    n_eff = w.sum() ** 2 / (w**2).sum()
    w_mean = np.average(x, weights=w)
    w_sd = math.sqrt(np.average((x - w_mean) ** 2, weights=w) * n_eff / (n_eff - 1))
    half = stats.t.ppf(0.975, n_eff - 1) * w_sd / math.sqrt(n_eff)
    w_top = np.average(x >= 4, weights=w)
    return {
        "n": n,
        "missing": scores.size - n,
        "blank": int((scores == BLANK).sum()),
        "dont_know": int((scores == DONT_KNOW).sum()),
        "missing_code": int((scores == CODE_9).sum()),
        "mean": w_mean,
        "ci95": [w_mean - half, w_mean + half],
        "sd": w_sd,
        "n_eff": n_eff,
        "top2_share": w_top,
        "top2_ci95": list(wilson(w_top, n_eff)),
        "distribution": {str(k): int((x == k).sum()) for k in range(1, 6)},
        "unweighted": {
            "mean": mean,
            "ci95": [low, high],
            "sd": x.std(ddof=1),
            "top2_share": top / n,
            "top2_ci95": [interval.low, interval.high],
        },
    }


def assert_close(actual: Any, expected: Any, where: str, tolerance: float = 1.01e-6) -> None:
    if isinstance(expected, dict):
        for key, value in expected.items():
            assert_close(actual[key], value, f"{where}.{key}", tolerance)
    elif isinstance(expected, list | tuple):
        assert len(actual) == len(expected), where
        for k, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_close(a, e, f"{where}[{k}]", tolerance)
    elif isinstance(expected, float | np.floating):
        assert actual == pytest.approx(float(expected), abs=tolerance), where
    else:
        assert actual == expected, where


FORMATS = [
    "csv-utf8-comma",
    "csv-utf8bom-semicolon",
    "csv-cp1250-tab",
    "csv-iso8859_2-semicolon",
    "xlsx",
    "ods",
    "sav",
]


@pytest.fixture(scope="module")
def survey() -> Survey:
    return make_survey()


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_computes_every_figure_of_every_question_in_every_format(
    fmt: str, tmp_path: Path, survey: Survey
) -> None:
    report = analyse_file(build(fmt, tmp_path, survey)).to_json()
    assert report["respondents"] == len(survey.ids)
    assert report["weighted"] is True
    assert [q["id"] for q in report["questions"]] == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    for q, question in enumerate(report["questions"]):
        assert_close(
            question, expected_figures(survey.scores[q], survey.weights), f"{fmt} Q{q + 1}"
        )
    assert report["warnings"] == []


@pytest.mark.parametrize("fmt", ["xlsx", "sav"])
def test_it_reverses_best_first_scales_and_says_how_a_4_point_scale_is_scored(
    fmt: str, tmp_path: Path, survey: Survey
) -> None:
    report = analyse_file(build(fmt, tmp_path, survey)).to_json()
    q3, q4 = report["questions"][2], report["questions"][3]
    assert q3["reversed"] is True and not report["questions"][0]["reversed"]
    assert any(note.startswith("Q3:") and "reversed" in note for note in report["notes"])
    assert any(note.startswith("Q4:") and "raczej tak=4" in note for note in report["notes"])
    assert q4["distribution"]["3"] == 0


@pytest.mark.parametrize("fmt", ["xlsx", "sav", "csv-utf8-comma"])
def test_it_reports_each_department_separately(fmt: str, tmp_path: Path, survey: Survey) -> None:
    report = analyse_file(build(fmt, tmp_path, survey)).to_json()
    column = "komorka" if fmt == "sav" else "Komórka organizacyjna"
    groups = report["segments"][column]
    departments = np.array(survey.departments)
    assert report["departments"] == {d: int((departments == d).sum()) for d in DEPARTMENTS}
    for department in DEPARTMENTS:
        member = departments == department
        scores, weights = survey.scores[0][member], survey.weights[member]
        figures = expected_figures(scores, weights)
        got = groups[department]["questions"]["Q1"]
        assert_close(
            got,
            {
                k: figures[k]
                for k in ("n", "mean", "ci95", "top2_share", "top2_ci95", "sd", "n_eff")
            },
            department,
        )
        rest = expected_figures(survey.scores[0][~member], survey.weights[~member])
        assert got["rest"]["mean"] == pytest.approx(rest["mean"], abs=1e-6)


def test_it_gives_the_margin_of_error_of_the_whole_sample(tmp_path: Path, survey: Survey) -> None:
    report = analyse_file(build("xlsx", tmp_path, survey)).to_json()
    n_eff = survey.weights.sum() ** 2 / (survey.weights**2).sum()
    assert report["margin_of_error"]["value"] == pytest.approx(
        Z * math.sqrt(0.25 / n_eff), abs=1e-6
    )


def test_without_a_weight_column_the_figures_are_unweighted(tmp_path: Path, survey: Survey) -> None:
    rows = [row[:-1] for row in table_rows(survey)]
    report = analyse_file(write_xlsx(tmp_path / "d.xlsx", {"Dane": rows})).to_json()
    assert report["weighted"] is False and report["weight_column"] is None
    question = report["questions"][0]
    figures = expected_figures(survey.scores[0], survey.weights)["unweighted"]
    assert_close(question, figures, "Q1")
    assert "unweighted" not in question


# --------------------------------------------------------------- the dev corpus


def test_the_dev_results_file_matches_its_expected_json_to_a_millionth() -> None:
    expected = json.loads((CORPUS / "results_2027.expected.json").read_text(encoding="utf-8"))
    report = analyse_file(CORPUS / expected["file"]).to_json()
    assert report["respondents"] == expected["respondents"]
    assert report["weighted"] is expected["weighted"]
    assert report["weight_column"] == expected["weight_column"]
    assert report["departments"] == expected["departments"]
    assert report["warnings"] == expected["warnings_expected"]
    assert len(report["questions"]) == len(expected["questions"])
    for got, want in zip(report["questions"], expected["questions"], strict=True):
        assert want["label"] in got["label"]
        assert_close(got, {k: v for k, v in want.items() if k != "label"}, want["id"])


def test_it_says_in_one_line_when_the_file_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not found"):
        analyse_file(tmp_path / "brak.xlsx")


def test_it_refuses_a_file_type_it_does_not_know(tmp_path: Path) -> None:
    path = tmp_path / "dane.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(UserError, match="unknown data file type"):
        analyse_file(path)


def test_it_says_a_broken_spreadsheet_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "dane.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UserError, match="not a readable spreadsheet"):
        analyse_file(path)


# ------------------------------------------------------------ analysis options (issue 20)

RESULTS_DATA = Path(__file__).resolve().parent / "data" / "results"


def test_small_bases_have_two_configurable_tiers() -> None:
    from mailflow.results import AnalysisOptions

    path = RESULTS_DATA / "labels_utf8_bom_comma.csv"
    report = analyse_file(
        path, options=AnalysisOptions(small_base=110, not_reported_base=105)
    ).to_json()
    flags = {q["code"]: q["base"] for q in report["questions"]}
    ns = {q["code"]: q["n"] for q in report["questions"]}
    for code, flag in flags.items():
        expected = "not_reported" if ns[code] < 105 else "small_base" if ns[code] < 110 else "ok"
        assert flag == expected, code
    assert report["base_thresholds"] == {"small_base": 110, "not_reported": 105}
    hidden = [c for c, f in flags.items() if f == "not_reported"]
    refused = [w for w in report["warnings"] if "not to be reported" in w]
    assert hidden and len(refused) == len(hidden)
    segment = next(iter(report["segments"].values()))
    assert {g["questions"]["Q1"]["base"] for g in segment.values()} == {"not_reported"}


def test_bad_options_are_one_line_errors() -> None:
    from mailflow.results import AnalysisOptions

    with pytest.raises(UserError, match="population_size must be a positive number"):
        AnalysisOptions(population_size=0)
    with pytest.raises(UserError, match="not_reported_base"):
        AnalysisOptions(small_base=20, not_reported_base=30)


def test_a_population_smaller_than_the_sample_is_a_warning_not_a_correction() -> None:
    from mailflow.results import AnalysisOptions

    path = RESULTS_DATA / "labels_utf8_bom_comma.csv"
    report = analyse_file(path, options=AnalysisOptions(population_size=100)).to_json()
    assert report["fpc"] == 1.0
    assert any("smaller than the 120 respondents" in w for w in report["warnings"])


def test_the_contract_fields_stay_beside_the_new_ones() -> None:
    report = analyse_file(RESULTS_DATA / "labelled.sav").to_json()
    assert {"respondents", "questions", "warnings"} <= report.keys()
    question = report["questions"][0]
    assert {
        "id",
        "label",
        "n",
        "mean",
        "ci95",
        "top2_share",
        "top2_ci95",
        "missing",
    } <= question.keys()
    assert {"deff", "n_eff", "base", "index", "mapping", "points"} <= question.keys()
    assert question["index"]["value"] == pytest.approx(25 * (question["mean"] - 1), abs=1e-4)
    assert report["margin_of_error"]["deff"] == pytest.approx(
        report["margin_of_error"]["n"] / report["margin_of_error"]["n_eff"], abs=1e-5
    )
