"""CSV dialects, codebook layouts and SPSS syntax: read as written, or refused in one line
naming the row and column and what was expected."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mailflow.errors import UserError
from mailflow.results import analyse_file, load_codebook
from mailflow.results.spss import parse_syntax
from mailflow.results.table import detect_delimiter, read_csv

DATA = Path(__file__).resolve().parent / "data" / "results"


def test_commas_in_comments_and_decimal_commas_do_not_make_the_comma_the_delimiter() -> None:
    text = (
        'id;P1;P2;P3;waga;uwagi\r\n1;5;4;3;0,75;"długo, za długo; i ""źle"""\r\n'
        '2;4;4;2;1,25;"a, b,\r\nc, d"\r\n3;3;2;1;1,0;\r\n'
    )
    assert detect_delimiter(text) == ";"


def test_the_header_decides_when_rows_disagree() -> None:
    # every data row has one decimal comma, the header none: "," would split rows only
    text = "id;P1;waga\n1;5;0,5\n2;4;1,5\n3;3;1,0\n"
    assert detect_delimiter(text) == ";"


def test_excels_sep_line_names_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("sep=|\nid|P1|P2|P3\n1|5|4|3\n2|4|4|4\n3|2|3|1\n", encoding="utf-8")
    table = read_csv(path)
    assert table.headers == ["id", "P1", "P2", "P3"] and table.row_numbers == [3, 4, 5]


def test_a_line_over_128_kb_is_named_by_row_and_column_not_a_csv_error(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    rows = ["id;P1;P2;P3;uwagi", "1;5;4;3;ok", "2;4;4;4;" + "x" * 140_000, "3;2;3;1;"]
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(UserError) as refused:
        analyse_file(path)
    message = str(refused.value)
    assert "long.csv: row 3, column E: a cell longer than 131,072 characters" in message
    assert "\n" not in message and time.perf_counter() - started < 5


def test_a_quote_left_open_is_named_where_it_opens(tmp_path: Path) -> None:
    path = tmp_path / "open.csv"
    body = "".join(f"{i};4;3;2;x\n" for i in range(3, 40_000))
    path.write_text('id;P1;P2;P3;uwagi\n1;5;4;3;"otwarty\n' + body, encoding="utf-8")
    with pytest.raises(UserError, match=r"open\.csv: row 2, column E: a cell longer than"):
        analyse_file(path)


def test_a_wide_codebook_with_a_broken_value_label_names_its_cell(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text(
        "Zmienna;Etykieta zmiennej;Etykiety wartości\n"
        'P1;Uprzejmość;"1 = bardzo źle; 2 = źle; 3 = średnio; 4 = dobrze; 5 = bardzo dobrze"\n'
        'P2;Czas;"1 = bardzo źle; dobrze"\n',
        encoding="utf-8",
    )
    with pytest.raises(UserError, match=r"book\.csv: row 3, column C: 'dobrze' is not a value"):
        load_codebook(path)


def test_a_wide_codebook_may_have_one_column_per_code(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_text(
        "Zmienna;Etykieta zmiennej;1;2;3;4;5\n"
        "P1;Uprzejmość;bardzo źle;źle;przeciętnie;dobrze;bardzo dobrze\n",
        encoding="utf-8",
    )
    book = load_codebook(path)
    assert book.questions[0].column == "P1" and book.variable_labels["P1"] == "Uprzejmość"


def test_the_long_codebook_keeps_continuation_rows_with_the_variable_above() -> None:
    book = load_codebook(DATA / "codebook_long_cp1250.csv")
    by_column = {q.column: q for q in book.questions}
    assert set(by_column) == {"P1", "P2", "P3", "P4", "P5", "P6"}
    assert book.other_labels["komorka"]["2"] == "Wydział Komunikacji"


def test_spss_syntax_reads_labels_missing_values_and_the_weight() -> None:
    syntax = parse_syntax(
        "s.sps",
        'GET DATA /TYPE=TXT /FILE=\'d.dat\' /DELIMITERS=";" /QUALIFIER="\'"\n'
        " /VARIABLES= id A5 q1 F1 q2 F1 q3 F1 w F4.2.\n"
        'VARIABLE LABELS q1 \'Uprzejmość\' q2 "Czas ""oczekiwania""".\n'
        "VALUE LABELS q1 TO q3 1 'zle' 5 'dobrze' 9 'nie wiem'.\n"
        "MISSING VALUES q1 TO q3 (9).\n"
        "WEIGHT BY w.\n",
    )
    assert syntax.data_file == "d.dat" and syntax.delimiter == ";" and syntax.qualifier == "'"
    assert syntax.variables == ["id", "q1", "q2", "q3", "w"]
    assert syntax.variable_labels["q2"] == 'Czas "oczekiwania"'
    assert syntax.value_labels["q3"]["5"] == "dobrze"
    assert syntax.missing["q2"] == {"9"} and syntax.weight == "w"


def test_a_data_line_with_the_wrong_number_of_fields_is_named(tmp_path: Path) -> None:
    (tmp_path / "s.sps").write_text(
        "GET DATA /TYPE=TXT /FILE='d.dat' /DELIMITERS=\",\"\n /VARIABLES= id A5 q1 F1.\n",
        encoding="utf-8",
    )
    (tmp_path / "d.dat").write_text("1,5\n2,4,3\n", encoding="utf-8")
    with pytest.raises(
        UserError, match=r"d\.dat: row 2 has 3 fields, the syntax s\.sps declares 2"
    ):
        analyse_file(tmp_path / "s.sps")


def test_syntax_without_its_data_file_says_which_file_is_missing(tmp_path: Path) -> None:
    (tmp_path / "s.sps").write_text(
        "GET DATA /TYPE=TXT /FILE='C:\\exports\\d.dat'\n /VARIABLES= id A5 q1 F1.\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError, match=r"the data file d\.dat it names is not beside it"):
        analyse_file(tmp_path / "s.sps")


def test_a_0_to_10_code_out_of_range_is_named(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    answers = [0, 3, 5, 6, 7, 8, 9, 10, 10, 12]
    rows = ["id;Czy poleci Pan/Pani nasz urząd? (0-10)"]
    rows += [f"{i};{v}" for i, v in enumerate(answers, start=1)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"code '12' out of range 0-10 in row 11, column B"):
        analyse_file(path)
