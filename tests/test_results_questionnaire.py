"""The accepted questionnaire against the data's columns: a missing question or an extra
column is a warning, never silence."""

from __future__ import annotations

from pathlib import Path

from mailflow.results import analyse_file, apply_questionnaire, match_questionnaire

DATA = Path(__file__).resolve().parent / "data" / "results"
QUESTIONS = [
    ("P1", "Na ile jest Pan/Pani zadowolony/a z uprzejmości pracowników?"),
    ("P2", "Na ile jest Pan/Pani zadowolony/a z czasu oczekiwania na obsługę?"),
    ("P3", "Na ile jest Pan/Pani zadowolony/a z kompetencji pracowników?"),
    ("P4", "Na ile jest Pan/Pani zadowolony/a z warunków w sali obsługi?"),
    ("P5", "Czy sprawa została załatwiona podczas jednej wizyty?"),
    ("P6", "Jak prawdopodobne jest, że poleci Pan/Pani nasz urząd znajomym? (0-10)"),
]


def columns(*names: str, role: str = "question") -> list[dict[str, str]]:
    return [{"column": name, "label": name, "role": role} for name in names]


def test_questions_match_their_columns_by_code() -> None:
    report = analyse_file(DATA / "labels_utf8_bom_comma.csv").to_json()
    match = match_questionnaire(QUESTIONS, report["columns"])
    assert [q for q, _ in match.matched] == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert set(match.how.values()) == {"code"} and not match.missing and not match.extra


def test_forms_columns_match_by_the_question_text() -> None:
    report = analyse_file(DATA / "google_forms.csv").to_json()
    match = match_questionnaire(QUESTIONS, report["columns"])
    assert set(match.how.values()) == {"text"} and len(match.matched) == 6
    assert not match.warnings


def test_a_question_absent_from_the_data_and_an_extra_column_are_warnings() -> None:
    asked = [*QUESTIONS[:5], ("P7", "Czy informacje na stronie BIP były zrozumiałe?")]
    report = analyse_file(DATA / "labels_utf8_bom_comma.csv").to_json()
    match = apply_questionnaire(report, asked)
    assert match.missing == [asked[5]]
    assert match.extra == [report["columns"][7]["column"]]  # P6 is in no question
    assert report["questionnaire"]["missing"] == [{"question": "P7", "text": asked[5][1]}]
    assert (
        "questionnaire question P7 (Czy informacje na stronie BIP były zrozumiałe?) has no "
        "column in the data file"
    ) in report["warnings"]
    assert match.warnings_pl[0].startswith("Pytanie P7 zatwierdzonego kwestionariusza („Czy")
    assert "nie odpowiada żadnemu pytaniu" in match.warnings_pl[1]


def test_a_shortened_question_text_still_matches() -> None:
    match = match_questionnaire(
        [("A", "Jak ocenia Pan/Pani czas oczekiwania na obsługę w urzędzie?")],
        columns("Czas oczekiwania na obsługę w urzędzie"),
    )
    assert match.matched == [("A", "Czas oczekiwania na obsługę w urzędzie")]


def test_each_column_answers_one_question_at_most() -> None:
    match = match_questionnaire([("P1", "Uprzejmość"), ("Q1", "Uprzejmość")], columns("P1"))
    assert match.matched == [("P1", "P1")] and match.missing == [("Q1", "Uprzejmość")]


def test_a_metric_question_may_be_answered_by_a_segment_column() -> None:
    cols = columns("P1. Uprzejmość") + columns("Płeć", role="other")
    match = match_questionnaire([("P1", "Uprzejmość"), ("M1", "Płeć")], cols)
    assert not match.missing and not match.extra
