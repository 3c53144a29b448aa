"""Irregularity rules: each finding with its evidence and a Polish line for the audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailflow.errors import UserError
from mailflow.results import IrregularityRules, analyse_file, find_irregularities

CORPUS = Path(__file__).resolve().parent / "data" / "dev"


@pytest.fixture(scope="module")
def report() -> dict:
    return analyse_file(CORPUS / "results_2027.xlsx").to_json()


def test_a_low_top2_share_is_a_finding_with_its_evidence(report: dict) -> None:
    findings = find_irregularities(report, IrregularityRules(min_top2_share=0.5))
    low = [f for f in findings if f.rule == "low_top2_share"]
    assert [f.question_id for f in low] == ["Q3", "Q6"]
    assert low[0].figure == pytest.approx(0.490142, abs=1e-6) and low[0].threshold == 0.5
    assert low[0].description.startswith(
        "P3 „Czas oczekiwania na obsługę”: odsetek ocen pozytywnych (4–5) 49,0% poniżej progu 50,0%"
    )
    assert low[0].evidence["top2_ci95"] == report["questions"][2]["top2_ci95"]


def test_too_few_answers_and_a_low_mean_are_findings(report: dict) -> None:
    rules = IrregularityRules(min_top2_share=0, min_n=380, min_mean=3.5, segment_gap=9)
    findings = find_irregularities(report, rules)
    few = {f.question_id for f in findings if f.rule == "few_answers"}
    assert few == {q["id"] for q in report["questions"] if q["n"] < 380}
    low = [f for f in findings if f.rule == "low_mean"]
    assert {f.question_id for f in low} == {q["id"] for q in report["questions"] if q["mean"] < 3.5}
    assert "średnia ocena 3,41 poniżej progu 3,50" in low[0].description


def test_a_significant_drop_against_the_latest_year_is_a_finding(report: dict) -> None:
    last_year = json.loads(json.dumps(report))
    last_year["year"] = 2026
    for question in last_year["questions"]:
        question["mean"] += 0.3 if question["id"] == "Q3" else 0.01
    older = json.loads(json.dumps(last_year))
    older["year"] = 2025
    rules = IrregularityRules(min_top2_share=0, segment_gap=9)
    findings = find_irregularities(report, rules, previous=[older, last_year])
    drops = [f for f in findings if f.rule == "significant_drop"]
    assert [f.question_id for f in drops] == ["Q3"]
    assert drops[0].evidence["year"] == 2026 and drops[0].evidence["p_value"] < 0.05
    assert "spadła z 3,71 (2026) do 3,41" in drops[0].description


def test_analyse_file_stores_the_comparison_and_its_findings() -> None:
    current = analyse_file(CORPUS / "results_2027.xlsx", year=2027).to_json()
    earlier = json.loads(json.dumps(current))
    earlier["year"] = 2026
    earlier["questions"][0]["mean"] = 4.5
    report = analyse_file(CORPUS / "results_2027.xlsx", previous=[earlier], year=2027).to_json()
    assert report["questions"][0]["yoy"][0]["year"] == 2026
    assert any(
        f["rule"] == "significant_drop" and f["question_id"] == "Q1" for f in report["findings"]
    )


def test_a_segment_far_below_the_rest_is_a_finding(report: dict) -> None:
    doctored = json.loads(json.dumps(report))
    group = doctored["segments"]["Komórka organizacyjna"]["Wydział Geodezji"]
    group["questions"]["Q8"]["mean"] = 3.0
    rules = IrregularityRules(min_top2_share=0, segment_gap=0.5)
    [finding] = find_irregularities(doctored, rules)
    assert finding.rule == "segment_gap" and finding.segment == (
        "Komórka organizacyjna: Wydział Geodezji"
    )
    assert finding.description.startswith("Wydział Geodezji (Komórka organizacyjna), P8")


def test_rules_come_from_configuration_strictly() -> None:
    assert IrregularityRules.from_mapping({"min_top2_share": 0.7}).min_top2_share == 0.7
    with pytest.raises(UserError, match=r"procedure\.min_share: unknown irregularity rule"):
        IrregularityRules.from_mapping({"min_share": 0.7})
    with pytest.raises(UserError, match=r"procedure\.alpha: must be a non-negative number"):
        IrregularityRules.from_mapping({"alpha": "0.05"})


def test_without_years_the_last_earlier_report_given_is_the_latest(report: dict) -> None:
    older, last = json.loads(json.dumps(report)), json.loads(json.dumps(report))
    for question in last["questions"]:
        question["mean"] += 0.3 if question["id"] == "Q2" else 0
    rules = IrregularityRules(min_top2_share=0, segment_gap=9)
    drops = [
        f for f in find_irregularities(report, rules, [older, last]) if f.rule == "significant_drop"
    ]
    assert [f.question_id for f in drops] == ["Q2"]
    assert drops[0].evidence["year"] == "previous #2"


# ------------------------------------------------ false-discovery control (issue 20)


def _segments(gaps: dict[str, float], n: int = 60) -> dict:
    """One segment column, each value a segment whose mean lies ``gap`` below the rest."""
    return {
        "Komórka": {
            name: {
                "respondents": n,
                "questions": {
                    "Q1": {
                        "n": n,
                        "n_eff": float(n),
                        "mean": 4.0 - gap,
                        "sd": 1.0,
                        "base": "ok",
                        "rest": {"n": 600, "n_eff": 600.0, "mean": 4.0, "sd": 1.0},
                    }
                },
            }
            for name, gap in gaps.items()
        }
    }


def test_a_segment_gap_significant_alone_but_not_after_benjamini_hochberg_is_no_finding() -> None:
    # 20 segments: one 0.3 below the rest (p ~ 0.03 alone), nineteen level with it.
    gaps = {"Wydział A": 0.3} | {f"Wydział {k}": 0.0 for k in range(19)}
    data = {
        "questions": [{"id": "Q1", "label": "Uprzejmość", "n": 900}],
        "segments": _segments(gaps),
    }
    rules = IrregularityRules(min_top2_share=0, segment_gap=0.25)
    assert data["segments"]["Komórka"]["Wydział A"]["questions"]["Q1"].get("p_value") is None
    assert find_irregularities(data, rules) == []
    figures = data["segments"]["Komórka"]["Wydział A"]["questions"]["Q1"]
    assert figures["p_value"] < 0.05 < figures["p_adjusted"]


def test_a_finding_shows_the_raw_and_the_adjusted_p() -> None:
    gaps = {"Wydział A": 0.8} | {f"Wydział {k}": 0.0 for k in range(9)}
    data = {
        "questions": [{"id": "Q1", "label": "Uprzejmość", "n": 900}],
        "segments": _segments(gaps),
    }
    [finding] = find_irregularities(data, IrregularityRules(min_top2_share=0, segment_gap=0.5))
    assert finding.evidence["p_value"] < finding.evidence["p_adjusted"] < 0.05
    assert finding.evidence["fdr_method"] == "Benjamini-Hochberg"
    assert "po korekcie Benjaminiego-Hochberga" in finding.description


def test_a_segment_flagged_not_reported_is_never_tested() -> None:
    data = {"questions": [{"id": "Q1", "n": 900}], "segments": _segments({"Mały": 2.0}, n=25)}
    data["segments"]["Komórka"]["Mały"]["questions"]["Q1"]["base"] = "not_reported"
    assert find_irregularities(data, IrregularityRules(min_top2_share=0, min_segment_n=0)) == []


def test_the_report_says_which_tests_the_correction_covered(report: dict) -> None:
    tests = report["multiple_testing"]
    assert tests["method"] == "Benjamini-Hochberg" and tests["fdr"] == 0.05
    tested = [
        figures
        for groups in report["segments"].values()
        for group in groups.values()
        for figures in group["questions"].values()
        if "p_adjusted" in figures
    ]
    assert len(tested) == tests["tests"] > 0
    assert all(f["p_adjusted"] >= f["p_value"] for f in tested)
