"""Finding questions, weight, ids and segments; bad files stop with row and column named."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.errors import UserError
from mailflow.results import analyse_file
from mailflow.results.coding import code_survey, split_header
from mailflow.results.table import table_from_rows
from tests.test_results_table import write_csv, write_xlsx

GOOD = ["zdecydowanie zadowolony", "raczej zadowolony", "raczej niezadowolony"]


def rows_with(answers: list[object], header: str = "P1. Uprzejmość") -> list[list[object]]:
    rows: list[list[object]] = [["Nr ankiety", "Płeć", header, "Waga"]]
    for i, answer in enumerate(answers):
        rows.append([str(i + 1), "kobieta" if i % 2 else "mężczyzna", answer, 1.0])
    return rows


def test_it_splits_the_question_code_from_its_label() -> None:
    assert split_header("P1. Uprzejmość i życzliwość") == ("P1", "Uprzejmość i życzliwość")
    assert split_header("Q12 Czas oczekiwania") == ("Q12", "Czas oczekiwania")
    assert split_header("Ogólna ocena") == ("Ogólna ocena", "Ogólna ocena")
    assert split_header("P5.1 Jasność formularzy") == ("P5.1", "Jasność formularzy")
    assert split_header("P2.Kompetencje") == ("P2", "Kompetencje")


def test_it_finds_questions_weight_and_id_by_content_and_header() -> None:
    table = table_from_rows("x", rows_with([*GOOD, "trudno powiedzieć", None]))
    survey = code_survey(table, None)
    assert [q.column for q in survey.questions] == ["P1. Uprzejmość"]
    assert survey.weight_column == "Waga"
    assert survey.questions[0].scores is not None
    assert survey.questions[0].scores.tolist() == [5, 4, 2, -1, 0]


def test_it_does_not_take_small_demographic_codes_for_a_question() -> None:
    rows = [["id", "Płeć", "Wiek", "P1"], ["1", 1, 2, 5], ["2", 2, 3, 4], ["3", 1, 4, 3]]
    survey = code_survey(table_from_rows("x", rows), None)
    assert [q.column for q in survey.questions] == ["P1"]


def test_it_takes_9_and_99_codes_as_missing_not_scores() -> None:
    rows = [["id", "P1"]] + [[str(i), v] for i, v in enumerate([5, 4, 3, 9, 99, 1])]
    question = code_survey(table_from_rows("x", rows), None).questions[0]
    assert question.scores is not None
    assert question.scores.tolist() == [5, 4, 3, -2, -2, 1]


def test_an_unknown_label_stops_with_its_row_and_column() -> None:
    table = table_from_rows("dane.csv", rows_with([*GOOD, "super"]))
    with pytest.raises(
        UserError,
        match=r"unknown answer 'super' in row 5, "
        r"column C \(\"P1. Uprzejmość\"\)",
    ):
        code_survey(table, None)


def test_an_out_of_range_code_stops_with_its_row_and_column() -> None:
    rows = [["id", "P1"]] + [[str(i), v] for i, v in enumerate([5, 4, 3, 2, 7, 1, 1, 2, 3, 4])]
    with pytest.raises(UserError, match="code 7 out of range 1-5 in row 6, column B"):
        code_survey(table_from_rows("x", rows), None)


def test_a_missing_respondent_id_stops_with_its_row() -> None:
    rows = rows_with(GOOD)
    rows[2][0] = " "
    with pytest.raises(UserError, match="respondent id missing in row 3, column A"):
        code_survey(table_from_rows("x", rows), None)


def test_a_duplicate_respondent_id_names_both_rows() -> None:
    rows = rows_with(GOOD)
    rows[3][0] = "1"
    with pytest.raises(
        UserError,
        match=r"duplicate respondent id '1' in row 4, column A .*"
        r"first in row 2",
    ):
        code_survey(table_from_rows("x", rows), None)


def test_a_weight_that_is_not_a_number_stops_with_its_row() -> None:
    rows = rows_with(GOOD)
    rows[2][3] = "brak"
    with pytest.raises(UserError, match="weight is 'brak', not a number, in row 3, column D"):
        code_survey(table_from_rows("x", rows), None)


def test_a_negative_weight_is_refused() -> None:
    rows = rows_with(GOOD)
    rows[1][3] = -1.0
    with pytest.raises(UserError, match=r"weight -1\.0 is not a non-negative number in row 2"):
        code_survey(table_from_rows("x", rows), None)


def test_a_file_without_questions_says_so() -> None:
    rows = [["id", "Imię"], ["1", "Anna"], ["2", "Jan"]]
    with pytest.raises(UserError, match="no question columns found"):
        code_survey(table_from_rows("x", rows), None)


def test_it_reads_the_data_sheet_and_not_the_description(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "d.xlsx", {"Opis": [["Badanie 2027"], ["Skala 1-5"]], "Dane": rows_with(GOOD)}
    )
    report = analyse_file(path)
    assert report.sheet == "Dane" and report.respondents == 3


def test_a_sheet_without_answers_is_the_wrong_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "d.xlsx", {"Arkusz1": [["Uwagi"], ["brak"]]})
    with pytest.raises(UserError, match=r"d.xlsx.*no question columns found"):
        analyse_file(path)


def test_a_codebook_naming_a_missing_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "d.xlsx", {"Arkusz1": rows_with(GOOD)})
    codebook = tmp_path / "kody.toml"
    codebook.write_text('sheet = "Dane"\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"no sheet named 'Dane' \(sheets: Arkusz1\)"):
        analyse_file(path, codebook)


def test_csv_answers_and_codes_mix_in_one_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", rows_with(["5", "raczej zadowolony", "1", "nie wiem"]))
    question = analyse_file(path).to_json()["questions"][0]
    assert question["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}
    assert question["dont_know"] == 1


def test_plain_codes_beside_best_first_labels_are_refused_as_ambiguous() -> None:
    rows = [["id", "P3"], ["1", "bardzo krótki"], ["2", "długi"], ["3", "krótki"], ["4", 2]]
    with pytest.raises(UserError, match=r"code 2 beside duration labels .* row 5, column B"):
        code_survey(table_from_rows("x", rows), None)


def test_the_data_sheet_is_found_when_it_is_not_the_first_or_named_dane(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "d.xlsx",
        {"Informacje": [["Badanie", "2027", "PAPI"], ["N", "3", ""]], "Arkusz2": rows_with(GOOD)},
    )
    report = analyse_file(path)
    assert report.sheet == "Arkusz2" and report.respondents == 3


def test_text_in_a_numeric_question_is_an_unknown_answer_named_not_a_crash() -> None:
    # "#DIV/0!" typed (or exported to CSV) is text: its key is not a number.
    answers: list[object] = [1, 2, 3, 4, 5] * 8
    answers[5] = "#DIV/0!"
    with pytest.raises(UserError, match=r"unknown answer '#DIV/0!' in row 7, column C"):
        code_survey(table_from_rows("dane.csv", rows_with(answers)), None)
