"""Year-on-year comparison against earlier reports' to_json() dicts."""

from __future__ import annotations

import math
from typing import Any

import pytest
from scipy import stats

from mailflow.results.compare import year_on_year


def question(label: str, mean: float, sd: float, n: int, top2: float, **extra: Any) -> dict:
    return {
        "id": "Q1",
        "label": label,
        "mean": mean,
        "sd": sd,
        "n": n,
        "n_eff": float(n),
        "top2_share": top2,
        **extra,
    }


def test_it_tests_means_with_welch_and_shares_with_the_z_test() -> None:
    now = [question("Czas oczekiwania", 3.4, 1.0, 380, 0.49)]
    before = [{"year": 2026, "questions": [question("Czas  oczekiwania", 3.8, 0.9, 400, 0.62)]}]
    [entry] = year_on_year(now, before)["Q1"]
    expected = stats.ttest_ind_from_stats(3.4, 1.0, 380, 3.8, 0.9, 400, equal_var=False)
    assert entry["year"] == 2026
    assert entry["mean_difference"] == pytest.approx(-0.4)
    assert entry["p_value"] == pytest.approx(expected.pvalue)
    assert entry["significant"] is True
    pooled = (0.49 * 380 + 0.62 * 400) / 780
    z = (0.49 - 0.62) / math.sqrt(pooled * (1 - pooled) * (1 / 380 + 1 / 400))
    assert entry["z"] == pytest.approx(z)
    assert entry["top2_significant"] is True


def test_it_matches_questions_by_label_not_by_number() -> None:
    now = [question("Uprzejmość", 4.0, 0.8, 300, 0.7)]
    before = [
        {
            "year": 2025,
            "questions": [
                {**question("Inne pytanie", 2.0, 1, 300, 0.2)},
                {**question("Uprzejmość", 4.0, 0.8, 300, 0.7), "id": "Q7"},
            ],
        }
    ]
    [entry] = year_on_year(now, before)["Q1"]
    assert entry["question"] == "Q7" and entry["significant"] is False


def test_without_a_standard_deviation_the_mean_is_compared_but_not_tested() -> None:
    now = [question("Uprzejmość", 4.0, 0.8, 300, 0.7)]
    earlier = {"label": "Uprzejmość", "id": "Q1", "mean": 3.5, "n": 250, "top2_share": 0.6}
    [entry] = year_on_year(now, [{"questions": [earlier]}])["Q1"]
    assert entry["year"] == "previous #1"
    assert entry["mean_difference"] == pytest.approx(0.5)
    assert "p_value" not in entry and "not tested" in entry["note"]
