"""Spreadsheet error cells and TRUE/FALSE cells: named with row and column, never a score.

python-calamine reads an error cell (#DIV/0!, #N/A) as an empty string and a logical cell as
a bool that Python takes for 1 or 0; the readers find both in the file itself.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mailflow.errors import UserError
from mailflow.results import analyse_file
from mailflow.results.scales import OddCell
from mailflow.results.table import Workbook, xlsx_odd_cells
from tests.test_results_table import write_ods, write_xlsx

HEADER = ["Nr ankiety", "Komórka", "P1. Uprzejmość", "Waga"]


def survey(odd_rows: dict[int, list[Any]]) -> list[list[Any]]:
    """40 respondents, answers 1..5 (8 of each), then the given rows replacing some."""
    rows: list[list[Any]] = [HEADER]
    for number in range(1, 41):
        rows.append([number, "BOK" if number % 2 else "USC", number % 5 + 1, 1.0])
    for number, row in odd_rows.items():
        rows[number] = row
    return rows


def error(text: str) -> OddCell:
    return OddCell("error", text)


def test_a_false_cell_before_the_numbers_leaves_the_codes_1_and_0_alone(tmp_path: Path) -> None:
    # The first equal value read is the one kept: a FALSE first must not turn later 0s
    # (or TRUE first, later 1s) into logical cells, nor the reverse.
    rows = survey({1: ["A1", "BOK", True, 1.5], 2: [2, "USC", False, 1.0]})
    report = analyse_file(write_xlsx(tmp_path / "dane.xlsx", {"Dane": rows})).to_json()
    question = report["questions"][0]
    assert question["n"] == 38
    # Respondents 1 and 2 (scores 2 and 3) became the logical cells; 8 ones and zero-free.
    assert question["distribution"] == {"1": 8, "2": 7, "3": 7, "4": 8, "5": 8}
    (warning,) = report["warnings"]
    assert "cell FALSE" in warning and "cell TRUE" in warning and "rows 2, 3:" in warning
    # The weights equal to 1 read after the TRUE cell are still the number 1.
    assert report["margin_of_error"]["n_eff"] == pytest.approx(40.5**2 / (39 + 1.5**2))


def test_an_error_cell_in_a_question_is_named_with_its_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "dane.xlsx"
    write_xlsx(
        path, {"Dane": survey({10: [10, "BOK", "#N/A", 1.0], 20: [20, "USC", "#DIV/0!", 1.0]})}
    )
    report = analyse_file(path).to_json()
    assert report["questions"][0]["n"] == 38
    assert report["questions"][0]["invalid"] == 2
    (warning,) = [w for w in report["warnings"] if "error cell" in w]
    assert "#N/A" in warning and "#DIV/0!" in warning
    assert "column C" in warning and "rows 11, 21" in warning


def test_an_error_cell_as_respondent_id_or_weight_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "id.xlsx", {"Dane": survey({5: ["#REF!", "BOK", 3, 1.0]})})
    with pytest.raises(
        UserError, match=r"respondent id is a spreadsheet error cell #REF! in row 6"
    ):
        analyse_file(path)
    path = write_xlsx(tmp_path / "w.xlsx", {"Dane": survey({5: [5, "BOK", 3, "#VALUE!"]})})
    with pytest.raises(UserError, match=r"weight is a spreadsheet error cell #VALUE!.*row 6"):
        analyse_file(path)
    path = write_xlsx(tmp_path / "b.xlsx", {"Dane": survey({5: [5, "BOK", 3, True]})})
    with pytest.raises(UserError, match=r"weight is a logical .*TRUE.*row 6, column D"):
        analyse_file(path)


def test_an_error_cell_in_a_segment_is_no_segment_value_and_named(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "dane.xlsx", {"Dane": survey({7: [7, "#N/A", 3, 1.0]})})
    report = analyse_file(path).to_json()
    assert any("segment column Komórka" in w and "row 8:" in w for w in report["warnings"])
    assert "#N/A" not in report["segments"]["Komórka"]


def test_ods_error_and_logical_cells_are_found_too(tmp_path: Path) -> None:
    rows = survey({3: [3, "BOK", error("#DIV/0!"), 1.0], 9: [9, "USC", True, 1.0]})
    report = analyse_file(write_ods(tmp_path / "dane.ods", {"Dane": rows})).to_json()
    assert report["questions"][0]["n"] == 38
    (warning,) = report["warnings"]
    assert "#DIV/0!" in warning and "cell TRUE" in warning and "rows 4, 10:" in warning


def test_a_clean_sheet_reads_as_before(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "dane.xlsx", {"Dane": survey({})})
    table = Workbook(path).table("Dane", "dane.xlsx")
    assert table.columns[2] == [n % 5 + 1 for n in range(1, 41)]
    assert table.distinct(2)[2].tolist() == [8] * 5
    report = analyse_file(path).to_json()
    assert report["warnings"] == [] and report["questions"][0]["n"] == 40


def minimal_xlsx(path: Path, sheet_xml: str) -> Path:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{rel}/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Dane" sheetId="1" r:id="rId7"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{package}"><Relationship Id="rId7" Type="{rel}/worksheet"'
            ' Target="worksheets/dane.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/dane.xml",
            f'<worksheet xmlns="{main}"><sheetData>{sheet_xml}</sheetData></worksheet>',
        )
    return path


def test_cells_without_a_reference_are_placed_by_their_row_and_order(tmp_path: Path) -> None:
    sheet = (
        '<row r="1"><c t="inlineStr"><is><t>t="e" is only text here</t></is></c></row>'
        '<row r="7"><c><v>1</v></c><c r="C7"><v>2</v></c><c t="e"><v>#N/A</v></c>'
        "<c t='b'><v>0</v></c></row>"
    )
    found = xlsx_odd_cells(minimal_xlsx(tmp_path / "bez_r.xlsx", sheet), "Dane")
    assert found == {(7, 3): error("#N/A"), (7, 4): OddCell("logical", "FALSE")}


@pytest.mark.parametrize("search", ["none_for_the_format", "file_unreadable_to_it"])
def test_without_a_file_search_logical_cells_are_still_found_by_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, search: str
) -> None:
    # XLS and XLSB have no search (their error cells stay blanks: python-calamine hides them).
    from mailflow.results import table

    if search == "none_for_the_format":
        monkeypatch.delitem(table.ODD_CELL_FINDERS, ".xlsx")
    else:
        monkeypatch.setitem(table.ODD_CELL_FINDERS, ".xlsx", lambda path, sheet: None)
    path = write_xlsx(tmp_path / "dane.xlsx", {"Dane": survey({12: [12, "BOK", False, 1.0]})})
    report = analyse_file(path).to_json()
    assert report["questions"][0]["n"] == 39
    assert any("cell FALSE" in w and "row 13:" in w for w in report["warnings"])
    if search == "none_for_the_format":
        assert any("cannot be checked in .xlsx files" in w for w in report["warnings"])


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sdk_xlsx(path: Path, rows: list[list[Any]], prefix: str = "x:") -> Path:
    """SpreadsheetML with namespace-prefixed tags, as the OpenXML SDK writes it."""
    p = prefix

    def cell(ref: str, value: Any) -> str:
        if isinstance(value, bool):
            return f'<{p}c r="{ref}" t="b"><{p}v>{int(value)}</{p}v></{p}c>'
        if isinstance(value, OddCell):
            return f'<{p}c r="{ref}" t="e"><{p}v>{value.text}</{p}v></{p}c>'
        if isinstance(value, int | float):
            return f'<{p}c r="{ref}"><{p}v>{value}</{p}v></{p}c>'
        return f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t>{value}</{p}t></{p}is></{p}c>'

    body = "".join(
        f'<{p}row r="{i}">'
        + "".join(cell(f"{'ABCD'[j]}{i}", v) for j, v in enumerate(row))
        + f"</{p}row>"
        for i, row in enumerate(rows, start=1)
    )
    path = minimal_xlsx(path, "")
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/dane.xml"] = (
        f'<{p}worksheet xmlns:{p[:-1]}="{MAIN_NS}"><{p}sheetData>{body}'
        f"</{p}sheetData></{p}worksheet>"
    ).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("chunk", [1 << 22, 97])
def test_prefixed_tags_of_the_openxml_sdk_are_searched_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    from mailflow.results import table

    monkeypatch.setattr(table, "CHUNK", chunk)  # 97 bytes: rows and cells cut across chunks
    rows = survey({3: [3, "BOK", True, 1.0], 9: [9, "USC", error("#DIV/0!"), 1.0]})
    path = sdk_xlsx(tmp_path / "sdk.xlsx", rows)
    assert xlsx_odd_cells(path, "Dane") == {
        (4, 2): OddCell("logical", "TRUE"),
        (10, 2): error("#DIV/0!"),
    }
    report = analyse_file(path).to_json()
    assert report["questions"][0]["n"] == 38
    (warning,) = report["warnings"]
    assert "cell TRUE" in warning and "#DIV/0!" in warning and "rows 4, 10:" in warning


def test_the_search_of_a_prefixed_sheet_carries_little_from_chunk_to_chunk() -> None:
    # It used to carry the whole sheet from chunk to chunk (no "<row" found): quadratic.
    from mailflow.results import table

    block = b"".join(
        b'<x:row r="%d"><x:c r="A%d"><x:v>1</x:v></x:c></x:row>' % (i, i) for i in range(1, 200)
    )
    cut = table._xlsx_cut(block)
    assert block[cut:].startswith(b'<x:row r="199">')
    cells = b"<x:c r='A1'><x:v>1</x:v></x:c><x:c r='B1'><x:v>2"  # a row longer than a chunk
    assert table._xlsx_cut(cells) == cells.index(b"<x:c r='B1'")


def test_a_logical_cell_the_search_missed_is_still_found_by_calamines_bool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mailflow.results import table

    # A search that finds nothing: the TRUE read first of its code gives it away.
    monkeypatch.setitem(table.ODD_CELL_FINDERS, ".xlsx", lambda path, sheet: table.OddCells())
    rows = survey({1: ["A1", "BOK", True, 1.5], 7: [7, "USC", False, 1.0]})
    report = analyse_file(write_xlsx(tmp_path / "dane.xlsx", {"Dane": rows})).to_json()
    assert report["questions"][0]["n"] == 38
    (warning,) = report["warnings"]
    assert "cell TRUE" in warning and "cell FALSE" in warning and "rows 2, 8:" in warning


def test_an_error_cell_that_cannot_be_placed_is_a_warning_not_silence(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{n + 1}"><c r="A{n + 1}"><v>{n}</v></c><c r="B{n + 1}"><v>{n % 5 + 1}</v></c>'
        "</row>"
        for n in range(1, 41)
    )
    sheet = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Nr ankiety</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>P1. Uprzejmość</t></is></c></row>'
        + rows
        # A cell without "r" in a row without "r": its position cannot be told.
        + '<row><c t="e"><v>#N/A</v></c></row>'
    )
    found = xlsx_odd_cells(minimal_xlsx(tmp_path / "e.xlsx", sheet), "Dane")
    assert found is not None and found.missed("error") and not found
    report = analyse_file(tmp_path / "e.xlsx").to_json()
    assert any("could not be told" in w for w in report["warnings"]), report["warnings"]


def test_an_error_or_logical_cell_as_a_header_is_refused_with_row_and_column(
    tmp_path: Path,
) -> None:
    for name, header in (("e.xlsx", error("#REF!")), ("b.xlsx", True)):
        rows = survey({})
        rows[0] = [*HEADER[:3], header]
        with pytest.raises(UserError, match=r"header in row 1, column D is a (spreadsheet|logic)"):
            analyse_file(sdk_xlsx(tmp_path / name, rows, ""))


def test_ods_repeated_flagged_cells_are_bounded(tmp_path: Path) -> None:
    import time

    from mailflow.results.table import ods_odd_cells

    def ods(name: str, rows_xml: str) -> Path:
        path = write_ods(tmp_path / name, {"Dane": [["x"]]})
        with zipfile.ZipFile(path) as source:
            parts = {n: source.read(n).decode() for n in source.namelist()}
        parts["content.xml"] = re.sub(
            r"<table:table-row>.*</table:table-row>", rows_xml, parts["content.xml"]
        )
        with zipfile.ZipFile(path, "w") as archive:
            for n, data in parts.items():
                archive.writestr(n, data)
        return path

    true = 'office:value-type="boolean" office:boolean-value="true"'
    bomb = ods(
        "bomb.ods",
        f'<table:table-row table:number-rows-repeated="300"><table:table-cell {true} '
        'table:number-columns-repeated="16384"/></table:table-row>',
    )
    start = time.perf_counter()
    with pytest.raises(UserError, match=r"more than 1,000,000 TRUE/FALSE or error cells"):
        ods_odd_cells(bomb, "Dane")
    assert time.perf_counter() - start < 1.0
    fine = ods(
        "fine.ods",
        f'<table:table-row table:number-rows-repeated="3"><table:table-cell/><table:table-cell '
        f'{true} table:number-columns-repeated="2"/></table:table-row>',
    )
    assert set(ods_odd_cells(fine, "Dane") or {}) == {(r, c) for r in (1, 2, 3) for c in (1, 2)}


@pytest.mark.parametrize("failure", ["raises", "member_not_found", "entity_in_the_xml"])
def test_a_search_that_fails_warns_and_reads_the_file_all_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    from mailflow.results import table

    rows = survey({12: [12, "BOK", False, 1.0]})
    if failure == "raises":

        def broken(path: Path, sheet: str) -> table.OddCells:
            raise ValueError("broken")

        monkeypatch.setitem(table.ODD_CELL_FINDERS, ".xlsx", broken)
        path = write_xlsx(tmp_path / "dane.xlsx", {"Dane": rows})
    elif failure == "member_not_found":
        monkeypatch.setattr(table, "_xlsx_sheet_member", lambda archive, sheet: None)
        path = write_xlsx(tmp_path / "dane.xlsx", {"Dane": rows})
    else:  # defusedxml refuses a DTD in the ODS content.xml; calamine reads it
        path = write_ods(tmp_path / "dane.ods", {"Dane": rows})
        with zipfile.ZipFile(path) as source:
            parts = {n: source.read(n).decode() for n in source.namelist()}
        parts["content.xml"] = parts["content.xml"].replace(
            "?>", '?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1
        )
        with zipfile.ZipFile(path, "w") as archive:
            for n, data in parts.items():
                archive.writestr(n, data)
    report = analyse_file(path).to_json()
    assert report["questions"][0]["n"] == 39
    assert any("cell FALSE" in w and "row 13:" in w for w in report["warnings"])
    assert any(
        "error cells (#DIV/0!, #N/A...) could not be checked" in w for w in report["warnings"]
    )
