"""The accepted questionnaire against the data file's columns (issue 20, item 3).

A question of the accepted questionnaire that no column carries, or a question column the
questionnaire does not have, is a warning: in the results JSON, the memo and the status
page. Matching is by the question's code first (``P3`` = column ``P3`` or ``P3. Czas ...``),
then by its text (the same words, loosely; or one text containing the other, as when a
firm shortens a question); each column answers one question at most.

Pure functions: the procedure gives the questions as ``(id, text)`` pairs and the report's
``columns`` (every column with its role, see ``ResultsReport.to_json``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from mailflow.results.coding import split_header
from mailflow.results.scales import normalize_label

TEXT_SIMILARITY = 0.85  # difflib ratio of the normalised texts for a match by wording
SHORTENED_WORDS = 4  # a text contained in the other counts if it has at least this many words


@dataclass
class QuestionnaireMatch:
    matched: list[tuple[str, str]] = field(default_factory=list)  # (question id, column)
    missing: list[tuple[str, str]] = field(default_factory=list)  # questions without a column
    extra: list[str] = field(default_factory=list)  # question columns without a question
    how: dict[str, str] = field(default_factory=dict)  # question id -> "code" | "text"

    @property
    def warnings(self) -> list[str]:
        """English, as the results JSON's other warnings."""
        found = [
            f"questionnaire question {qid} ({_short(text)}) has no column in the data file"
            for qid, text in self.missing
        ]
        found += [
            f"data column {column!r} answers no question of the accepted questionnaire"
            for column in self.extra
        ]
        return found

    @property
    def warnings_pl(self) -> list[str]:
        """Formal Polish, for the memo and the status page."""
        found = [
            f"Pytanie {qid} zatwierdzonego kwestionariusza („{_short(text)}”) nie ma kolumny "
            "w pliku z wynikami."
            for qid, text in self.missing
        ]
        found += [
            f"Kolumna „{column}” pliku z wynikami nie odpowiada żadnemu pytaniu "
            "zatwierdzonego kwestionariusza."
            for column in self.extra
        ]
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "matched": [{"question": q, "column": c, "by": self.how[q]} for q, c in self.matched],
            "missing": [{"question": q, "text": t} for q, t in self.missing],
            "extra": list(self.extra),
            "warnings": self.warnings,
            "warnings_pl": self.warnings_pl,
        }


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _same_text(a: str, b: str) -> float:
    """How alike two question texts are, 0..1 (1: the same words)."""
    x, y = normalize_label(a), normalize_label(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    shorter, longer = sorted((x, y), key=len)
    if len(shorter.split()) >= SHORTENED_WORDS and f" {shorter} " in f" {longer} ":
        return 0.95
    return SequenceMatcher(None, x, y, autojunk=False).ratio()


def match_questionnaire(
    questions: Sequence[tuple[str, str]], columns: Iterable[dict[str, Any]]
) -> QuestionnaireMatch:
    """``questions``: (id, text) of the accepted questionnaire; ``columns``: the report's
    ``columns`` entries ({"column", "label", "role"}). Every data column can answer a
    question (a metric question may be a segment column); only question columns left over
    are "extra"."""
    cols = list(columns)
    taken: set[int] = set()
    result = QuestionnaireMatch()
    pending: list[tuple[str, str]] = []
    for qid, text in questions:
        code = normalize_label(qid)
        at = next(
            (
                j
                for j, c in enumerate(cols)
                if j not in taken
                and code
                and code
                in (
                    normalize_label(str(c["column"])),
                    normalize_label(split_header(str(c["column"]))[0]),
                )
            ),
            None,
        )
        if at is None:
            pending.append((qid, text))
            continue
        taken.add(at)
        result.matched.append((qid, str(cols[at]["column"])))
        result.how[qid] = "code"
    for qid, text in pending:
        best, best_score = None, 0.0
        for j, c in enumerate(cols):
            if j in taken:
                continue
            header_text = split_header(str(c["column"]))[1]
            score = max(_same_text(text, str(c.get("label") or "")), _same_text(text, header_text))
            if score > best_score:
                best, best_score = j, score
        if best is None or best_score < TEXT_SIMILARITY:
            result.missing.append((qid, text))
            continue
        taken.add(best)
        result.matched.append((qid, str(cols[best]["column"])))
        result.how[qid] = "text"
    result.extra = [
        str(c["column"])
        for j, c in enumerate(cols)
        if j not in taken and c.get("role") == "question"
    ]
    order = {qid: k for k, (qid, _) in enumerate(questions)}
    result.matched.sort(key=lambda pair: order[pair[0]])
    return result


def apply_questionnaire(
    report: dict[str, Any], questions: Sequence[tuple[str, str]]
) -> QuestionnaireMatch:
    """Adds ``questionnaire`` (the match) to a ``ResultsReport.to_json()`` dict and its
    warnings to ``warnings``; returns the match (its ``warnings_pl`` for the memo)."""
    match = match_questionnaire(questions, report.get("columns") or [])
    report["questionnaire"] = match.to_json()
    report.setdefault("warnings", []).extend(match.warnings)
    return match
