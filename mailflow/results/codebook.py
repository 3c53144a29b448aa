"""Codebooks: which columns are questions, what their codes mean, where weight and segments are.

Three sources, one :class:`Codebook`: the long table survey firms deliver (CSV, XLSX, or a
sheet inside the data file; one row per value, the variable on its first row), SPSS value
labels, and our own TOML file. A column the codebook does not describe is found by content.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from mailflow.errors import UserError
from mailflow.results import table as tables
from mailflow.results.scales import (
    DONT_KNOW,
    FAMILY_BY_NAME,
    MISSING_CODE,
    Scale,
    ScaleProblem,
    normalize_label,
    scale_from_value_labels,
    value_key,
)
from mailflow.results.table import Table

HEADER_WORDS = {
    "variable": ("zmienna", "variable", "nazwa zmiennej", "variable name", "kolumna", "column"),
    "variable_label": ("etykieta zmiennej", "variable label", "pytanie", "question"),
    "value": ("wartosc", "value", "kod", "code"),
    "value_label": ("etykieta wartosci", "value label", "etykieta", "label"),
    "missing": ("brak danych", "missing", "brak", "missing value"),
    "value_labels": (
        "etykiety wartosci",
        "value labels",
        "wartosci",
        "kody",
        "codes",
        "kafeteria",
        "odpowiedzi",
    ),
}
TRUE_WORDS = {"1", "x", "tak", "t", "yes", "y", "true", "prawda", "brak", "brak danych", "missing"}


@dataclass
class VariableEntry:
    """One variable of a long-format codebook."""

    name: str
    label: str | None = None
    value_labels: dict[str, str] = field(default_factory=dict)  # key -> label
    missing: set[str] = field(default_factory=set)


@dataclass
class QuestionSpec:
    """A question the codebook names; ``scale`` None means: find the codes by content."""

    column: str
    id: str | None = None
    label: str | None = None
    scale: Scale | ScaleProblem | None = None


@dataclass
class Codebook:
    source: str
    questions: list[QuestionSpec] = field(default_factory=list)
    other_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # segments' codes
    variable_labels: dict[str, str] = field(default_factory=dict)
    weight: str | None = None
    respondent_id: str | None = None
    segments: list[str] | None = None
    sheet: str | None = None
    only_listed_questions: bool = False

    def question(self, column: str) -> QuestionSpec | None:
        return next((q for q in self.questions if q.column == column), None)


# ------------------------------------------------------------------ long table


def find_codebook_header(row: list[Any]) -> dict[str, int] | None:
    """Column positions when ``row`` is a codebook header (variable and value at least)."""
    found: dict[str, int] = {}
    for j, cell in enumerate(row):
        text = normalize_label(str(cell)) if cell is not None else ""
        for role, words in HEADER_WORDS.items():
            if role not in found and text in words:
                found[role] = j
                break
    if "variable" not in found:
        return None
    codes = [j for j, cell in enumerate(row) if j not in found.values() and _is_code(cell)]
    if "value" in found or "value_labels" in found:
        return found
    if len(codes) >= 2:  # wide, one column per code: "zmienna | etykieta | 1 | 2 | 3 ..."
        found["code_columns"] = -1
        return found
    return None


def _is_code(cell: Any) -> bool:
    return cell is not None and re.fullmatch(r"-?\d+", _text(cell)) is not None


_PAIR = re.compile(r"""^\s*(-?\d+(?:[.,]\d+)?)\s*(?:=|:|–|-|\.|\))?\s*["'„]?(.*?)["'”]?\s*$""")


def wide_value_labels(source: str, text: str, where: str) -> dict[str, str]:
    """ "1 = bardzo źle; 2 = źle" (or one pair a line, or SPSS's 1 "bardzo źle") as code ->
    label; a part that is no pair is refused with its place."""
    labels: dict[str, str] = {}
    for part in re.split(r"[;\n]+", text):
        if not part.strip():
            continue
        found = _PAIR.match(part)
        if found is None or not found.group(2).strip():
            raise UserError(
                f"{source}: {where}: {part.strip()!r} is not a value label "
                '(expected "code = label", e.g. "1 = bardzo źle")'
            )
        labels[value_key(found.group(1))] = " ".join(found.group(2).split())
    return labels


def codebook_from_rows(source: str, rows: list[list[Any]]) -> Codebook | None:
    """A codebook from table rows (long or wide layout), or None when the rows are not one.

    Long: the variable's name and label on its first row, then one row per value with the
    name left empty. Wide: one row per variable, its value labels in one cell ("1 = ...;
    2 = ...") or in one column per code."""
    header_at = next((i for i, row in enumerate(rows[:10]) if find_codebook_header(row)), None)
    if header_at is None:
        return None
    positions = find_codebook_header(rows[header_at]) or {}
    if "value" not in positions:
        return _wide_codebook(source, rows, header_at, positions)
    entries: list[VariableEntry] = []

    def cell(row: list[Any], role: str) -> Any:
        j = positions.get(role)
        return row[j] if j is not None and j < len(row) else None

    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        name = _text(cell(row, "variable"))
        if name:
            entries.append(VariableEntry(name, _text(cell(row, "variable_label")) or None))
        value = cell(row, "value")
        if value_key(value) == "":
            continue
        if not entries:
            raise UserError(f"{source}: row {number} has a value but no variable above it")
        entry = entries[-1]
        code = value_key(value)
        entry.value_labels[code] = _text(cell(row, "value_label")) or code
        if normalize_label(_text(cell(row, "missing"))) in TRUE_WORDS:
            entry.missing.add(code)
    if not entries:
        raise UserError(f"{source}: the codebook lists no variables")
    return codebook_from_entries(source, entries)


def _wide_codebook(
    source: str, rows: list[list[Any]], header_at: int, positions: dict[str, int]
) -> Codebook:
    header = rows[header_at]
    code_columns = {
        j: value_key(cell)
        for j, cell in enumerate(header)
        if j not in positions.values() and _is_code(cell)
    }
    entries: list[VariableEntry] = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):

        def cell(j: int | None, row: list[Any] = row) -> str:
            return _text(row[j]) if j is not None and j < len(row) else ""

        name = cell(positions["variable"])
        if not name:
            if any(_text(v) for v in row):
                raise UserError(
                    f"{source}: row {number} has values but no variable name in column "
                    f"{tables.column_letter(positions['variable'])}"
                )
            continue
        entry = VariableEntry(name, cell(positions.get("variable_label")) or None)
        at = positions.get("value_labels")
        if at is not None and cell(at):
            where = f"row {number}, column {tables.column_letter(at)}"
            entry.value_labels = wide_value_labels(source, cell(at), where)
        for j, code in code_columns.items():
            if cell(j):
                entry.value_labels[code] = cell(j)
        entries.append(entry)
    if not entries:
        raise UserError(f"{source}: the codebook lists no variables")
    return codebook_from_entries(source, entries)


def codebook_from_entries(source: str, entries: list[VariableEntry]) -> Codebook:
    """Variables whose value labels form a scale are questions; others keep their labels."""
    book = Codebook(source)
    for entry in entries:
        if entry.label:
            book.variable_labels[entry.name] = entry.label
        if not entry.value_labels:
            continue
        scale = scale_from_value_labels(entry.value_labels, entry.missing)
        if isinstance(scale, Scale) or looks_like_question(entry.name):
            book.questions.append(QuestionSpec(entry.name, label=entry.label, scale=scale))
        else:
            book.other_labels[entry.name] = entry.value_labels
    return book


def looks_like_question(name: str) -> bool:
    """P1, Q12, pyt3, "P4. Czas ..." : a name that says it is a question."""
    return re.match(r"^\s*(p|q|pyt|pytanie|question)\s*\d+", name, re.IGNORECASE) is not None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


# ------------------------------------------------------------------------ TOML


def codebook_from_toml(source: str, text: str) -> Codebook:
    """Our own codebook::

    sheet = "Dane"                 # optional
    id = "Nr ankiety"              # respondent id column (optional)
    weight = "Waga"                # optional
    segments = ["Komórka organizacyjna", "Kanał"]

    [[question]]
    column = "P3"
    id = "Q3"                      # optional
    label = "Czas oczekiwania"     # optional
    scale = "duration"             # a known label family, or codes:
    codes = { "1" = 5, "2" = 4, "3" = 3, "4" = 2, "5" = 1, "9" = "missing" }
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{source}: not valid TOML: {error}") from None
    book = Codebook(source)
    book.sheet = _optional_str(data, "sheet", source)
    book.respondent_id = _optional_str(data, "id", source)
    book.weight = _optional_str(data, "weight", source)
    segments = data.get("segments")
    if segments is not None:
        if not isinstance(segments, list) or not all(isinstance(s, str) for s in segments):
            raise UserError(f"{source}: segments must be a list of column names")
        book.segments = segments
    questions = data.get("question", [])
    if not isinstance(questions, list):
        raise UserError(f"{source}: [[question]] must be an array of tables")
    for number, item in enumerate(questions, start=1):
        book.questions.append(_toml_question(source, number, item))
    book.only_listed_questions = bool(book.questions)
    return book


def _toml_question(source: str, number: int, item: Any) -> QuestionSpec:
    where = f"{source}: question #{number}"
    if not isinstance(item, dict) or not isinstance(item.get("column"), str):
        raise UserError(f'{where}: needs column = "..."')
    spec = QuestionSpec(item["column"], id=item.get("id"), label=item.get("label"))
    reverse = item.get("reversed")
    if "codes" in item:
        codes: dict[str, int] = {}
        for raw, score in dict(item["codes"]).items():
            key = value_key(raw)
            if score == "missing":
                codes[key] = MISSING_CODE
            elif score == "dont_know":
                codes[key] = DONT_KNOW
            elif isinstance(score, int) and 1 <= score <= 5:
                codes[key] = score
            else:
                raise UserError(
                    f'{where}: code {raw!r} must map to 1-5, "missing" or '
                    f'"dont_know", not {score!r}'
                )
        spec.scale = Scale(
            codes, "codebook", _runs_backwards(codes) if reverse is None else bool(reverse)
        )
    elif "scale" in item:
        family = FAMILY_BY_NAME.get(str(item["scale"]))
        if family is None:
            raise UserError(
                f"{where}: unknown scale {item['scale']!r} (known: {', '.join(FAMILY_BY_NAME)})"
            )
        spec.scale = Scale(dict(family.labels), family.name, family.best_first)
    return spec


def _runs_backwards(codes: dict[str, int]) -> bool:
    """True when numeric codes in ascending order get descending scores (1 = best)."""
    numeric = sorted(
        (float(key), score)
        for key, score in codes.items()
        if score > 0 and key.replace(".", "", 1).lstrip("-").isdigit()
    )
    scores = [score for _, score in numeric]
    return len(scores) > 1 and all(a > b for a, b in pairwise(scores))


def _optional_str(data: dict[str, Any], key: str, source: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise UserError(f"{source}: {key} must be a text (a column name)")
    return value


# ------------------------------------------------------------------------ files


def load_codebook(path: str | Path) -> Codebook:
    """``--codebook FILE``: TOML, or a long-format table in CSV or a spreadsheet."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"codebook not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return codebook_from_toml(path.name, path.read_text(encoding="utf-8-sig"))
    if suffix == ".sps":
        from mailflow.results.spss import codebook_entries, load_syntax

        syntax = load_syntax(path)
        entries = [VariableEntry(*entry) for entry in codebook_entries(syntax)]
        if not entries:
            raise UserError(f"{path.name}: the SPSS syntax has no VALUE LABELS")
        syntax_book = codebook_from_entries(path.name, entries)
        syntax_book.variable_labels.update(syntax.variable_labels)
        syntax_book.weight = syntax.weight
        return syntax_book
    if suffix in tables.SPREADSHEET_SUFFIXES:
        for name, rows in tables.read_workbook(path).items():
            book = codebook_from_rows(f"{path.name} [{name}]", rows)
            if book is not None:
                return book
        raise UserError(f"{path.name}: no sheet has a codebook header (zmienna, wartość, ...)")
    if suffix in tables.CSV_SUFFIXES:
        text = tables.decode_text(path.read_bytes(), path.name)
        rows = tables.read_csv_rows(text, tables.detect_delimiter(text), path.name)
        book = codebook_from_rows(path.name, rows)
        if book is None:
            raise UserError(f"{path.name}: no codebook header (zmienna, wartość, ...) found")
        return book
    raise UserError(f"{path.name}: unknown codebook format (use .toml, .csv, .xlsx or .sps)")


def codebook_from_spss(table: Table) -> Codebook | None:
    """SPSS value labels as a codebook."""
    if not table.value_labels:
        return None
    entries = [
        VariableEntry(
            name,
            table.variable_labels.get(name),
            labels,
            table.missing_values.get(name, set()),
        )
        for name, labels in table.value_labels.items()
    ]
    book = codebook_from_entries(table.source, entries)
    book.variable_labels.update(table.variable_labels)
    book.weight = table.weight_name
    return book
