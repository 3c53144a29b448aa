"""Answer scales: Polish labels, numeric codes and missing-value markers, all mapped to 1-5.

Every score is on the contract's 1-5 scale with 5 best. A raw cell value becomes a *key*
(:func:`value_key`) so that ``4``, ``4.0`` and ``"4"`` are the same code and labels compare
without case, spacing or punctuation noise; a key then maps to a score or to a missing kind.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

# Missing kinds: answers that are not scores. Codes are small negative ints so that a whole
# column can be coded into one int8 array (0 = blank, 1..5 = score).
BLANK = 0
DONT_KNOW = -1  # "trudno powiedzieć", "nie wiem": an answer, but not an opinion on the scale
MISSING_CODE = -2  # 9 / 99 codes or a value the codebook marks as missing
INVALID = -3  # a code outside the codebook: missing, with a warning naming the row

MISSING_KINDS = {BLANK: "blank", DONT_KNOW: "dont_know", MISSING_CODE: "missing_code"}

# Why 1, 2, 4, 5 for a 4-point scale: it has no midpoint, so "raczej tak" and "raczej nie"
# keep their side and their strength, the mean stays symmetric around 3 and the top-2 box
# (4 and 5) is exactly the share of positive answers, as it is on a 5-point scale.
FOUR_POINT_SCORES = (1, 2, 4, 5)
FOUR_POINT_NOTE = (
    "4-point scale mapped to 1-5 without a midpoint: nie=1, raczej nie=2, raczej tak=4, tak=5; "
    "top2_share is the share of positive answers"
)

DONT_KNOW_LABELS = {
    "trudno powiedziec",
    "trudno powiedziec nie wiem",
    "nie wiem",
    "nie wiem trudno powiedziec",
    "nie mam zdania",
    "dont know",
    "don t know",
    "hard to say",
}
OTHER_MISSING_LABELS = {
    "brak odpowiedzi",
    "brak danych",
    "odmowa",
    "odmowa odpowiedzi",
    "nie dotyczy",
    "bd",
    "b d",
    "no answer",
    "refused",
    "not applicable",
    "n a",
}
MISSING_NUMBERS = {9, 99}

# A 0-10 question (recommendation, NPS) keeps its answers: internally answer + 1 (1..11, so
# that 0 stays "blank"), reported on the contract's 1-5 scale by a linear map.
ELEVEN_POINT = "0-10"
ELEVEN_POINT_NOTE = (
    "0-10 scale mapped linearly to 1-5: score = 1 + 0.4 x answer (0 = 1, 5 = 3, 10 = 5); "
    "top2_share is the share of answers 8-10; the NPS uses the answers themselves"
)
FIVE_POINT_NOTE = "5-point scale: the codes 1-5 are the scores, 5 best"
RECOMMEND_WORDS = ("polec", "recommend", "nps", "0 10", "od 0 do 10")


def eleven_point_scale(note: str | None = None) -> Scale:
    """The 0-10 scale: each answer k as the internal code k + 1."""
    return Scale(
        {str(k): k + 1 for k in range(11)}, ELEVEN_POINT, False, note or ELEVEN_POINT_NOTE, 11
    )


def is_recommendation(text: str) -> bool:
    """A question that asks whether one would recommend the office (an NPS question)."""
    key = normalize_label(text)
    return any(word in key for word in RECOMMEND_WORDS)


@dataclass(frozen=True)
class Family:
    """One kind of labelled scale; ``best_first`` scales list their labels best to worst."""

    name: str
    labels: dict[str, int]
    points: int
    best_first: bool = False
    display: tuple[tuple[int, str], ...] = ()  # score -> first label as written, for notes


def _family(name: str, groups: list[tuple[int, list[str]]], points: int = 5, **kw: bool) -> Family:
    labels = {normalize_label(label): score for score, names in groups for label in names}
    display = tuple((score, names[0]) for score, names in groups)
    return Family(name, labels, points, display=display, **kw)


def normalize_label(text: str) -> str:
    """Lower case, no diacritics, no punctuation, single spaces: how labels are compared."""
    text = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


FAMILIES: tuple[Family, ...] = (
    _family(
        "satisfaction",
        [
            (
                1,
                [
                    "zdecydowanie niezadowolony",
                    "bardzo niezadowolony",
                    "zdecydowanie niezadowolona",
                ],
            ),
            (2, ["raczej niezadowolony", "niezadowolony", "raczej niezadowolona"]),
            (
                3,
                [
                    "ani zadowolony, ani niezadowolony",
                    "ani zadowolony ani niezadowolony",
                    "średnio zadowolony",
                    "ani zadowolona, ani niezadowolona",
                ],
            ),
            (4, ["raczej zadowolony", "zadowolony", "raczej zadowolona"]),
            (5, ["zdecydowanie zadowolony", "bardzo zadowolony", "zdecydowanie zadowolona"]),
        ],
    ),
    _family(
        "agreement",
        [
            (1, ["zdecydowanie się nie zgadzam", "zdecydowanie nie zgadzam się"]),
            (2, ["raczej się nie zgadzam", "raczej nie zgadzam się", "nie zgadzam się"]),
            (
                3,
                [
                    "ani się zgadzam, ani się nie zgadzam",
                    "ani się zgadzam, ani nie zgadzam",
                    "ani zgadzam się, ani nie zgadzam się",
                ],
            ),
            (4, ["raczej się zgadzam", "raczej zgadzam się", "zgadzam się"]),
            (5, ["zdecydowanie się zgadzam", "zdecydowanie zgadzam się"]),
        ],
    ),
    _family(
        "rating",
        [
            (1, ["bardzo źle", "bardzo zła", "bardzo zły", "bardzo słabo", "bardzo nisko"]),
            (2, ["źle", "zła", "zły", "słabo", "nisko"]),
            (3, ["przeciętnie", "przeciętna", "przeciętny", "ani dobrze, ani źle", "średnio"]),
            (4, ["dobrze", "dobra", "dobry", "wysoko"]),
            (5, ["bardzo dobrze", "bardzo dobra", "bardzo dobry", "bardzo wysoko"]),
        ],
    ),
    _family(
        "yes_no",
        [
            (1, ["nie", "zdecydowanie nie"]),
            (2, ["raczej nie"]),
            (4, ["raczej tak"]),
            (5, ["tak", "zdecydowanie tak"]),
        ],
        points=4,
    ),
    # Waiting and handling time: conventionally listed from the best answer to the worst.
    _family(
        "duration",
        [
            (5, ["bardzo krótki", "bardzo krótko", "bardzo krótka"]),
            (4, ["krótki", "krótko", "krótka", "raczej krótki", "raczej krótko"]),
            (3, ["ani krótki, ani długi", "ani krótko, ani długo", "średni", "przeciętny czas"]),
            (2, ["długi", "długo", "długa", "raczej długi", "raczej długo"]),
            (1, ["bardzo długi", "bardzo długo", "bardzo długa"]),
        ],
        best_first=True,
    ),
    _family(
        "ease",
        [
            (1, ["bardzo trudno", "bardzo trudne"]),
            (2, ["trudno", "trudne", "raczej trudno", "raczej trudne"]),
            (3, ["ani łatwo, ani trudno", "ani łatwe, ani trudne"]),
            (4, ["łatwo", "łatwe", "raczej łatwo", "raczej łatwe"]),
            (5, ["bardzo łatwo", "bardzo łatwe"]),
        ],
    ),
)

FAMILY_BY_NAME = {family.name: family for family in FAMILIES}
_LABEL_INDEX: dict[str, list[tuple[Family, int]]] = {}
for _fam in FAMILIES:
    for _label, _score in _fam.labels.items():
        _LABEL_INDEX.setdefault(_label, []).append((_fam, _score))


@dataclass(frozen=True)
class OddCell:
    """A spreadsheet cell that is neither empty nor an answer: an Excel error such as
    ``#DIV/0!`` (python-calamine reads it as an empty string) or a logical TRUE/FALSE (a
    bool, which Python takes as equal to 1 and 0). The readers find these in the file and
    put this marker in the table so that no later step takes them as a blank or a score."""

    kind: str  # "error" or "logical"
    text: str  # "#DIV/0!", "TRUE"

    def __str__(self) -> str:
        return self.text

    def describe(self) -> str:
        if self.kind == "error":
            return f"spreadsheet error cell {self.text}"
        return f"logical (TRUE/FALSE) cell {self.text}"


# value_key of an OddCell: "#" never survives normalize_label, so no label or number has it.
ODD_KEY_PREFIX = "#"


def is_odd_key(key: str) -> bool:
    return key.startswith(ODD_KEY_PREFIX)


def value_key(value: object) -> str:
    """One comparable key for a raw cell: integral numbers as ``"4"``, text normalised."""
    if value is None or value == "":
        return ""
    if isinstance(value, OddCell):
        return f"{ODD_KEY_PREFIX}{value.kind} {value.text}"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta):
        return "@" + value.isoformat() if not isinstance(value, dt.timedelta) else f"@{value}"
    text = str(value).strip()
    number = parse_number(text)
    if number is not None:
        return value_key(number)
    return normalize_label(text)


_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def parse_number(text: str) -> float | None:
    """A number written in a CSV cell ("4", "0,6926", " 1.25 "), or None."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    return float(text.replace(",", "."))


def is_number_key(key: str) -> bool:
    return bool(key) and _NUMBER.fullmatch(key) is not None


def label_scores(key: str) -> list[tuple[Family, int]]:
    """The scale families a normalised label belongs to, with its score in each."""
    found = _LABEL_INDEX.get(key)
    if found is None:
        # Codebooks often write "5 - bardzo dobrze" or "5 = tak": drop the leading code.
        stripped = re.sub(r"^\d+\s+", "", key)
        found = _LABEL_INDEX.get(stripped, [])
    return found


def missing_label_kind(key: str) -> int | None:
    """DONT_KNOW or MISSING_CODE for a label that means "no opinion", else None."""
    bare = re.sub(r"^\d+\s+", "", key)
    if key in DONT_KNOW_LABELS or bare in DONT_KNOW_LABELS:
        return DONT_KNOW
    if key in OTHER_MISSING_LABELS or bare in OTHER_MISSING_LABELS:
        return MISSING_CODE
    return None


@dataclass(frozen=True)
class Scale:
    """How one question's raw keys become scores, and what the output must say about it."""

    codes: dict[str, int]  # key -> 1..5 score or a missing kind (DONT_KNOW, MISSING_CODE)
    kind: str  # a family name, "numeric", "codebook" or "0-10"
    reversed: bool = False
    note: str | None = None
    points: int = 5  # 11: a 0-10 scale, codes are answer + 1


@dataclass(frozen=True)
class ScaleProblem:
    """Labels whose direction cannot be told: reported, never guessed."""

    message: str


def scale_from_value_labels(labels: dict[str, str], missing: set[str]) -> Scale | ScaleProblem:
    """A scale from a codebook's code -> label table (codes are keys, e.g. ``"1"``).

    Known labels fix the scores; when only some labels are known, the direction they show
    fixes the rest by code order. Codes 1..n that run best to worst are reversed.
    """
    codes: dict[str, int] = {}
    valid: list[tuple[float, str, str]] = []
    for code, label in labels.items():
        key = normalize_label(label)
        kind = MISSING_CODE if code in missing else missing_label_kind(key)
        if kind is not None:
            codes[code] = kind
        elif is_number_key(code):
            valid.append((float(code), code, key))
        else:
            return ScaleProblem(f"code {code!r} is not a number")
    valid.sort()
    numbers = {number for number, _, _ in valid}
    if {0.0, 10.0} <= numbers and numbers <= {float(k) for k in range(11)}:
        codes.update(eleven_point_scale().codes)
        for code, label in labels.items():  # labelled files carry the end labels
            if code in codes and codes[code] > 0:
                codes.setdefault(normalize_label(label), codes[code])
        return Scale(codes, ELEVEN_POINT, False, ELEVEN_POINT_NOTE, 11)
    if len(valid) not in (4, 5):
        return ScaleProblem(f"{len(valid)} valid codes, expected a 4- or 5-point scale")
    by_rank = FOUR_POINT_SCORES if len(valid) == 4 else (1, 2, 3, 4, 5)
    known = _known_scores([key for _, _, key in valid])
    if all(score == 3 for _, score in known):  # a midpoint alone shows no direction
        return ScaleProblem("no label tells which end of the scale is best")
    ascending = [score for rank, score in known if score == by_rank[rank]]
    descending = [score for rank, score in known if score == by_rank[len(valid) - 1 - rank]]
    scores: tuple[int, ...]
    if len(ascending) == len(known):
        scores = by_rank
    elif len(descending) == len(known):
        scores = tuple(reversed(by_rank))
    else:
        return ScaleProblem("the labels do not run in one direction")
    for (_, code, _), score in zip(valid, scores, strict=True):
        codes[code] = score
    # Labelled data files carry the labels themselves instead of the codes.
    for code, label in labels.items():
        codes.setdefault(normalize_label(label), codes[code])
    is_reversed = scores[0] > scores[-1]
    notes = [FOUR_POINT_NOTE] if len(valid) == 4 else []
    if is_reversed:
        best, worst = valid[0], valid[-1]
        notes.insert(
            0,
            f"scale reversed so that 5 is best: code {best[1]} "
            f"({labels[best[1]]}) = 5 ... code {worst[1]} ({labels[worst[1]]}) = 1",
        )
    return Scale(codes, "codebook", is_reversed, "; ".join(notes) or None)


def _known_scores(keys: list[str]) -> list[tuple[int, int]]:
    """(rank, score) of the labels found in one family: the family most labels belong to."""
    tally: dict[str, list[tuple[int, int]]] = {}
    for rank, key in enumerate(keys):
        for family, score in label_scores(key):
            tally.setdefault(family.name, []).append((rank, score))
    if not tally:
        return []
    return max(tally.values(), key=len)
