"""A sheet is measured before calamine builds its grid (issue 14): one stray far cell, a
sparse sheet or a false <dimension> is refused in one line naming the cell, at once."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from mailflow.errors import UserError
from mailflow.results import analyse_file
from mailflow.results.limits import check_xlsx_sheet

DATA = Path(__file__).resolve().parent / "data" / "results"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet_zip(path: Path, sheet_data: str, before: str = "", prefix: str = "") -> Path:
    tag = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    xml = (
        f'<?xml version="1.0"?><{tag}worksheet {xmlns}>{before}<{tag}sheetData>{sheet_data}'
        f"</{tag}sheetData></{tag}worksheet>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    return path


def extent_of(path: Path, limit: int = 10_000_000) -> tuple[int, int]:
    with zipfile.ZipFile(path) as archive:
        found = check_xlsx_sheet(archive, "xl/worksheets/sheet1.xml", path.name, limit)
    return found.rows, found.columns


def test_the_2_7_kb_file_with_a_cell_at_xfd1048576_is_refused_before_calamine() -> None:
    started = time.perf_counter()
    with pytest.raises(UserError) as refused:
        analyse_file(DATA / "hostile_far_cell.xlsx")
    assert time.perf_counter() - started < 2
    message = str(refused.value)
    assert "\n" not in message
    assert "row 1,048,576 and column XFD" in message and "cell XFD1048576" in message


def test_a_sparse_sheet_of_200000_by_702_cells_is_refused_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(UserError, match=r"row 200,000 and column ZZ .*140,400,000 cells"):
        analyse_file(DATA / "hostile_sparse.xlsx")
    assert time.perf_counter() - started < 2


def test_a_dimension_declaring_the_whole_sheet_is_refused(tmp_path: Path) -> None:
    path = sheet_zip(
        tmp_path / "d.xlsx",
        '<row r="1"><c r="A1"><v>1</v></c></row>',
        '<dimension ref="A1:XFD1048576"/>',
    )
    with pytest.raises(UserError, match=r"dimension A1:XFD1048576 declares 17,179,869,184 cells"):
        extent_of(path)


@pytest.mark.parametrize(
    ("cells", "extent"),
    [
        ('<row r="1"><c r="A1"/><c r="AG1"/></row><row r="7"><c r="B7"/></row>', (7, 33)),
        # a cell's own row beyond its row tag counts (calamine places cells by their r)
        ('<row r="1"><c r="A1"/></row><row r="2"><c r="C90000"/></row>', (90000, 3)),
        # cells and rows without r follow the one before, as calamine counts them
        ('<row r="3"><c r="B3"/><c/><c/></row><row><c/></row>', (4, 4)),
        # a leading zero does not hide a row
        ('<row r="1"><c r="A1"/><c r="B000123456"/></row>', (123456, 2)),
    ],
)
def test_the_extent_is_where_calamine_would_put_the_cells(
    tmp_path: Path, cells: str, extent: tuple[int, int]
) -> None:
    assert extent_of(sheet_zip(tmp_path / "s.xlsx", cells)) == extent


def test_namespace_prefixed_sheets_are_measured_too(tmp_path: Path) -> None:
    cells = '<x:row r="1"><x:c r="A1"/></x:row><x:row r="2000"><x:c r="XFD2000"/></x:row>'
    with pytest.raises(UserError, match="column XFD"):
        extent_of(sheet_zip(tmp_path / "p.xlsx", cells, prefix="x"))


def test_the_limit_is_a_parameter(tmp_path: Path) -> None:
    cells = "".join(f'<row r="{r}"><c r="A{r}"/><c r="J{r}"/></row>' for r in range(1, 101))
    path = sheet_zip(tmp_path / "s.xlsx", cells)
    assert extent_of(path, limit=1000) == (100, 10)
    with pytest.raises(UserError, match="more than the 999 a survey data sheet may have"):
        extent_of(path, limit=999)


def test_rows_out_of_order_are_measured_cell_by_cell(tmp_path: Path) -> None:
    cells = (
        '<row r="5000"><c r="A5000"/><c r="Z5000"/></row>'
        + "".join(f'<row r="{r}"><c r="A{r}"/></row>' for r in range(1, 50))
        + '<row r="3"><c r="B3"/></row>'
    )
    assert extent_of(sheet_zip(tmp_path / "o.xlsx", cells)) == (5000, 26)
    cells = '<row r="1"><c r="A1"/></row><row spans="1:2" r="900000"><c r="Z900000"/></row>'
    with pytest.raises(UserError, match="row 900,000 and column Z"):
        extent_of(sheet_zip(tmp_path / "p.xlsx", cells))
