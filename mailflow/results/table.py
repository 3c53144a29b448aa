"""Reading a survey data file into one plain table: CSV, XLSX/XLS/ODS and SPSS .sav.

A :class:`Table` is column-major (one tuple per column) because every later step works a
column at a time; cells keep the reader's own values ("" or None or NaN for empty) so that no
per-cell conversion is paid here. Row numbers are those a person sees in the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import Any

from mailflow.errors import UserError

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
DATA_SHEET_NAMES = ("dane", "data", "wyniki", "baza", "results")


@dataclass
class Table:
    """One sheet of answers: ``columns[j][i]`` is respondent i's cell in column j."""

    source: str  # file name (and sheet) for messages
    headers: list[str]
    columns: list[list[Any]]
    row_numbers: list[int]  # file row of each respondent
    column_refs: list[str]  # "G" in a spreadsheet or CSV, the variable name in SPSS
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # SPSS: key -> label
    variable_labels: dict[str, str] = field(default_factory=dict)
    missing_values: dict[str, set[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def respondents(self) -> int:
        return len(self.row_numbers)

    def where(self, row_index: int, column: int) -> str:
        """'row 17, column G ("P3. Czas oczekiwania")' for a message."""
        ref = self.column_refs[column]
        header = self.headers[column]
        column_text = f"column {ref}" if ref == header else f'column {ref} ("{header}")'
        return f"row {self.row_numbers[row_index]}, {column_text}"


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def table_from_rows(
    source: str, rows: list[list[Any]], first_row_number: int = 1, first_column: int = 0
) -> Table:
    """Header row first; empty rows are dropped (they are not respondents)."""
    # any() is a fast C pass; only rows it calls empty are checked cell by cell (0 is a value).
    flags = list(map(any, rows))
    for i in (i for i, flag in enumerate(flags) if not flag):
        flags[i] = _non_empty(rows[i])
    kept = list(compress(range(len(rows)), flags))
    if not kept:
        raise UserError(f"{source}: the file is empty")
    body = list(compress(rows, flags))
    header_at = header_position(body[:20])
    skipped = kept[:header_at]
    body, kept = body[header_at:], kept[header_at:]
    widths = set(map(len, body))
    width = max(widths)
    if len(widths) > 1:
        body = [list(row) + [""] * (width - len(row)) for row in body]
    columns = [list(column) for column in zip(*body, strict=True)]
    numbers = [i + first_row_number for i in kept]
    table = table_from_columns(source, columns, numbers, first_column)
    if skipped:
        titles = ", ".join(str(i + first_row_number) for i in skipped)
        table.notes.append(f"row(s) {titles} above the header row taken as a title and skipped")
    return table


def header_position(rows: list[list[Any]]) -> int:
    """Title lines above the header have one or two cells; the header is the first row
    filled at least half as wide as the widest of the first rows."""
    counts = [sum(not _blank(v) for v in row) for row in rows]
    if not counts:
        return 0
    needed = max(3, (max(counts) + 1) // 2)
    return next((k for k, count in enumerate(counts) if count >= needed), 0)


def table_from_columns(
    source: str, columns: list[list[Any]], row_numbers: list[int], first_column: int = 0
) -> Table:
    """``columns`` hold the header row first, then one cell per respondent."""
    width = len(columns)
    while width and _blank(columns[width - 1][0]) and not _non_empty(columns[width - 1]):
        width -= 1  # trailing columns without header and values are the sheet's empty area
    headers = [_header_text(columns[j][0]) for j in range(width)]
    for j, header in enumerate(headers):
        if not header:
            raise UserError(
                f"{source}: column {column_letter(j + first_column)} has values but no header "
                f"(row {row_numbers[0]})"
            )
    if len(row_numbers) < 2:
        raise UserError(f"{source}: the file has a header row but no respondents")
    body = [columns[j][1:] for j in range(width)]
    refs = [column_letter(j + first_column) for j in range(width)]
    return Table(source, headers, body, row_numbers[1:], refs)


def _header_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()) if value is not None else ""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value != value


def _non_empty(row: Any) -> bool:
    return any(not _blank(v) for v in row)


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


def detect_delimiter(text: str) -> str:
    """`,` `;` or tab: the one that splits the first lines into equal, widest rows."""
    sample = text.splitlines()[:50]
    best, best_width = ",", 1
    for delimiter in (";", "\t", ","):
        widths = {len(row) for row in csv.reader(sample, delimiter=delimiter) if row}
        if len(widths) == 1:
            width = widths.pop()
            if width > best_width:
                best, best_width = delimiter, width
    return best


def read_csv(path: Path) -> Table:
    text = decode_text(path.read_bytes(), path.name)
    delimiter = detect_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UserError(f"{path.name}: not a readable CSV file: {error}") from None
    return table_from_rows(path.name, rows)


# --------------------------------------------------------------------- spreadsheets


class Workbook:
    """A spreadsheet's sheets (python-calamine), each read only when asked for."""

    def __init__(self, path: Path) -> None:
        from python_calamine import CalamineWorkbook

        self.path = path
        try:
            self._book = CalamineWorkbook.from_path(str(path))
            self.names: list[str] = list(self._book.sheet_names)
        except Exception as error:  # calamine raises its own zip/xml/format error types
            raise UserError(f"{path.name}: not a readable spreadsheet: {error}") from None

    def rows(self, name: str) -> list[list[Any]]:
        try:
            return self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as error:
            raise UserError(f"{self.path.name} [{name}]: cannot read the sheet: {error}") from None

    def table(self, name: str, source: str) -> Table:
        """The data sheet, each distinct value kept once.

        calamine makes a new Python object for every cell; 3 million of them cost hundreds of
        megabytes and make every later set/dict pass hash each one again. Mapping each row
        through one dict as it arrives keeps a single object per distinct value (equal values
        such as 1 and 1.0 become one object; they code the same)."""
        try:
            sheet = self._book.get_sheet_by_name(name)
            distinct: dict[Any, Any] = {}
            keep = distinct.setdefault
            rows = [list(map(keep, row, row)) for row in sheet.iter_rows()]
        except Exception as error:
            raise UserError(f"{source}: cannot read the sheet: {error}") from None
        if sheet.start is None or sheet.end is None or not rows:
            raise UserError(f"{source}: the sheet is empty")
        # iter_rows starts at the used area's first column; rows are counted from row 1 in
        # the calamine versions we know, and from the used area's first row otherwise.
        first_row = sheet.end[0] + 2 - len(rows)
        return table_from_rows(source, rows, first_row, sheet.start[1])


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
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as error:  # pyreadstat raises its own ReadstatError / PyreadstatError
        raise UserError(f"{path.name}: not a readable SPSS file: {error}") from None
    from mailflow.results.scales import value_key

    names = list(frame.columns)
    if not names or len(frame) == 0:
        raise UserError(f"{path.name}: the file is empty")
    # SPSS system-missing arrives as NaN; None keeps one blank marker for every format.
    columns = [[None if v != v else v for v in frame[name].tolist()] for name in names]
    value_labels = {
        name: {value_key(code): str(label) for code, label in labels.items()}
        for name, labels in (meta.variable_value_labels or {}).items()
    }
    missing: dict[str, set[str]] = {}
    for name, ranges in (meta.missing_ranges or {}).items():
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
        name: label for name, label in (meta.column_names_to_labels or {}).items() if label
    }
    return Table(
        source=path.name,
        headers=names,
        columns=columns,
        row_numbers=list(range(1, len(frame) + 1)),
        column_refs=names,
        value_labels=value_labels,
        variable_labels=variable_labels,
        missing_values=missing,
    )
