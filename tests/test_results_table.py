"""Reading survey data files; also the builders other results tests use to write files."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from mailflow.errors import UserError
from mailflow.results.scales import OddCell
from mailflow.results.table import (
    decode_text,
    detect_delimiter,
    read_csv,
    read_sav,
    table_from_rows,
)

# ------------------------------------------------------------------ file builders


def write_csv(
    path: Path,
    rows: list[list[Any]],
    encoding: str = "utf-8",
    delimiter: str = ",",
    bom: bool = False,
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def write_ods(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A minimal OpenDocument spreadsheet, written by hand (no ODF library is installed);
    an :class:`OddCell` value becomes an error cell the way LibreOffice writes one."""
    tables = []
    for name, rows in sheets.items():
        xml_rows = []
        for row in rows:
            cells = []
            for value in row:
                if value is None or value == "":
                    cells.append("<table:table-cell/>")
                elif isinstance(value, bool):
                    truth = "true" if value else "false"
                    cells.append(
                        f'<table:table-cell office:value-type="boolean" office:boolean-value='
                        f'"{truth}"><text:p>{truth.upper()}</text:p></table:table-cell>'
                    )
                elif isinstance(value, OddCell):  # as LibreOffice writes a formula's error
                    cells.append(
                        '<table:table-cell table:formula="of:=1/0" office:value-type="string" '
                        'office:string-value="" calcext:value-type="error">'
                        f"<text:p>{escape(value.text)}</text:p></table:table-cell>"
                    )
                elif isinstance(value, int | float):
                    cells.append(
                        f'<table:table-cell office:value-type="float" '
                        f'office:value="{value}"><text:p>{value}</text:p>'
                        "</table:table-cell>"
                    )
                else:
                    cells.append(
                        '<table:table-cell office:value-type="string"><text:p>'
                        f"{escape(str(value))}</text:p></table:table-cell>"
                    )
            xml_rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        tables.append(f'<table:table table:name="{escape(name)}">{"".join(xml_rows)}</table:table>')
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
        ' office:version="1.2">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def write_sav(
    path: Path,
    columns: dict[str, list[Any]],
    value_labels: dict[str, dict[float, str]],
    column_labels: dict[str, str] | None = None,
    missing: dict[str, list[float]] | None = None,
) -> Path:
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame(columns)
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=column_labels,
        variable_value_labels=value_labels,
        missing_ranges={name: list(values) for name, values in (missing or {}).items()},
    )
    return path


# ------------------------------------------------------------------------- tests

ROWS = [
    ["Nr ankiety", "P1. Uprzejmość", "Waga"],
    ["1", "zdecydowanie zadowolony", "0,9"],
    ["2", "ani zadowolony, ani niezadowolony", "1,1"],
    ["3", "trudno powiedzieć", "1"],
]


@pytest.mark.parametrize("encoding", ["utf-8", "cp1250", "iso8859_2"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_it_reads_csv_in_each_polish_encoding_and_delimiter(
    tmp_path: Path, encoding: str, delimiter: str
) -> None:
    path = write_csv(tmp_path / "dane.csv", ROWS, encoding, delimiter)
    table = read_csv(path)
    assert table.headers == ROWS[0]
    assert table.columns[1] == [row[1] for row in ROWS[1:]]
    assert table.row_numbers == [2, 3, 4]


def test_it_reads_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    table = read_csv(write_csv(tmp_path / "dane.csv", ROWS, bom=True))
    assert table.headers[0] == "Nr ankiety"


def test_it_tells_windows_1250_from_iso_8859_2_by_the_polish_letters() -> None:
    text = "Uprzejmość;Jasność;źle;ś;ą;Ś\r\n"
    assert decode_text(text.encode("cp1250"), "x") == text
    assert decode_text(text.encode("iso8859_2"), "x") == text


def test_it_finds_the_delimiter_despite_commas_inside_quoted_labels() -> None:
    text = 'a;b\r\n"ani zadowolony, ani niezadowolony";2\r\n'
    assert detect_delimiter(text) == ";"


def test_it_skips_empty_rows_and_keeps_file_row_numbers() -> None:
    table = table_from_rows("x", [["id", "P1"], ["", ""], ["1", "5"], [None, None], ["2", "4"]])
    assert table.row_numbers == [3, 5]
    assert table.where(1, 1) == 'row 5, column B ("P1")'


def test_it_rejects_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "pusty.csv"
    path.write_bytes(b"")
    with pytest.raises(UserError, match="empty"):
        read_csv(path)


def test_it_rejects_a_header_without_respondents(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no respondents"):
        read_csv(write_csv(tmp_path / "d.csv", [ROWS[0]]))


def test_it_rejects_a_value_in_a_column_without_header() -> None:
    with pytest.raises(UserError, match="column B has values but no header"):
        table_from_rows("x", [["id", ""], ["1", "5"]])


def test_it_reads_spss_values_labels_and_user_missing_codes(tmp_path: Path) -> None:
    path = write_sav(
        tmp_path / "dane.sav",
        {"id": [1.0, 2.0, 3.0], "p1": [1.0, 5.0, 9.0]},
        {"p1": {1.0: "bardzo długo", 5.0: "bardzo krótko", 9.0: "nie wiem"}},
        column_labels={"id": "Nr ankiety", "p1": "P1. Czas oczekiwania"},
        missing={"p1": [9.0]},
    )
    table = read_sav(path)
    assert table.headers == ["id", "p1"]
    assert table.value_labels["p1"] == {"1": "bardzo długo", "5": "bardzo krótko", "9": "nie wiem"}
    assert table.variable_labels["p1"] == "P1. Czas oczekiwania"
    assert table.missing_values["p1"] == {"9"}


def test_it_skips_title_rows_above_the_header_and_says_so() -> None:
    rows = [["Badanie satysfakcji 2027"], [], ["id", "P1", "Waga"], ["1", 5, 1.0], ["2", 4, 1.0]]
    table = table_from_rows("x", rows)
    assert table.headers == ["id", "P1", "Waga"]
    assert table.row_numbers == [4, 5]
    assert table.notes == ["row(s) 1 above the header row taken as a title and skipped"]


def test_a_sheet_used_from_a_later_cell_keeps_the_sheets_row_and_column_names(
    tmp_path: Path,
) -> None:
    from mailflow.results.table import Workbook

    rows = [[None], [None, None, "Nr ankiety", "P1"], [None, None, "1", 5], [None, None, "2", 4]]
    table = Workbook(write_xlsx(tmp_path / "d.xlsx", {"Dane": rows})).table("Dane", "d.xlsx")
    assert table.headers == ["Nr ankiety", "P1"]
    assert table.where(1, 1) == 'row 4, column D ("P1")'


def test_a_sav_file_that_crashes_readstat_is_a_refusal_not_a_dead_process() -> None:
    """tests/data/results/hostile_readstat_crash.sav: a fuzzed copy of labelled.sav on which
    pyreadstat 1.3.7 dies with SIGSEGV; it is read in a child process."""
    path = Path(__file__).resolve().parent / "data" / "results" / "hostile_readstat_crash.sav"
    with pytest.raises(UserError) as refused:
        read_sav(path)
    assert str(refused.value).startswith("hostile_readstat_crash.sav: not a readable SPSS file")
    assert "\n" not in str(refused.value)
