"""From a table (and maybe a codebook) to coded arrays: scores, weights, segments, ids.

Each column's distinct values are classified once and the column is then mapped through a
lookup array (numpy), so a 100 000-row file costs no Python work per cell here.

Spreadsheet error and TRUE/FALSE cells arrive as :class:`OddCell` markers: never a score,
a segment or an id, always named with row and column.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mailflow.errors import UserError
from mailflow.results.codebook import Codebook, QuestionSpec
from mailflow.results.scales import (
    BLANK,
    ELEVEN_POINT,
    FAMILIES,
    FOUR_POINT_NOTE,
    INVALID,
    MISSING_CODE,
    MISSING_NUMBERS,
    Family,
    OddCell,
    Scale,
    ScaleProblem,
    eleven_point_scale,
    is_number_key,
    is_odd_key,
    is_recommendation,
    label_scores,
    missing_label_kind,
    normalize_label,
    parse_number,
    value_key,
)
from mailflow.results.table import Table

ELEVEN_KEYS = {str(k) for k in range(11)}

ID_HEADERS = {
    "id",
    "nr ankiety",
    "numer ankiety",
    "respondent",
    "respondent id",
    "identyfikator",
    "id respondenta",
    "nr respondenta",
}
WEIGHT_HEADERS = {"waga", "weight"}
SEGMENT_WORDS = (
    "komorka",
    "wydzial",
    "departament",
    "department",
    "jednostka",
    "kanal",
    "channel",
    "typ klienta",
    "rodzaj klienta",
    "client type",
    "customer type",
    "segment",
    "forma kontaktu",
    "sposob kontaktu",
)
DEPARTMENT_WORDS = ("komorka", "wydzial", "departament", "department", "jednostka")
# Columns that hold small integers without being questions.
NOT_QUESTION_WORDS = (
    "plec",
    "wiek",
    "wyksztalcenie",
    "data",
    "gender",
    "sex",
    "age",
    "education",
    "date",
    "miejsce",
    "lp",
)
NO_SEGMENT_VALUE = "(brak danych)"
ROWS_NAMED_IN_WARNINGS = 5


class NoQuestionsError(UserError):
    """No column holds answers: in a workbook, maybe another sheet does."""


@dataclass
class CodedQuestion:
    id: str
    column: str
    code: str  # the part of the header before the first "." or space, e.g. "P1"
    label: str
    index: int  # column position in the table
    scores: np.ndarray | None  # int8: 1..5 score, 0 blank, <0 missing kinds; None: no scale
    scale_kind: str
    reversed: bool = False
    note: str | None = None
    problem: str | None = None
    points: int = 5  # 11: a 0-10 question, scores hold answer + 1
    mapping: dict[str, int] = field(default_factory=dict)  # code or label -> score (0-10: answer)

    def values(self, valid: np.ndarray) -> np.ndarray:
        """The valid answers on the contract's 1-5 scale (floats; 0-10 mapped linearly)."""
        assert self.scores is not None
        chosen = self.scores[valid].astype(np.float64)
        return 1 + 0.4 * (chosen - 1) if self.points == 11 else chosen

    def answers(self, valid: np.ndarray) -> np.ndarray:
        """The valid answers as given: 0-10 for a 0-10 question, else the 1-5 scores."""
        assert self.scores is not None
        chosen = self.scores[valid].astype(np.float64)
        return chosen - 1 if self.points == 11 else chosen


@dataclass
class CodedSurvey:
    respondents: int
    questions: list[CodedQuestion]
    weights: np.ndarray | None
    weight_column: str | None
    segments: dict[str, np.ndarray]  # column -> array of segment labels (object)
    department_column: str | None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: list[dict[str, str]] = field(default_factory=list)  # every column and its role


def split_header(header: str) -> tuple[str, str]:
    """("P1", "Uprzejmość ...") from "P1. Uprzejmość ..."; the header twice when uncoded."""
    match = re.match(
        r"^\s*([A-Za-z]{0,12}[_-]?\d+(?:[._-]\d+)*[a-z]?)(?:[.:)]\s*|\s+)(\S.*)$", header
    )
    if match:
        return match.group(1), match.group(2).strip()
    return header, header


def match_column(name: str, headers: list[str]) -> int | None:
    """A codebook's variable name in the data headers: exact, loose, or as the header's code."""
    if name in headers:
        return headers.index(name)
    loose = normalize_label(name)
    for j, header in enumerate(headers):
        if normalize_label(header) == loose:
            return j
    for j, header in enumerate(headers):
        if normalize_label(split_header(header)[0]) == loose:
            return j
    return None


def code_survey(table: Table, book: Codebook | None) -> CodedSurvey:
    headers = table.headers
    taken: set[int] = set()
    id_at = _role_column(table, book.respondent_id if book else None, ID_HEADERS, "id")
    weight_at = _role_column(table, book.weight if book else None, WEIGHT_HEADERS, "weight")
    taken |= {j for j in (id_at, weight_at) if j is not None}
    if id_at is not None:
        check_respondent_ids(table, id_at)
    weights = read_weights(table, weight_at) if weight_at is not None else None

    segment_at = _segment_columns(table, book, taken)
    taken |= set(segment_at)
    survey = CodedSurvey(
        notes=list(table.notes),
        warnings=list(table.warnings),
        respondents=table.respondents,
        questions=[],
        weights=weights,
        weight_column=headers[weight_at] if weight_at is not None else None,
        segments={},
        department_column=next(
            (
                headers[j]
                for j in segment_at
                if any(w in normalize_label(headers[j]) for w in DEPARTMENT_WORDS)
            ),
            None,
        ),
    )
    other_labels = book.other_labels if book else {}
    for j in segment_at:
        labels = other_labels.get(headers[j]) or table.value_labels.get(headers[j], {})
        survey.segments[headers[j]] = segment_values(table.columns[j], labels)
        odd = odd_cells_note(table, j)
        if odd:
            survey.warnings.append(
                f"segment column {headers[j]}: {odd}: taken as {NO_SEGMENT_VALUE}"
            )

    specs: dict[int, QuestionSpec] = {}
    if book is not None:
        for spec in book.questions:
            at = match_column(spec.column, headers)
            if at is None:
                if book.only_listed_questions:
                    raise UserError(
                        f"{book.source}: question column {spec.column!r} is not in "
                        f"{table.source} (columns: {', '.join(headers)})"
                    )
                survey.warnings.append(f"codebook variable {spec.column!r} is not in the data file")
                continue
            specs[at] = spec
    for j in range(len(headers)):
        if j in taken:
            continue
        listed = specs.get(j)
        if listed is None and book is not None and book.only_listed_questions:
            continue
        question = code_question(table, j, listed, len(survey.questions) + 1, survey.warnings)
        if question is not None:
            survey.questions.append(question)
    if not survey.questions:
        raise NoQuestionsError(
            f"{table.source}: no question columns found (no column holds scale labels or 1-5 "
            "codes); give a codebook with --codebook"
        )
    asked = {q.index: q.id for q in survey.questions}
    for j, header in enumerate(headers):
        role = (
            "id"
            if j == id_at
            else "weight"
            if j == weight_at
            else "segment"
            if j in segment_at
            else "question"
            if j in asked
            else "other"
        )
        entry = {"column": header, "label": table.variable_labels.get(header) or header}
        entry["role"] = role
        if j in asked:
            entry["question"] = asked[j]
        survey.columns.append(entry)
    return survey


# ------------------------------------------------------------------------ roles


def _role_column(table: Table, named: str | None, headers: set[str], role: str) -> int | None:
    if named is not None:
        j = match_column(named, table.headers)
        if j is None:
            raise UserError(
                f"the codebook names {named!r} as the {role} column, but {table.source} has no "
                f"such column (columns: {', '.join(table.headers)})"
            )
        return j
    for j, header in enumerate(table.headers):
        if normalize_label(header) in headers:
            return j
    return None


def _segment_columns(table: Table, book: Codebook | None, taken: set[int]) -> list[int]:
    if book is not None and book.segments is not None:
        found = []
        for name in book.segments:
            j = match_column(name, table.headers)
            if j is None:
                raise UserError(f"segment column {name!r} is not in {table.source}")
            found.append(j)
        return found
    return [
        j
        for j, header in enumerate(table.headers)
        if j not in taken and any(w in normalize_label(header) for w in SEGMENT_WORDS)
    ]


def check_respondent_ids(table: Table, j: int) -> None:
    """Every row needs its own id: a missing or repeated one means a broken file."""
    values = table.columns[j]
    if set(map(type, values)) == {str}:
        stripped = set(map(str.strip, values))
        if len(stripped) == len(values) and "" not in stripped:
            return  # the common case, checked without a Python loop per row
    seen: dict[str, int] = {}
    for i, value in enumerate(table.columns[j]):
        key = value_key(value) if not isinstance(value, str) else value.strip()
        if isinstance(value, OddCell):
            raise UserError(
                f"{table.source}: respondent id is a {value.describe()} in {table.where(i, j)}"
            )
        if not key:
            raise UserError(f"{table.source}: respondent id missing in {table.where(i, j)}")
        if key in seen:
            raise UserError(
                f"{table.source}: duplicate respondent id {key!r} in {table.where(i, j)} "
                f"(first in row {table.row_numbers[seen[key]]})"
            )
        seen[key] = i


def read_weights(table: Table, j: int) -> np.ndarray:
    values = table.columns[j]
    try:
        weights = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        weights = np.array([_weight_number(table, i, j, v) for i, v in enumerate(values)])
    bad = np.flatnonzero(~np.isfinite(weights) | (weights < 0))
    if bad.size:
        i = int(bad[0])
        raise UserError(
            f"{table.source}: weight {values[i]!r} is not a non-negative number in "
            f"{table.where(i, j)}"
        )
    return weights


def _weight_number(table: Table, i: int, j: int, value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, OddCell):
        raise UserError(
            f"{table.source}: weight is a {value.describe()}, not a number, in {table.where(i, j)}"
        )
    number = parse_number(str(value)) if value is not None else None
    if number is None:
        shown = "empty" if value in (None, "") else repr(value)
        raise UserError(f"{table.source}: weight is {shown}, not a number, in {table.where(i, j)}")
    return number


def segment_values(values: Sequence[Any], labels: dict[str, str]) -> np.ndarray:
    names: dict[Any, str] = {}
    for value in set(values):
        key = value_key(value)
        if not key or is_odd_key(key):
            names[value] = NO_SEGMENT_VALUE
        elif key in labels:
            names[value] = labels[key]
        else:
            text = str(value).strip()
            names[value] = (
                str(int(value))
                if isinstance(value, float) and value.is_integer()
                else " ".join(text.split())
            )
    return np.array(list(map(names.__getitem__, values)), dtype=object)


# -------------------------------------------------------------------- questions


def code_question(
    table: Table, j: int, spec: QuestionSpec | None, number: int, warnings: list[str]
) -> CodedQuestion | None:
    header = table.headers[j]
    uniques, index, tally = table.distinct(j)
    counts = dict(zip(uniques, tally.tolist(), strict=True))
    keys = {value: value_key(value) for value in uniques}
    scale: Scale | ScaleProblem | None = spec.scale if spec is not None else None
    if scale is None:
        scale = detect_scale(table, j, counts, keys, forced=spec is not None)
        if scale is None:
            return None
    code, label = split_header(header)
    if table.variable_labels.get(header):
        label = split_header(table.variable_labels[header])[1]
    if spec is not None and spec.label:
        label = split_header(spec.label)[1]
    question = CodedQuestion(
        points=scale.points if isinstance(scale, Scale) else 5,
        id=(spec.id if spec is not None and spec.id else f"Q{number}"),
        column=header,
        code=code,
        label=label,
        index=j,
        scores=None,
        scale_kind=scale.kind if isinstance(scale, Scale) else "unknown",
    )
    if isinstance(scale, ScaleProblem):
        question.problem = scale.message
        warnings.append(
            f"{question.id} ({header}): the direction of the scale cannot be told from its "
            f"labels ({scale.message}); no indicators computed"
        )
        return question
    question.reversed, question.note = scale.reversed, scale.note
    question.mapping = {k: v for k, v in scale.codes.items() if v > 0}
    if scale.points == 11:
        question.mapping = {k: v - 1 for k, v in question.mapping.items()}
    mapping: dict[Any, int] = {}
    invalid: list[Any] = []
    odd: list[Any] = []
    for value in uniques:
        key = keys[value]
        if not key:
            mapping[value] = BLANK
        elif is_odd_key(key):
            mapping[value] = INVALID
            odd.append(value)
        elif key in scale.codes:
            mapping[value] = scale.codes[key]
        elif (kind := missing_label_kind(key)) is not None:
            mapping[value] = kind
        elif is_number_key(key) and float(key) in MISSING_NUMBERS:
            mapping[value] = MISSING_CODE
        else:
            mapping[value] = INVALID
            invalid.append(value)
    lookup = np.array([mapping[value] for value in uniques], dtype=np.int8)
    scores = lookup[index]
    if odd:
        warnings.append(f"{question.id}: {odd_cells_note(table, j)}: treated as missing")
    if invalid:
        is_invalid = np.isin(index, [k for k, value in enumerate(uniques) if value in invalid])
        rows = [table.row_numbers[i] for i in np.flatnonzero(is_invalid)]
        shown = ", ".join(str(r) for r in rows[:ROWS_NAMED_IN_WARNINGS])
        more = f" and {len(rows) - ROWS_NAMED_IN_WARNINGS} more" if len(rows) > 5 else ""
        values = ", ".join(repr(v) for v in invalid[:5])
        warnings.append(
            f"{question.id}: {values} outside the codebook in column {table.column_refs[j]} "
            f"({header}), {_rows_word(rows)} {shown}{more}: treated as missing"
        )
    question.scores = scores
    return question


def odd_cells_note(table: Table, j: int) -> str:
    """'spreadsheet error cell #DIV/0! in column G ("P3"), rows 17, 40', or "" if none."""
    odd_codes = [k for k, value in enumerate(table.values) if isinstance(value, OddCell)]
    if not odd_codes or table.codes is None:  # only coded tables (spreadsheets) have them
        return ""
    at = np.flatnonzero(np.isin(table.codes[j], odd_codes)).tolist()
    if not at:
        return ""
    column = table.columns[j]
    kinds = ", ".join(sorted({column[i].describe() for i in at})[:5])
    rows = ", ".join(str(table.row_numbers[i]) for i in at[:ROWS_NAMED_IN_WARNINGS])
    more = len(at) - ROWS_NAMED_IN_WARNINGS
    rest = f" and {more} more" if more > 0 else ""
    where = f"column {table.column_refs[j]} ({table.headers[j]}), {_rows_word(at)} {rows}{rest}"
    return f"{kinds} in {where}"


def _rows_word(rows: Sequence[object]) -> str:
    """ "row" before one row number, "rows" before a list."""
    return "row" if len(rows) == 1 else "rows"


def detect_scale(
    table: Table, j: int, counts: dict[Any, int], keys: dict[Any, str], forced: bool
) -> Scale | None:
    """A column's scale from its content, None when it is not a question.

    Unknown labels or codes in a column that otherwise is a question are errors naming the
    first row: they are a broken file, not something to guess.
    """
    header = table.headers[j]
    family_cells: Counter[str] = Counter()
    family_labels: dict[str, set[str]] = {}
    numeric_cells = 0
    numeric_values: set[int] = set()
    eleven_cells = 0  # cells holding 0..10 (9 included: an answer on a 0-10 scale)
    eleven_values: set[int] = set()
    answered = 0
    for value, count in counts.items():
        key = keys[value]
        if not key or is_odd_key(key) or missing_label_kind(key) is not None:
            continue  # odd cells are named when the column is coded, never guessed from
        if is_number_key(key):
            number = float(key)
            if number.is_integer() and 0 <= number <= 10:
                eleven_cells += count
                eleven_values.add(int(number))
            if number in MISSING_NUMBERS:
                if number == 9:
                    answered += count
                continue
            answered += count
            if float(key) in (1, 2, 3, 4, 5):
                numeric_cells += count
                numeric_values.add(int(float(key)))
            continue
        answered += count
        for family, _ in label_scores(key):
            family_cells[family.name] += count
            family_labels.setdefault(family.name, set()).add(key)
    if answered == 0:
        return None if not forced else Scale({}, "numeric")
    if family_cells:
        name, cells = family_cells.most_common(1)[0]
        family = next(f for f in FAMILIES if f.name == name)
        enough_labels = len(family_labels[name]) >= 3 or family.name not in ("yes_no",)
        if forced or (cells + numeric_cells >= 0.5 * answered and enough_labels):
            return _label_scale(table, j, counts, keys, family)
        return None
    excluded = any(w in normalize_label(header).split() for w in NOT_QUESTION_WORDS)
    label = table.variable_labels.get(header, "") + " " + header
    beyond_five = eleven_values - {1, 2, 3, 4, 5, 9}
    # 0-10: answers beyond 1-5 (0, 6, 7, 8, 10), all within 0-10, and either the question
    # says it is one (0-10, "polecić") or it has eight of the eleven answers, three of them
    # beyond 1-5 (a stray 7 among 1-5 codes is an error to name, not a scale to guess).
    if (
        not excluded
        and beyond_five
        and eleven_cells >= 0.9 * answered
        and (is_recommendation(label) or (len(beyond_five) >= 3 and len(eleven_values) >= 8))
    ):
        _reject_unknown(table, j, counts, keys, lambda key: key in ELEVEN_KEYS, ELEVEN_POINT)
        return eleven_point_scale()
    answered -= sum(c for v, c in counts.items() if keys[v] == "9")
    if not forced and (excluded or len(numeric_values) < 3 or numeric_cells < 0.9 * answered):
        return None
    # Text in a numeric question is not a number key: it falls through to "unknown answer".
    _reject_unknown(
        table, j, counts, keys, lambda key: is_number_key(key) and float(key) in (1, 2, 3, 4, 5)
    )
    return Scale({str(k): k for k in range(1, 6)}, "numeric")


def _label_scale(
    table: Table, j: int, counts: dict[Any, int], keys: dict[Any, str], family: Family
) -> Scale:
    codes: dict[str, int] = dict(family.labels)
    if not family.best_first:
        # Plain codes beside labels are taken as scores; on a best-first scale they would be
        # ambiguous, so there they are rejected below.
        codes.update({str(k): k for k in range(1, 6)})
    _reject_unknown(table, j, counts, keys, lambda key: key in codes, family.name)
    note = FOUR_POINT_NOTE if family.points == 4 else None
    if family.best_first:
        shown = dict(family.display)
        note = (
            f"scale reversed so that 5 is best: its labels run from best ({shown[5]} = 5) "
            f"to worst ({shown[1]} = 1)"
        )
    return Scale(codes, family.name, family.best_first, note)


def _reject_unknown(
    table: Table,
    j: int,
    counts: dict[Any, int],
    keys: dict[Any, str],
    known: Any,
    family: str | None = None,
) -> None:
    for value in counts:
        key = keys[value]
        if not key or is_odd_key(key) or missing_label_kind(key) is not None:
            continue
        if is_number_key(key) and float(key) in MISSING_NUMBERS:
            continue
        if known(key):
            continue
        i = table.columns[j].index(value)
        if is_number_key(key) and family == ELEVEN_POINT:
            raise UserError(
                f"{table.source}: code {value!r} out of range 0-10 in {table.where(i, j)}"
            )
        if is_number_key(key) and family is not None and float(key) in (1, 2, 3, 4, 5):
            raise UserError(
                f"{table.source}: code {value!r} beside {family} labels that run best to worst "
                f"in {table.where(i, j)}: its direction is ambiguous, give a codebook"
            )
        if is_number_key(key):
            raise UserError(
                f"{table.source}: code {value!r} out of range 1-5 in {table.where(i, j)}"
            )
        expected = f" (expected a {family} scale label)" if family else ""
        raise UserError(
            f"{table.source}: unknown answer {value!r} in {table.where(i, j)}{expected}"
        )
