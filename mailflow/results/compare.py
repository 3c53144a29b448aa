"""Year-on-year: this campaign's questions against earlier campaigns' stored reports.

Earlier reports are the dicts :meth:`ResultsReport.to_json` produced (what the database
keeps). Questions are matched by their label (loosely), so a renumbered questionnaire still
compares like with like. Means use Welch's t test, top-2 shares the two-proportion z test,
both with the effective sample sizes.
"""

from __future__ import annotations

from typing import Any

from mailflow.results.scales import normalize_label
from mailflow.results.stats import two_proportions, welch

ALPHA = 0.05


def previous_name(report: dict[str, Any], position: int) -> Any:
    """The earlier report's year, or its place in the list when it has none."""
    year = report.get("year")
    return year if year is not None else f"previous #{position + 1}"


def find_earlier_question(
    question: dict[str, Any], earlier: dict[str, Any]
) -> dict[str, Any] | None:
    label = normalize_label(str(question.get("label", "")))
    for candidate in earlier.get("questions", []):
        if label and normalize_label(str(candidate.get("label", ""))) == label:
            return candidate
    return None


def compare_question(
    question: dict[str, Any], earlier: dict[str, Any], year: Any
) -> dict[str, Any]:
    """One comparison entry; figures that cannot be tested say why instead of guessing."""
    entry: dict[str, Any] = {"year": year, "question": earlier.get("id")}
    entry["previous"] = {k: earlier.get(k) for k in ("mean", "top2_share", "n", "n_eff", "sd")}
    now_size = question.get("n_eff") or question.get("n")
    then_size = earlier.get("n_eff") or earlier.get("n")
    if None in (question.get("mean"), earlier.get("mean"), now_size, then_size):
        entry["note"] = "no mean to compare"
        return entry
    n_now, n_then = float(now_size or 0), float(then_size or 0)
    entry["mean_difference"] = question["mean"] - earlier["mean"]
    if question.get("sd") is not None and earlier.get("sd") is not None and min(n_now, n_then) > 1:
        test = welch(
            question["mean"], question["sd"], n_now, earlier["mean"], earlier["sd"], n_then
        )
        entry.update(
            t=test.statistic, df=test.df, p_value=test.p_value, significant=test.p_value < ALPHA
        )
    else:
        entry["note"] = "no standard deviation: the mean difference is not tested"
    if question.get("top2_share") is not None and earlier.get("top2_share") is not None:
        test = two_proportions(question["top2_share"], n_now, earlier["top2_share"], n_then)
        entry.update(
            top2_difference=test.difference,
            z=test.statistic,
            top2_p_value=test.p_value,
            top2_significant=test.p_value < ALPHA,
        )
    return entry


def year_on_year(
    questions: list[dict[str, Any]], previous: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Question id -> one entry per earlier report that has the same question."""
    result: dict[str, list[dict[str, Any]]] = {}
    for position, report in enumerate(previous):
        name = previous_name(report, position)
        for question in questions:
            earlier = find_earlier_question(question, report)
            if earlier is not None:
                result.setdefault(question["id"], []).append(
                    compare_question(question, earlier, name)
                )
    return result
