"""Reading a survey data file into one plain table: CSV, XLSX/XLS/ODS and SPSS .sav.

A :class:`Table` is column-major (one tuple per column) because every later step works a
column at a time; cells keep the reader's own values ("" or None or NaN for empty) so that no
per-cell conversion is paid here. Row numbers are those a person sees in the file.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload
from xml.sax.saxutils import unescape

import defusedxml.ElementTree as safe_xml
import numpy as np

from mailflow.errors import UserError
from mailflow.results.limits import MAX_SHEET_CELLS, Extent, check_xlsx_sheet
from mailflow.results.scales import OddCell

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
DATA_SHEET_NAMES = ("dane", "data", "wyniki", "baza", "results")


@dataclass
class Table:
    """One sheet of answers: ``columns[j][i]`` is respondent i's cell in column j.

    ``codes`` (when the table was read through :func:`table_from_rows`) holds the same cells
    as indexes into ``values``, one row per column: equal cells share one code, so a column's
    distinct values are a numpy pass (:meth:`distinct`) instead of a hash per cell."""

    source: str  # file name (and sheet) for messages
    headers: list[str]
    columns: Sequence[list[Any]]
    row_numbers: list[int]  # file row of each respondent
    column_refs: list[str]  # "G" in a spreadsheet or CSV, the variable name in SPSS
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # SPSS: key -> label
    variable_labels: dict[str, str] = field(default_factory=dict)
    missing_values: dict[str, set[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what could not be checked in the file
    codes: np.ndarray | None = None  # int32, shape (columns, respondents)
    values: list[Any] = field(default_factory=list)
    weight_name: str | None = None  # SPSS's WEIGHT BY

    @property
    def respondents(self) -> int:
        return len(self.row_numbers)

    def where(self, row_index: int, column: int) -> str:
        """'row 17, column G ("P3. Czas oczekiwania")' for a message."""
        ref = self.column_refs[column]
        header = self.headers[column]
        column_text = f"column {ref}" if ref == header else f'column {ref} ("{header}")'
        return f"row {self.row_numbers[row_index]}, {column_text}"

    def distinct(self, j: int) -> tuple[list[Any], np.ndarray, np.ndarray]:
        """Column j's distinct values, each cell's index into them, and their counts."""
        if self.codes is None:
            column = self.columns[j]
            uniques = list(set(column))
            position = {value: k for k, value in enumerate(uniques)}
            index = np.fromiter(map(position.__getitem__, column), np.int32, count=len(column))
            return uniques, index, np.bincount(index, minlength=len(uniques))
        column_codes = self.codes[j]
        counts = np.bincount(column_codes, minlength=len(self.values))
        present = np.flatnonzero(counts)
        renumber = np.zeros(len(self.values), dtype=np.int32)
        renumber[present] = np.arange(present.size, dtype=np.int32)
        values = self.values
        return [values[k] for k in present.tolist()], renumber[column_codes], counts[present]


class CodedColumns(Sequence[list[Any]]):
    """A coded table's columns as lists of values, each made when first asked for: most
    question columns are only ever used through their codes."""

    def __init__(self, codes: np.ndarray, values: list[Any]) -> None:
        self._codes = codes
        self._cells = np.empty(len(values), dtype=object)
        self._cells[:] = values
        self._made: dict[int, list[Any]] = {}

    def __len__(self) -> int:
        return len(self._codes)

    @overload
    def __getitem__(self, j: int) -> list[Any]: ...
    @overload
    def __getitem__(self, j: slice) -> list[list[Any]]: ...
    def __getitem__(self, j: int | slice) -> list[Any] | list[list[Any]]:
        if isinstance(j, slice):
            return [self[k] for k in range(len(self))[j]]
        j = range(len(self))[j]  # negative indexes, IndexError
        if j not in self._made:
            self._made[j] = self._cells[self._codes[j]].tolist()
        return self._made[j]


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """0 for "A", 27 for "AB"."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


class _Codes(dict[Any, int]):
    """Value -> code, a new code for each value not seen yet (``__missing__`` runs once per
    distinct value; every other look-up stays inside dict's C code)."""

    def __missing__(self, value: Any) -> int:
        self[value] = code = len(self)
        return code


def code_rows(rows: Iterable[Sequence[Any]], width: int) -> tuple[np.ndarray, list[Any]]:
    """Rows of equal width as a (rows, width) int32 array of codes into a list of values.

    One dict look-up per cell is all the per-cell Python work a table costs: equal cells
    (``1`` and ``1.0`` too; they code the same) share one code and one value object, which
    also keeps memory to one object per distinct value instead of one per cell. Bools
    compare equal to 1 and 0 and so share their code: readers find them (and error cells)
    in the file and put :class:`OddCell` markers over them afterwards."""
    matrix, values, _ = _code_rows(rows, width)
    return matrix, values


def _code_rows(
    rows: Iterable[Sequence[Any]], width: int
) -> tuple[np.ndarray, list[Any], list[int]]:
    """:func:`code_rows`, and the codes whose first cell was a bool (a check that costs one
    look at each distinct value: such a cell must be one the file search found)."""
    codes = _Codes()
    flat: list[int] = []
    extend, code = flat.extend, codes.__getitem__
    for row in rows:
        extend(map(code, row))
    matrix = np.array(flat, dtype=np.int32).reshape(-1, width) if width else np.zeros((0, 0))
    # Whichever equal value came first is the one kept; a bool there would stand for the
    # numbers that share its code (its own cells are marked separately).
    values = [float(v) if type(v) is bool else v for v in codes]
    first_bools = [k for k, v in enumerate(codes) if type(v) is bool]
    return matrix.astype(np.int32, copy=False), values, first_bools


def table_from_rows(
    source: str,
    rows: Iterable[Sequence[Any]],
    first_row_number: int = 1,
    first_column: int = 0,
    *,
    width: int | None = None,
    odd: dict[tuple[int, int], OddCell] | None = None,
) -> Table:
    """Header row first; empty rows are dropped (they are not respondents).

    ``width`` says every row has that many cells (a spreadsheet range), else rows are padded
    to the widest. ``odd`` puts markers at (file row, column) positions counted from 1 and
    0: cells the reader shows as something they are not (see :class:`OddCell`)."""
    if width is None:
        listed = [list(row) for row in rows]
        width = max(map(len, listed), default=0)
        rows = [row + [""] * (width - len(row)) if len(row) < width else row for row in listed]
    matrix, values = code_rows(rows, width)
    return coded_table(source, matrix, values, first_row_number, first_column, odd)


def coded_table(
    source: str,
    matrix: np.ndarray,
    values: list[Any],
    first_row_number: int,
    first_column: int,
    odd: dict[tuple[int, int], OddCell] | None = None,
) -> Table:
    """The table of :func:`code_rows`' output: title rows, header, trailing empty area."""
    width = matrix.shape[1]
    notes: list[str] = []
    for (row_number, column), cell in sorted((odd or {}).items()):
        i, j = row_number - first_row_number, column - first_column
        if 0 <= i < matrix.shape[0] and 0 <= j < width:
            matrix[i, j] = len(values)
            values.append(cell)
        else:  # not expected: the reader's range holds every non-empty cell
            notes.append(f"{cell.describe()} in row {row_number} lies outside the data range")
    # Blank or not is decided once per distinct value, then looked up for every cell.
    blank = np.fromiter(map(_blank, values), dtype=bool, count=len(values))
    filled: np.ndarray = ~blank[matrix] if matrix.size else np.zeros(matrix.shape, dtype=bool)
    kept = np.flatnonzero(filled.any(axis=1)) if width else np.zeros(0, dtype=np.intp)
    if not kept.size:
        raise UserError(f"{source}: the file is empty")
    header_at = header_position(filled[kept[:20]].sum(axis=1).tolist())
    skipped, kept = kept[:header_at], kept[header_at:]
    used = np.asarray(filled[kept].any(axis=0))
    while width and not used[width - 1]:
        width -= 1  # trailing columns without header and values are the sheet's empty area
    header_codes = matrix[kept[0], :width].tolist()
    for j, k in enumerate(header_codes):
        if isinstance(values[k], OddCell):
            # A header that is #REF! or TRUE would silently name an unknown column (and a
            # weight column so named would be dropped): the file has to be fixed.
            raise UserError(
                f"{source}: the header in row {kept[0] + first_row_number}, column "
                f"{column_letter(j + first_column)} is a {values[k].describe()}, not a name"
            )
    headers = [_header_text(values[k]) for k in header_codes]
    for j, header in enumerate(headers):
        if not header:
            raise UserError(
                f"{source}: column {column_letter(j + first_column)} has values but no header "
                f"(row {kept[0] + first_row_number})"
            )
    texts: dict[str, str] = {}
    if kept.size > 2:
        second = [values[k] for k in matrix[kept[1], :width].tolist()]
        if is_text_row(headers, second):
            texts = {h: _header_text(t) for h, t in zip(headers, second, strict=True) if t}
            notes.append(
                f"row {kept[1] + first_row_number} taken as the question texts of the codes "
                f"in row {kept[0] + first_row_number}"
            )
            kept = np.delete(kept, 1)
    if kept.size < 2:
        raise UserError(f"{source}: the file has a header row but no respondents")
    body = np.ascontiguousarray(matrix[kept[1:], :width].T)
    table = Table(
        source,
        headers,
        CodedColumns(body, values),
        (kept[1:] + first_row_number).tolist(),
        [column_letter(j + first_column) for j in range(width)],
        notes=notes,
        codes=body,
        values=values,
        variable_labels=texts,
    )
    if skipped.size:
        titles = ", ".join(str(i + first_row_number) for i in skipped.tolist())
        table.notes.append(f"row(s) {titles} above the header row taken as a title and skipped")
    return table


_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\[\]#-]{0,31}")


def is_text_row(headers: list[str], row: list[Any]) -> bool:
    """Whether the row under a header of codes (P1, Q2_3, waga) is a second header row
    with the question texts, as SPSS and LimeSurvey exports write them: every header is a
    code, every cell of the row is text that is neither a number nor an answer label, most
    cells are filled and at least one is a sentence."""
    from mailflow.results.scales import label_scores, missing_label_kind, value_key

    if not headers or not all(_CODE.fullmatch(h) for h in headers):
        return False
    filled = [cell for cell in row if not _blank(cell)]
    if len(filled) * 2 < len(headers) or not any(" " in str(cell).strip() for cell in filled):
        return False
    for cell in filled:
        if not isinstance(cell, str):
            return False
        key = value_key(cell)
        if not key or key[0].isdigit() or label_scores(key) or missing_label_kind(key):
            return False
    return True


def header_position(counts: list[int]) -> int:
    """Title lines above the header have one or two cells; the header is the first row
    filled at least half as wide as the widest of the first rows (``counts``: filled cells
    in each of the first rows)."""
    if not counts:
        return 0
    needed = max(3, (max(counts) + 1) // 2)
    return next((k for k, count in enumerate(counts) if count >= needed), 0)


def _header_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()) if value is not None else ""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value != value


# ---------------------------------------------------------------------------- CSV


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), else the Polish single-byte code page that fits best."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1250", "iso8859_2"]).best()
    candidates = ["cp1250", "iso8859_2"]
    if best is not None and best.encoding in candidates:
        candidates.remove(best.encoding)
        candidates.insert(0, best.encoding)
    # windows-1250 and ISO-8859-2 differ exactly in ą ś ź Ą Ś Ź: charset detectors often
    # cannot tell them apart on short files, the Polish letters they produce can.
    scored = sorted(candidates, key=lambda enc: -_polish_score(data.decode(enc, "replace")))
    return data.decode(scored[0], "replace")


_POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
_UNLIKELY = set("¹¿¥¦¶±¼¬¯ťšžŤŠŽ\ufffd") | {chr(c) for c in range(0x80, 0xA0)}


def _polish_score(text: str) -> int:
    return sum(ch in _POLISH for ch in text) - 5 * sum(ch in _UNLIKELY for ch in text)


DELIMITERS = (";", "\t", ",", "|")
SAMPLE_RECORDS = 50
# csv's own limit on one field; a longer cell is no survey answer (and usually a quote left
# open, which makes the rest of the file one field).
FIELD_LIMIT = 131_072


def detect_delimiter(text: str) -> str:
    """`;` tab `,` or `|`: the one under which the header and the most of the first records
    (parsed as CSV, so quoted commas and line breaks stay inside their field) have the same
    width, at least two columns; ties go to the wider header, then to the order above.

    A comma inside a quoted comment, or a decimal comma in every row, changes the width of
    some rows under ``,``, never the header: the header decides, not the row counts."""
    explicit = _sep_line(text)
    if explicit is not None:
        return explicit
    best, best_key = ",", (-1, -1, 0)
    for rank, delimiter in enumerate(DELIMITERS):
        widths = _sample_widths(text, delimiter)
        if not widths or widths[0] < 2:
            continue
        agreeing = sum(width == widths[0] for width in widths[1:])
        key = (agreeing, widths[0], -rank)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _sep_line(text: str) -> str | None:
    """Excel's ``sep=;`` first line names the delimiter."""
    first = text[:16].split("\n", 1)[0].strip()
    if first.lower().startswith("sep=") and len(first) == 5:
        return first[4]
    return None


def _sample_widths(text: str, delimiter: str) -> list[int]:
    """The widths of the first non-empty records under one delimiter (fewer when a record
    breaks csv's rules: the sample then ends there)."""
    widths: list[int] = []
    stream = io.StringIO(text[: 1 << 20], newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                widths.append(len(row))
                if len(widths) > SAMPLE_RECORDS:
                    break
    except csv.Error:
        pass
    return widths


def read_csv(path: Path) -> Table:
    text = decode_text(path.read_bytes(), path.name)
    delimiter = detect_delimiter(text)
    first_row = 1
    if _sep_line(text) is not None:
        text = text.split("\n", 1)[1] if "\n" in text else ""
        first_row = 2
    rows = read_csv_rows(text, delimiter, path.name, first_row)
    table = table_from_rows(path.name, rows, first_row)
    shown = {"\t": "tab", ";": "semicolon", ",": "comma", "|": "vertical bar"}[delimiter]
    table.notes.append(f"CSV read with the {shown} as the delimiter")
    return table


def read_csv_rows(text: str, delimiter: str, source: str, first_row: int = 1) -> list[list[str]]:
    """Every record; a record csv cannot read is refused naming its row and column."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error as error:
        failure = _csv_failure(text, delimiter, source, len(rows) + 1, error, first_row)
        raise UserError(failure) from None
    return rows


def _csv_failure(
    text: str, delimiter: str, source: str, record: int, error: csv.Error, first_row: int
) -> str:
    """One line: where the record csv refused starts, its column, what was expected."""
    row, column, line, long_field = _locate_long_field(text, delimiter)
    if long_field:
        at_line = f" (line {line} of the file)" if line != row else ""
        return (
            f"{source}: row {row + first_row - 1}{at_line}, column {column_letter(column)}: a cell "
            f"longer than {FIELD_LIMIT:,} characters (expected an answer or a comment; is a "
            'quotation mark (") left unclosed there?)'
        )
    return (
        f"{source}: row {record + first_row - 1}: not readable as CSV ({error}); expected "
        f"cells separated by {delimiter!r}"
    )


def _locate_long_field(text: str, delimiter: str) -> tuple[int, int, int, bool]:
    """(row, column from 0, line, found) of the first field longer than FIELD_LIMIT, by
    csv's quoting rules, in one pass that stops there: a row is a record as the reader
    counts them, a line a line of the file (they differ after a quoted line break)."""
    row = line = field_row = field_line = 1
    column, start, quoted, at, size = 0, 0, False, 0, len(text)
    while at < size:
        ch = text[at]
        if quoted:
            if ch == '"':
                if text.startswith('"', at + 1):
                    at += 2
                    continue
                quoted = False
            elif ch == "\n":
                line += 1
        elif ch == '"' and at == start:
            quoted = True
        elif ch == delimiter or ch in "\r\n":
            if at - start > FIELD_LIMIT:
                return field_row, column, field_line, True
            if ch == delimiter:
                column += 1
            else:
                if ch == "\r" and text.startswith("\n", at + 1):
                    at += 1
                row, line, column = row + 1, line + 1, 0
            start, field_row, field_line = at + 1, row, line
        at += 1
        if at - start > FIELD_LIMIT:
            return field_row, column, field_line, True
    return row, column, line, False


# --------------------------------------------------------------------- spreadsheets


class Workbook:
    """A spreadsheet's sheets (python-calamine), each read only when asked for."""

    def __init__(self, path: Path, max_cells: int = MAX_SHEET_CELLS) -> None:
        from python_calamine import CalamineWorkbook

        self.path = path
        self.max_cells = max_cells
        try:
            self._book = CalamineWorkbook.from_path(str(path))
            self.names: list[str] = list(self._book.sheet_names)
        except Exception as error:  # calamine raises its own zip/xml/format error types
            raise UserError(f"{path.name}: not a readable spreadsheet: {error}") from None

    def check_extent(self, name: str, source: str) -> Extent | None:
        """Refuses a sheet whose cells span more than ``max_cells`` before calamine builds
        its grid (see :mod:`mailflow.results.limits`); the extent, when it was measured."""
        if self.path.suffix.lower() not in (".xlsx", ".xlsm"):
            return None
        try:
            archive = zipfile.ZipFile(self.path)
        except (OSError, zipfile.BadZipFile):
            return None  # calamine read it as another format
        with archive:
            try:
                member = _xlsx_sheet_member(archive, name)
                if member is None:
                    return None
                return check_xlsx_sheet(archive, member, source, self.max_cells)
            except UserError:
                raise
            except Exception as error:  # zip and XML errors of the sender's parts
                raise UserError(
                    f"{source}: the sheet's XML cannot be read ({type(error).__name__}: {error})"
                ) from None

    def rows(self, name: str) -> list[list[Any]]:
        self.check_extent(name, f"{self.path.name} [{name}]")
        try:
            return self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as error:
            raise UserError(f"{self.path.name} [{name}]: cannot read the sheet: {error}") from None

    def table(self, name: str, source: str) -> Table:
        """The data sheet, its error and TRUE/FALSE cells marked as :class:`OddCell`.

        python-calamine reads an error cell as an empty string and offers no way to tell it
        from one, so XLSX and ODS files are searched for error and logical cells directly.
        The search runs in a second thread while calamine parses the sheet (it releases the
        GIL), so on two cores it costs no wall time. Logical cells are also checked against
        calamine's own bools; what cannot be checked is said in the table's warnings."""
        suffix = self.path.suffix.lower()
        extent = self.check_extent(name, source)
        finder = ODD_CELL_FINDERS.get(suffix)
        with ThreadPoolExecutor(max_workers=1) as pool:
            search: Future[OddCells | None] | None = None
            if extent is not None and not extent.markers:
                # The measuring pass saw no t="e" / t="b" in the sheet: nothing to look for.
                search = Future()
                search.set_result(OddCells())
            elif finder is not None:
                search = pool.submit(finder, self.path, name)
            try:
                sheet = self._book.get_sheet_by_name(name)
                if sheet.start is None or sheet.end is None:
                    raise UserError(f"{source}: the sheet is empty")
                logical: list[tuple[int, int, bool]] = []
                rows: Iterable[list[Any]] = sheet.iter_rows()
                if search is None:
                    rows = _watch_logical(rows, logical)
                matrix, values, first_bools = _code_rows(rows, sheet.width)
            except UserError:
                raise
            except Exception as error:
                raise UserError(f"{source}: cannot read the sheet: {error}") from None
            odd: dict[tuple[int, int], OddCell] | None = None
            failure = ""
            if search is not None:
                try:
                    odd = search.result()
                except UserError:
                    raise  # a file the search refuses on purpose (see _ods_locate)
                except Exception as error:  # zip, XML or entity errors of the sheet's XML
                    failure = f"{type(error).__name__}: {error}"
                if odd is None and not failure:
                    failure = "the sheet's XML was not found in the file"
        if not matrix.size:
            raise UserError(f"{source}: the sheet is empty")
        # iter_rows starts at the used area's first column; rows are counted from row 1 in
        # the calamine versions we know, and from the used area's first row otherwise.
        first_row = sheet.end[0] + 2 - matrix.shape[0]
        first_column = sheet.start[1]
        warnings: list[str] = []
        if search is None:
            warnings.append(
                f"{source}: spreadsheet error cells (#DIV/0!, #N/A...) cannot be checked in "
                f"{suffix or 'this'} files and read as blanks; save the file as XLSX or ODS "
                "to have them named"
            )
        elif odd is None:
            warnings.append(
                f"{source}: spreadsheet error cells (#DIV/0!, #N/A...) could not be checked "
                f"({failure}); any there are read as blanks"
            )
        elif isinstance(odd, OddCells) and odd.missed("error"):
            warnings.append(
                f"{source}: the file has spreadsheet error cells (#DIV/0!, #N/A...) whose row "
                "and column could not be told; they are read as blanks"
            )
        rescan = search is not None and (
            odd is None
            or (isinstance(odd, OddCells) and odd.missed("logical"))
            or not _first_bools_found(matrix, first_bools, odd, first_row, first_column)
        )
        if rescan:
            # calamine's own bools are exact: one more pass over its rows, only when the
            # search cannot be trusted for logical cells.
            for _ in _watch_logical(sheet.iter_rows(), logical):
                pass
        marked = dict(odd or {})
        for i, j, v in logical:
            marked[(first_row + i, first_column + j)] = OddCell("logical", "TRUE" if v else "FALSE")
        table = coded_table(source, matrix, values, first_row, first_column, marked)
        table.warnings.extend(warnings)
        return table


def _first_bools_found(
    matrix: np.ndarray,
    first_bools: list[int],
    odd: dict[tuple[int, int], OddCell] | None,
    first_row: int,
    first_column: int,
) -> bool:
    """Whether the first cell of each code first read as a bool is a logical cell the
    search found (a bool that comes after an equal number shares its code unseen; this
    catches the searches that miss every logical cell, at no cost per cell)."""
    for code in first_bools:
        i, j = divmod(int(np.argmax(matrix.ravel() == code)), matrix.shape[1])
        cell = (odd or {}).get((first_row + i, first_column + j))
        if cell is None or cell.kind != "logical":
            return False
    return True


class OddCells(dict[tuple[int, int], OddCell]):
    """(row from 1, column from 0) -> marker, and how the search went: a marker seen in the
    file's bytes that could not be placed must not go unnoticed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = {"error": 0, "logical": 0}  # markers in attribute or text position
        self.unplaced = {"error": 0, "logical": 0}  # on a tag that is not a placeable cell

    def missed(self, kind: str) -> bool:
        if self.unplaced[kind]:
            return True
        return bool(self.seen[kind]) and not any(cell.kind == kind for cell in self.values())


def _watch_logical(
    rows: Iterable[list[Any]], found: list[tuple[int, int, bool]]
) -> Iterator[list[Any]]:
    """The rows unchanged, noting where a bool is (a type test per cell: formats only)."""
    for i, row in enumerate(rows):
        if bool in set(map(type, row)):
            found.extend((i, j, v) for j, v in enumerate(row) if type(v) is bool)
        yield row


# ------------------------------------------------------ error and logical cells in files

_XML_SPACE = b" \t\r\n"
_XLSX_MARKERS = (b't="e"', b't="b"', b"t='e'", b"t='b'")
# Tags may carry any namespace prefix: the OpenXML SDK writes <x:row><x:c t="b">.
_PREFIX = rb"(?:[\w.-]+:)?"
_XLSX_TAG = re.compile(rb"<" + _PREFIX + rb"(c|row)[\s>/]")
_XLSX_CELL_TAG = re.compile(rb"<" + _PREFIX + rb"c[\s>/]")
_XLSX_ROW_TAG = re.compile(rb"<" + _PREFIX + rb"row[\s>/]")
_XLSX_CELL_END = re.compile(rb"</" + _PREFIX + rb"c\s*>")
_XLSX_REF = re.compile(rb"""\sr\s*=\s*["']\$?([A-Z]{1,3})\$?([0-9]+)["']""")
_XLSX_VALUE = re.compile(rb"<" + _PREFIX + rb"v(?:\s[^>]*)?>([^<]*)</" + _PREFIX + rb"v\s*>")
_XLSX_CELL = re.compile(rb"<" + _PREFIX + rb"c(?=[\s>/])[^>]*")
_XLSX_ROW = re.compile(rb"""\sr\s*=\s*["']([0-9]+)["']""")
CHUNK = 1 << 22
_BACK = 1 << 20  # how far back from a chunk's end a row start is looked for
_CELL_SPAN = 1 << 16  # how far after a cell's tag its value is looked for


def xlsx_odd_cells(path: Path, sheet: str) -> OddCells | None:
    """(row from 1, column from 0) -> marker for each error (t="e") and logical (t="b")
    cell of one XLSX sheet, found by a byte search of the sheet's XML read in chunks.

    Each chunk is searched up to its last row start (else its last cell or tag start) and
    the rest carried to the next, so the carry stays bounded and the search linear."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        return None  # calamine read it as another format; the caller falls back
    found = OddCells()
    with archive:
        member = _xlsx_sheet_member(archive, sheet)
        if member is None:
            return None
        with archive.open(member) as stream:
            rest = b""
            while True:
                chunk = stream.read(CHUNK)
                block = rest + chunk
                cut = _xlsx_cut(block) if chunk else len(block)
                # Writers quote attributes with '"'; the "'" forms only where one appears.
                markers = _XLSX_MARKERS if b"'" in block else _XLSX_MARKERS[:2]
                hits: list[int] = []
                for marker in markers:
                    at = block.find(marker, 0, cut)
                    while at >= 0:
                        hits.append(at)
                        at = block.find(marker, at + 1, cut)
                place = _RowPlace()
                for at in sorted(hits):  # in order, so cells without "r" are counted once
                    _xlsx_cell(block, at, found, place)
                if not chunk:
                    return found
                rest = block[cut:]


def _xlsx_cut(block: bytes) -> int:
    """Where the last row starting in the block begins (else its last cell, else its last
    tag; else the block's end): everything before it is whole rows or whole cells."""
    at, floor, cell = len(block), max(0, len(block) - _BACK), 0
    while at > floor:
        at = block.rfind(b"<", floor, at)
        if at <= 0:
            break
        tag = _XLSX_TAG.match(block, at)
        if tag is not None:
            if tag.group(1) == b"row":
                return at
            cell = cell or at
    if cell > 0:
        return cell
    last = block.rfind(b"<")
    return last if last > 0 else len(block)


@dataclass
class _RowPlace:
    """Where counting the cells of a row stopped, for cells without an "r" attribute."""

    row_at: int = -1  # the row's start tag in the block
    number: int = 0  # its row number
    at: int = 0  # counted up to here
    column: int = -1  # the column of the last cell counted


def _xlsx_cell(block: bytes, at: int, found: OddCells, place: _RowPlace) -> None:
    kind = "logical" if block[at + 3] == ord("b") else "error"
    found.seen[kind] += 1
    start = block.rfind(b"<", 0, at)
    if start < 0 or block[at - 1] not in _XML_SPACE or block.find(b">", start, at) >= 0:
        return  # the marker is text inside a cell, not an attribute of a tag
    close = block.find(b">", at)
    if close < 0 or _XLSX_CELL_TAG.match(block, start) is None:
        found.unplaced[kind] += 1  # t="e" on a tag that is not a cell: not silent
        return
    value = None
    if block[close - 1] != ord("/"):
        end = _XLSX_CELL_END.search(block, close, close + _CELL_SPAN)
        value = _XLSX_VALUE.search(block, close, end.start()) if end else None
    text = unescape(value.group(1).decode("utf-8", "replace")).strip() if value else ""
    if kind == "logical":
        cell = OddCell("logical", "FALSE" if text in ("0", "") else "TRUE")
    else:
        cell = OddCell("error", text or "#ERROR")
    ref = _XLSX_REF.search(block, start, close)
    if ref is not None:
        found[(int(ref.group(2)), column_index(ref.group(1).decode()))] = cell
        return
    # No "r" (allowed, rare): the row's own number and the cells before it in the row,
    # counted on from where the previous such cell left off.
    if place.row_at < 0 or place.at > start:
        row_at = _last_row_start(block, start)
    else:
        later = [m.start() for m in _XLSX_ROW_TAG.finditer(block, place.at, start)]
        row_at = later[-1] if later else place.row_at
    if row_at < 0:
        found.unplaced[kind] += 1  # no row start before it in the block: not placeable
        return
    if row_at != place.row_at:
        row_ref = _XLSX_ROW.search(block, row_at, block.find(b">", row_at))
        if row_ref is None:
            found.unplaced[kind] += 1
            return
        place.row_at, place.number, place.at, place.column = (
            row_at,
            int(row_ref.group(1)),
            row_at,
            -1,
        )
    for other in _XLSX_CELL.finditer(block, place.at, close):
        named = _XLSX_REF.search(other.group(0))
        place.column = column_index(named.group(1).decode()) if named else place.column + 1
    place.at = close
    found[(place.number, place.column)] = cell


def _last_row_start(block: bytes, before: int) -> int:
    at = before
    while at > 0:
        at = block.rfind(b"<", 0, at)
        if at >= 0 and _XLSX_ROW_TAG.match(block, at) is not None:
            return at
    return -1


def _xlsx_sheet_member(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member of a sheet, through the package's relationships (defusedxml: the
    parts are the sender's, a DTD or entity in them is refused)."""

    def targets(rels: str) -> dict[str, tuple[str, str]]:
        root = safe_xml.fromstring(archive.read(rels))
        return {
            el.get("Id", ""): (el.get("Type", ""), el.get("Target", ""))
            for el in root
            if el.tag.endswith("Relationship")
        }

    def resolve(base: str, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))

    try:
        book = next(
            (
                resolve("", target)
                for kind, target in targets("_rels/.rels").values()
                if kind.endswith("/officeDocument")
            ),
            "xl/workbook.xml",
        )
        book_rels = targets(
            posixpath.join(posixpath.dirname(book), "_rels", f"{posixpath.basename(book)}.rels")
        )
        for element in safe_xml.fromstring(archive.read(book)).iter():
            if element.tag.endswith("}sheet") and element.get("name") == sheet:
                rid = next((v for k, v in element.attrib.items() if k.endswith("}id")), "")
                member = resolve(book, book_rels.get(rid, ("", ""))[1])
                return member if member in archive.namelist() else None
    except KeyError:
        return None  # a part is missing: the caller says the cells could not be checked
    return None


_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "calcext": "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0",
}
_ODS_MARKERS = (b'value-type="boolean"', b'value-type="error"')
# Repeated cells multiply: a 1.5 KB content.xml can describe 16384 x 300 TRUE cells. A
# survey sheet holds far fewer flagged cells than this; above it the file is refused.
ODS_FLAGGED_LIMIT = 1_000_000
_ODS_COLUMNS, _ODS_ROWS = 16_384, 1_048_576  # the largest sheet LibreOffice and Excel open


def ods_odd_cells(path: Path, sheet: str) -> OddCells | None:
    """The same for an ODS sheet: a byte search says whether the document has any such
    cell at all; only then is content.xml parsed to tell where they are."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        return None
    with archive:
        try:
            stream = archive.open("content.xml")
        except KeyError:
            return None
        with stream:
            rest, any_found = b"", False
            while not any_found and (chunk := stream.read(CHUNK)):
                block = rest + chunk
                any_found = any(marker in block for marker in _ODS_MARKERS)
                rest = block[-64:]
        if not any_found:
            return OddCells()
        with archive.open("content.xml") as stream:
            return _ods_locate(stream, sheet, f"{path.name} [{sheet}]")


def _ods_locate(stream: Any, sheet: str, source: str) -> OddCells:
    table, office, calcext = (f"{{{_ODS[k]}}}" for k in ("table", "office", "calcext"))
    found = OddCells()
    inside, row, column = False, 0, 0
    in_row: list[tuple[int, OddCell]] = []

    def refuse() -> UserError:
        return UserError(
            f"{source}: more than {ODS_FLAGGED_LIMIT:,} TRUE/FALSE or error cells (cells "
            "repeated by table:number-columns-repeated/number-rows-repeated); not a survey "
            "data sheet, not read"
        )

    for event, element in safe_xml.iterparse(stream, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == f"{table}table":
                inside, row = element.get(f"{table}name") == sheet, 0
            elif tag == f"{table}table-row":
                column, in_row = 0, []
            continue
        if tag in (f"{table}table-cell", f"{table}covered-table-cell"):
            if not inside:
                element.clear()
                continue
            repeat = int(element.get(f"{table}number-columns-repeated", "1"))
            cell = None
            if element.get(f"{office}value-type") == "boolean":
                truth = element.get(f"{office}boolean-value", "").lower() == "true"
                cell = OddCell("logical", "TRUE" if truth else "FALSE")
            elif element.get(f"{calcext}value-type") == "error":
                cell = OddCell("error", "".join(element.itertext()).strip() or "#ERROR")
            if cell is not None:
                count = max(0, min(repeat, _ODS_COLUMNS - column))
                if len(found) + len(in_row) + count > ODS_FLAGGED_LIMIT:
                    raise refuse()
                in_row.extend((column + k, cell) for k in range(count))
            column += repeat
            element.clear()
        elif tag == f"{table}table-row":
            repeat = int(element.get(f"{table}number-rows-repeated", "1"))
            if inside and in_row:
                repeat_in_sheet = max(0, min(repeat, _ODS_ROWS - row))
                if len(found) + repeat_in_sheet * len(in_row) > ODS_FLAGGED_LIMIT:
                    raise refuse()
                for k in range(repeat_in_sheet):
                    found.update(((row + k + 1, j), cell) for j, cell in in_row)
            row += repeat
            element.clear()
    return found


ODD_CELL_FINDERS: dict[str, Callable[[Path, str], OddCells | None]] = {
    ".xlsx": xlsx_odd_cells,
    ".xlsm": xlsx_odd_cells,
    ".ods": ods_odd_cells,
}


def read_workbook(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet as rows from cell A1 (for codebook files, which are small)."""
    workbook = Workbook(path)
    return {name: workbook.rows(name) for name in workbook.names}


def data_sheet_order(names: list[str]) -> list[str]:
    """Sheets called "Dane"/"Data" first, then the rest in workbook order."""
    named = [n for n in names if n.strip().lower() in DATA_SHEET_NAMES]
    return named + [n for n in names if n not in named]


# -------------------------------------------------------------------------- SPSS


def read_sav(path: Path) -> Table:
    """An SPSS file through pyreadstat's plain output (``output_format="dict"``: a list or
    array per variable), so that reading needs neither pandas nor polars."""
    data, meta = read_sav_isolated(path)
    from mailflow.results.scales import value_key

    names = list(data)
    rows = len(data[names[0]]) if names else 0
    if not names or rows == 0:
        raise UserError(f"{path.name}: the file is empty")
    # SPSS system-missing arrives as NaN; None keeps one blank marker for every format.
    columns = [[None if v != v else v for v in _plain(data[name])] for name in names]
    value_labels = {
        name: {value_key(code): str(label) for code, label in labels.items()}
        for name, labels in (meta["variable_value_labels"] or {}).items()
    }
    missing: dict[str, set[str]] = {}
    for name, ranges in (meta["missing_ranges"] or {}).items():
        for bounds in ranges:
            if not isinstance(bounds, dict):
                continue
            low, high = bounds["lo"], bounds["hi"]
            if low == high:
                missing.setdefault(name, set()).add(value_key(low))
            else:
                for code in value_labels.get(name, {}):
                    number = float(code) if code.lstrip("-").replace(".", "", 1).isdigit() else None
                    if number is not None and float(low) <= number <= float(high):
                        missing.setdefault(name, set()).add(code)
    variable_labels = {
        name: label for name, label in (meta["column_names_to_labels"] or {}).items() if label
    }
    return Table(
        source=path.name,
        headers=names,
        columns=columns,
        row_numbers=list(range(1, rows + 1)),
        column_refs=names,
        value_labels=value_labels,
        variable_labels=variable_labels,
        missing_values=missing,
    )


SAV_SECONDS = 120  # wall-clock limit of the SPSS reader's process
SAV_MEMORY = 4 << 30  # its address-space limit


def _read_sav_here(path: Path) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    import pyreadstat

    try:
        data, meta = pyreadstat.read_sav(str(path), user_missing=True, output_format="dict")
    except Exception as error:  # pyreadstat raises its own ReadstatError / PyreadstatError
        raise UserError(f"{path.name}: not a readable SPSS file: {error}") from None
    fields = ("variable_value_labels", "missing_ranges", "column_names_to_labels")
    return {k: _plain(v) for k, v in data.items()}, {k: getattr(meta, k) for k in fields}


def read_sav_isolated(path: Path) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """pyreadstat in a forked child with a time and memory limit: the C library (readstat)
    crashes the process on some damaged files (a fuzzed .sav gave SIGSEGV), and a crash
    must be a refusal, not the end of the daemon. Without fork, read here."""
    import os
    import pickle
    import signal

    if not hasattr(os, "fork"):
        return _read_sav_here(path)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read, send, and leave without running the parent's cleanup
        code = 0
        try:
            os.close(read_end)
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (SAV_MEMORY, SAV_MEMORY))
            signal.alarm(SAV_SECONDS)
            try:
                result: Any = ("ok", _read_sav_here(path))
            except UserError as error:
                result = ("refused", str(error))
            except MemoryError:
                result = ("refused", f"{path.name}: the SPSS file needs more memory than allowed")
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            code = 1
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as stream:
        payload = stream.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not payload:
        how = (
            f"signal {signal.Signals(os.WTERMSIG(status)).name}"
            if os.WIFSIGNALED(status)
            else f"exit status {os.WEXITSTATUS(status)}"
        )
        raise UserError(
            f"{path.name}: not a readable SPSS file: the SPSS reader stopped with {how} "
            "(a damaged or hostile file)"
        )
    kind, value = pickle.loads(payload)  # our own child's bytes
    if kind == "refused":
        raise UserError(value)
    data, meta = value
    return data, meta


def _plain(values: Any) -> list[Any]:
    """A variable's values as Python objects, whether pyreadstat gave a list or an array."""
    return values.tolist() if isinstance(values, np.ndarray) else list(values)
