"""Irregularities by explicit rules: what may lead the Plenipotentiary to order an audit.

Every finding carries its evidence (question, figure, threshold, segment) and a one-line
Polish description that goes into the audit guidelines as written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from mailflow.errors import UserError
from mailflow.results.compare import year_on_year
from mailflow.results.stats import benjamini_hochberg, welch

FDR_METHOD = "Benjamini-Hochberg"


@dataclass(frozen=True)
class IrregularityRules:
    """Thresholds from ``[procedure]`` of the configuration (key names as here)."""

    min_top2_share: float = 0.6  # a top-2 share below this is low
    min_mean: float | None = None  # optionally: a mean below this is low
    # False-discovery rate (Benjamini-Hochberg) over every test that can lead to an audit:
    # each question's drop against the latest earlier year and each segment against the rest.
    alpha: float = 0.05
    min_drop: float = 0.0  # a significant drop smaller than this (mean points) is ignored
    segment_gap: float = 0.5  # a segment whose mean is this far below the rest of the sample
    min_n: int = 30  # fewer valid answers: the figure is not reliable
    min_segment_n: int = 20  # segments smaller than this are not compared

    @classmethod
    def from_mapping(cls, values: dict[str, Any], prefix: str = "procedure") -> IrregularityRules:
        """Strict: an unknown key or a value of the wrong type is a one-line error."""
        known = {f.name: f for f in fields(cls)}
        checked: dict[str, Any] = {}
        for key, value in values.items():
            if key not in known:
                raise UserError(
                    f"{prefix}.{key}: unknown irregularity rule (known: {', '.join(known)})"
                )
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            ):
                raise UserError(f"{prefix}.{key}: must be a non-negative number, not {value!r}")
            checked[key] = value
        return cls(**checked)


@dataclass(frozen=True)
class Finding:
    rule: str  # low_top2_share, low_mean, significant_drop, segment_gap, few_answers
    question_id: str
    question_label: str
    figure: float
    threshold: float
    description: str  # Polish, one line, for the audit guidelines
    segment: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def find_irregularities(
    report: Any, rules: IrregularityRules, previous: list[dict[str, Any]] | None = None
) -> list[Finding]:
    """Findings for a :class:`ResultsReport` (or its ``to_json()`` dict).

    With ``previous`` the year-on-year comparison is made here; without it, the comparison
    already in the report (if any) is used.
    """
    data: dict[str, Any] = report if isinstance(report, dict) else report.to_json()
    questions = data.get("questions", [])
    comparisons = (
        year_on_year(questions, previous)
        if previous is not None
        else {q["id"]: q.get("yoy", []) for q in questions}
    )
    view = {
        "questions": [{"id": q["id"], "yoy": comparisons.get(q["id"], [])} for q in questions],
        "segments": data.get("segments") or {},
    }
    adjust_p_values(view, rules)
    findings: list[Finding] = []
    for question in questions:
        findings += _question_findings(question, rules)
        findings += _drop_findings(question, comparisons.get(question["id"], []), rules)
    findings += _segment_findings(data, rules)
    return findings


def latest_comparison(comparisons: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The comparison with the latest year; reports without a year count in the order
    given (oldest first)."""
    if not comparisons:
        return None
    return max(
        enumerate(comparisons),
        key=lambda item: (
            item[1]["year"] if isinstance(item[1]["year"], int) else -1,
            item[0],
        ),
    )[1]


def segment_test(figures: dict[str, Any]) -> float | None:
    """Welch's p of a segment against the rest, from the figures shown (so that the test is
    the one of the numbers in the report)."""
    rest = figures.get("rest") or {}
    size = figures.get("n_eff") or figures.get("n")
    rest_size = rest.get("n_eff") or rest.get("n")
    shown = [figures.get("mean"), figures.get("sd"), size]
    shown += [rest.get("mean"), rest.get("sd"), rest_size]
    if any(value is None for value in shown):
        return figures.get("p_value")
    mean, sd, n, rest_mean, rest_sd, rest_n = (float(value or 0) for value in shown)
    if n <= 1 or rest_n <= 1:
        return figures.get("p_value")
    return welch(mean, sd, n, rest_mean, rest_sd, rest_n).p_value


def adjust_p_values(data: dict[str, Any], rules: IrregularityRules) -> dict[str, Any]:
    """Benjamini-Hochberg over the tests that can propose an audit, written into their own
    entries as ``p_adjusted``: each question's test against the latest earlier year, and
    each segment's test against the rest of the sample (segments of at least
    ``min_segment_n`` answers and not flagged "not reported"). Returns the family's summary."""
    family: list[tuple[dict[str, Any], float]] = []
    for question in data.get("questions", []):
        latest = latest_comparison(question.get("yoy") or [])
        if latest is not None and latest.get("p_value") is not None:
            family.append((latest, float(latest["p_value"])))
    for groups in (data.get("segments") or {}).values():
        for group in groups.values():
            for figures in group.get("questions", {}).values():
                if figures.get("n", 0) < rules.min_segment_n:
                    continue
                if figures.get("base") == "not_reported":
                    continue
                p_value = segment_test(figures)
                if p_value is not None:
                    figures["p_value"] = p_value
                    family.append((figures, float(p_value)))
    adjusted = benjamini_hochberg([p for _, p in family])
    for (entry, _), value in zip(family, adjusted, strict=True):
        entry["p_adjusted"] = value
    return {
        "method": FDR_METHOD,
        "fdr": rules.alpha,
        "tests": len(family),
        "significant": sum(value < rules.alpha for value in adjusted),
        "family": "each question against the latest earlier year, each segment against the rest",
    }


def _name(question: dict[str, Any]) -> str:
    return f"{question.get('code') or question['id']} „{question.get('label', '')}”"


def _num(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def _pct(value: float) -> str:
    return _num(100 * value, 1) + "%"


def _question_findings(question: dict[str, Any], rules: IrregularityRules) -> list[Finding]:
    found: list[Finding] = []
    qid, label, n = question["id"], question.get("label", ""), question.get("n", 0)
    if n < rules.min_n:
        found.append(
            Finding(
                "few_answers",
                qid,
                label,
                n,
                rules.min_n,
                f"{_name(question)}: tylko {n} ważnych odpowiedzi (wymagane co najmniej "
                f"{rules.min_n}) – wynik niewiarygodny, sprawdzić realizację badania.",
                evidence={"n": n, "missing": question.get("missing")},
            )
        )
    share = question.get("top2_share")
    if share is not None and share < rules.min_top2_share:
        found.append(
            Finding(
                "low_top2_share",
                qid,
                label,
                share,
                rules.min_top2_share,
                f"{_name(question)}: odsetek ocen pozytywnych (4–5) {_pct(share)} poniżej progu "
                f"{_pct(rules.min_top2_share)} – zbadać przyczyny niezadowolenia klientów.",
                evidence={"top2_share": share, "top2_ci95": question.get("top2_ci95"), "n": n},
            )
        )
    mean = question.get("mean")
    if rules.min_mean is not None and mean is not None and mean < rules.min_mean:
        found.append(
            Finding(
                "low_mean",
                qid,
                label,
                mean,
                rules.min_mean,
                f"{_name(question)}: średnia ocena {_num(mean)} poniżej progu "
                f"{_num(rules.min_mean)} – zbadać przyczyny niskiej oceny.",
                evidence={"mean": mean, "ci95": question.get("ci95"), "n": n},
            )
        )
    return found


def _drop_findings(
    question: dict[str, Any], comparisons: list[dict[str, Any]], rules: IrregularityRules
) -> list[Finding]:
    latest = latest_comparison(comparisons)
    if latest is None:
        return []
    difference, p_value = latest.get("mean_difference"), latest.get("p_value")
    if difference is None or p_value is None:
        return []
    adjusted = latest.get("p_adjusted", p_value)
    if difference >= 0 or adjusted >= rules.alpha or -difference < rules.min_drop:
        return []
    before = latest["previous"]["mean"]
    return [
        Finding(
            "significant_drop",
            question["id"],
            question.get("label", ""),
            difference,
            rules.alpha,
            f"{_name(question)}: średnia spadła z {_num(before)} ({latest['year']}) do "
            f"{_num(question['mean'])}, spadek istotny statystycznie (p = {_num(p_value, 3)}, "
            f"po korekcie Benjaminiego-Hochberga p = {_num(adjusted, 3)} < "
            f"{_num(rules.alpha, 2)}) – ustalić przyczynę pogorszenia.",
            evidence={
                "year": latest["year"],
                "previous_mean": before,
                "mean": question["mean"],
                "t": latest.get("t"),
                "df": latest.get("df"),
                "p_value": p_value,
                "p_adjusted": adjusted,
                "fdr_method": FDR_METHOD,
            },
        )
    ]


def _segment_findings(data: dict[str, Any], rules: IrregularityRules) -> list[Finding]:
    labels = {q["id"]: q for q in data.get("questions", [])}
    found: list[Finding] = []
    for column, groups in (data.get("segments") or {}).items():
        for value, group in groups.items():
            for qid, figures in group.get("questions", {}).items():
                rest = figures.get("rest") or {}
                mean, rest_mean = figures.get("mean"), rest.get("mean")
                if mean is None or rest_mean is None:
                    continue
                if figures.get("n", 0) < rules.min_segment_n:
                    continue
                gap = rest_mean - mean
                if gap < rules.segment_gap:
                    continue
                adjusted = figures.get("p_adjusted")
                if adjusted is None or adjusted >= rules.alpha:
                    continue  # not tested (small base) or not significant after the FDR
                question = labels.get(qid, {"id": qid})
                found.append(
                    Finding(
                        "segment_gap",
                        qid,
                        question.get("label", ""),
                        gap,
                        rules.segment_gap,
                        f"{value} ({column}), {_name(question)}: średnia {_num(mean)} niższa o "
                        f"{_num(gap)} od pozostałych klientów ({_num(rest_mean)}), różnica "
                        f"istotna po korekcie Benjaminiego-Hochberga (p = {_num(adjusted, 3)}) – "
                        "objąć audytem tę komórkę.",
                        segment=f"{column}: {value}",
                        evidence={
                            "column": column,
                            "value": value,
                            "mean": mean,
                            "n": figures["n"],
                            "rest_mean": rest_mean,
                            "rest_n": rest.get("n"),
                            "p_value": figures.get("p_value"),
                            "p_adjusted": adjusted,
                            "fdr_method": FDR_METHOD,
                        },
                    )
                )
    return found
