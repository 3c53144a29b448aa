"""What a sheet may ask of the reader before calamine sees it (issue 14).

python-calamine builds a dense grid from the top-left to the bottom-right cell of a sheet:
one stray cell at XFD1048576 in a 2.7 KB file asks for 17 billion cells (512 GiB) and the
process aborts. A worksheet's XML says where its cells are, so the cells' extent is found by
a byte search of that XML (in chunks, inside the zip limits) and a sheet larger than
:data:`MAX_SHEET_CELLS` is refused with the cell that makes it so large.

The search costs a few linear byte scans per chunk in the common case: the largest column
and row seen so far are known, and only a reference beyond them is looked for (a regular
expression built for "greater than"); writers that leave out the ``r`` attributes, quote
them with ``'`` or use a namespace prefix are counted cell by cell instead.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from mailflow.errors import UserError

# 100 000 respondents x 100 columns; calamine keeps ~32 bytes a cell, so ~320 MB at most.
MAX_SHEET_CELLS = 10_000_000
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
CHUNK = 1 << 22
# A sheet's XML can be at most this large uncompressed (a 100 000 x 100 sheet is ~400 MB).
MAX_SHEET_XML = 1 << 30
_BUMPS = 256  # beyond this many new maxima in one chunk, count cell by cell
_BEFORE_DIGIT = rb"(?=\$?[0-9])"

_DIMENSION = re.compile(
    rb"<(?:[\w.-]+:)?dimension\s+ref\s*=\s*[\"']\$?([A-Z]{1,4})\$?([0-9]{1,9})"
    rb"(?::\$?([A-Z]{1,4})\$?([0-9]{1,9}))?[\"']"
)
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s>/])([^>]*)>")
_REF_ATTR = re.compile(rb"""\sr\s*=\s*["']\$?([A-Z]{0,4})\$?([0-9]{0,9})["']""")
# The same markers table.xlsx_odd_cells looks for; seen here, that search is needed.
_MARKERS = (b't="e"', b't="b"', b"t='e'", b"t='b'")
_DIGITS = re.compile(rb"[0-9]{1,12}")
_LAST_ROW = re.compile(rb'<row r="([0-9]{1,9})"')
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,4})([0-9]{1,12})"')
_ROOT = re.compile(rb"<([\w.-]+:)?worksheet[\s>]")


def column_number(letters: str) -> int:
    """1 for "A", 16384 for "XFD"."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Extent:
    """The largest row and column (both from 1) any cell of a sheet is at."""

    rows: int = 0
    columns: int = 0
    markers: bool = False  # an error (t="e") or logical (t="b") cell marker was seen
    row_ref: str = ""  # what set the largest row: "cell XFD1048576" or "row 1048576"
    column_ref: str = ""  # "cell XFD1048576"

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def _greater_number(value: int) -> bytes:
    """A pattern that matches where a decimal number greater than ``value`` starts (or any
    number with a leading zero): a trie over ``value``'s digits, so that a smaller number
    fails at its first differing digit."""
    digits = str(value)

    def trie(k: int) -> bytes:
        if k == len(digits):
            return b"[0-9]"  # one digit more than ``value``: greater
        digit, rest = int(digits[k]), len(digits) - k - 1
        deeper = digits[k].encode() + trie(k + 1)
        if digit == 9:
            return deeper
        above = b"[%d-9][0-9]{%d}" % (digit + 1, rest)
        return b"(?:" + above + b"|" + deeper + b")"

    return b"(?:0|" + trie(0) + b"|[1-9][0-9]{%d})" % len(digits)


def _greater_letters(value: int) -> bytes:
    """A pattern for column letters after column ``value`` (1 = "A")."""
    letters = column_letters(value) if value else ""
    options = [rb"[A-Z]{%d,}" % (len(letters) + 1)]
    for k, letter in enumerate(letters):
        if letter != "Z":
            rest = len(letters) - k - 1
            options.append(
                letters[:k].encode() + b"[" + chr(ord(letter) + 1).encode() + b"-Z][A-Z]{%d}" % rest
            )
    return b"(?:" + b"|".join(options) + b")" + _BEFORE_DIGIT


class _Search:
    def __init__(self, source: str, limit: int) -> None:
        self.source, self.limit = source, limit
        self.extent = Extent()
        self._row_re: re.Pattern[bytes] | None = None
        self._cell_re: re.Pattern[bytes] | None = None
        self._row = 0  # the slow count's position: last row and column met
        self._column = 0
        self.prefixed = False  # the worksheet's tags carry a namespace prefix

    def _check(self) -> None:
        e = self.extent
        if e.rows > EXCEL_ROWS or e.columns > EXCEL_COLUMNS:
            ref = e.row_ref if e.rows > EXCEL_ROWS else e.column_ref
            raise UserError(
                f"{self.source}: {ref} lies outside any spreadsheet (at most "
                f"{EXCEL_ROWS:,} rows and {EXCEL_COLUMNS:,} columns, XFD); not read"
            )
        if e.cells > self.limit:
            far = e.row_ref if e.row_ref == e.column_ref else f"{e.row_ref}, {e.column_ref}"
            raise UserError(
                f"{self.source}: the sheet's cells reach row {e.rows:,} and column "
                f"{column_letters(e.columns)} ({far}): {e.cells:,} cells, more than the "
                f"{self.limit:,} a survey data sheet may have; delete what lies outside the "
                "data and send the file again"
            )

    def row(self, number: int, ref: str) -> None:
        if number > self.extent.rows:
            self.extent.rows, self.extent.row_ref = number, ref
            self._cell_re = None
            self._check()

    def column(self, number: int, ref: str) -> None:
        if number > self.extent.columns:
            self.extent.columns, self.extent.column_ref = number, ref
            self._cell_re = None
            self._check()

    def block(self, block: bytes) -> None:
        if not self._fast(block):
            self._count(block)

    def _fast(self, block: bytes) -> bool:
        """One search for a cell whose reference lies beyond the largest row or column seen
        (or that has none); each one found raises the extent and the search goes on from
        there. False when the block needs the cell-by-cell count (references missing, out
        of order, quoted with ', or prefixed tags)."""
        if self.prefixed:
            return False  # <x:c> tags: counted one by one
        last = block.rfind(b'<row r="')
        if last >= 0 and (found := _LAST_ROW.match(block, last)) is not None:
            self.row(int(found.group(1)), f"row {int(found.group(1))}")
        at = 0
        for _ in range(_BUMPS):
            if self._cell_re is None:
                rows, columns = self.extent.rows, self.extent.columns
                letters = _greater_letters(columns)[: -len(_BEFORE_DIGIT)]
                number = _greater_number(rows)
                known = rb'r="(?!' + letters + rb")[A-Z]{1,3}+(?!" + number + rb')[0-9]{1,7}+"'
                self._cell_re = re.compile(rb"<c(?:[>/\t\n\r]| (?!" + known + rb"))")
                # a row tag without r first, or beyond the largest row (rows out of order)
                self._row_re = re.compile(rb'<row(?:[>/\t\n\r]| (?!r="(?!' + number + rb")))")
            hit = self._cell_re.search(block, at)
            if hit is None:
                break
            ref = _CELL_REF.match(block, hit.start())
            if ref is None:
                return False  # a cell without r, or r not first: counted one by one
            letters_found, digits = ref.group(1).decode(), ref.group(2).decode()
            column, row = column_number(letters_found), int(digits)
            if column <= self.extent.columns and row <= self.extent.rows:
                return False  # a leading zero or another odd form
            where = f"cell {letters_found}{row}"
            self.column(column, where)
            self.row(row, where)
            at = hit.start()
        else:
            return False
        assert self._row_re is not None
        # a row without r, or rows out of order: counted one by one
        return self._row_re.search(block) is None

    def _count(self, block: bytes) -> None:
        """Cell by cell, as calamine places them: a row or cell without ``r`` comes right
        after the one before it."""
        for tag in _TAG.finditer(block):
            attrs = tag.group(2)
            ref = _REF_ATTR.search(b" " + attrs)
            letters = ref.group(1).decode() if ref else ""
            digits = ref.group(2).decode() if ref else ""
            if tag.group(1) == b"row":
                self._row = int(digits) if digits else self._row + 1
                self._column = 0
                if not attrs.rstrip().endswith(b"/"):
                    self.row(self._row, f"row {self._row}")
                continue
            self._column = column_number(letters) if letters else self._column + 1
            row = int(digits) if digits else self._row
            ref_text = f"cell {column_letters(self._column)}{row}"
            self.row(row, ref_text)
            self.column(self._column, ref_text)


def check_xlsx_sheet(
    archive: zipfile.ZipFile, member: str, source: str, limit: int = MAX_SHEET_CELLS
) -> Extent:
    """The extent of one worksheet part; :class:`UserError` when it is larger than ``limit``
    cells (its ``<dimension>`` or its cells) or its XML larger than :data:`MAX_SHEET_XML`."""
    info = archive.getinfo(member)
    if info.file_size > MAX_SHEET_XML:
        raise UserError(
            f"{source}: the sheet's XML is {info.file_size:,} bytes uncompressed, more than "
            f"the {MAX_SHEET_XML:,} a survey data sheet may have; not read"
        )
    search = _Search(source, limit)
    with archive.open(member) as stream:
        rest, first, read = b"", True, 0
        while True:
            chunk = stream.read(CHUNK)
            read += len(chunk)
            if read > MAX_SHEET_XML:  # the zip's stated size was false
                raise UserError(
                    f"{source}: the sheet's XML is larger than {MAX_SHEET_XML:,} bytes; not read"
                )
            block = rest + chunk
            cut = block.rfind(b">") + 1 if chunk else len(block)
            if first:
                _check_dimension(block, source, limit)
                root = _ROOT.search(block, 0, 1 << 16)
                search.prefixed = root is None or root.group(1) is not None
                first = False
            whole = block[:cut]
            if not search.extent.markers:
                quoted = _MARKERS if b"'" in whole else _MARKERS[:2]
                search.extent.markers = any(marker in whole for marker in quoted)
            search.block(whole)
            if not chunk:
                return search.extent
            rest = block[cut:]
            if len(rest) > CHUNK:  # a tag megabytes long is no worksheet
                raise UserError(f"{source}: the sheet's XML has a tag longer than {CHUNK:,} bytes")


def _check_dimension(block: bytes, source: str, limit: int) -> None:
    found = _DIMENSION.search(block, 0, 1 << 16)
    if found is None:
        return
    first_column, first_row = column_number(found.group(1).decode()), int(found.group(2))
    if found.group(3):
        last_column, last_row = column_number(found.group(3).decode()), int(found.group(4))
    else:
        last_column, last_row = first_column, first_row
    cells = (abs(last_row - first_row) + 1) * (abs(last_column - first_column) + 1)
    if last_row > EXCEL_ROWS or last_column > EXCEL_COLUMNS or cells > limit:
        ref = found.group(0).decode(errors="replace")
        stated = ref[ref.find("ref") :].split("=", 1)[1].strip("'\" ")
        raise UserError(
            f"{source}: the sheet's dimension {stated} declares {cells:,} cells, more than the "
            f"{limit:,} a survey data sheet may have; delete what lies outside the data and "
            "send the file again"
        )


def check_workbook_sheet(path: Path, member: str | None, source: str, limit: int) -> None:
    """:func:`check_xlsx_sheet` for a file on disk (nothing to check when not a zip)."""
    if member is None:
        return
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        return
    with archive:
        try:
            check_xlsx_sheet(archive, member, source, limit)
        except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as error:
            raise UserError(f"{source}: the sheet's XML cannot be read: {error}") from None
