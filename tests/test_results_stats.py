"""Indicator formulas against scipy and numpy computed another way."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from mailflow.results.stats import (
    Z,
    group_summaries,
    kish_n_eff,
    margin_of_error,
    summarize,
    two_proportions,
    welch,
    wilson,
)

RNG = np.random.default_rng(11)
SCORES = RNG.integers(1, 6, size=200).astype(np.int8)
WEIGHTS = RNG.uniform(0.3, 2.0, size=200)


def test_the_unweighted_interval_is_scipys_t_interval() -> None:
    summary = summarize(SCORES)
    x = SCORES.astype(float)
    assert summary.mean == pytest.approx(x.mean())
    assert summary.sd == pytest.approx(x.std(ddof=1))
    assert summary.ci95 == pytest.approx(
        stats.t.interval(0.95, x.size - 1, loc=x.mean(), scale=stats.sem(x))
    )


def test_the_unweighted_top2_interval_is_scipys_wilson_interval() -> None:
    summary = summarize(SCORES)
    k = int((SCORES >= 4).sum())
    interval = stats.binomtest(k, SCORES.size).proportion_ci(0.95, method="wilson")
    assert summary.top2_share == pytest.approx(k / SCORES.size)
    assert summary.top2_ci95 == pytest.approx((interval.low, interval.high))


def test_weighted_figures_use_kish_effective_sample_size() -> None:
    summary = summarize(SCORES, WEIGHTS)
    x = SCORES.astype(float)
    n_eff = WEIGHTS.sum() ** 2 / (WEIGHTS**2).sum()
    mean = np.average(x, weights=WEIGHTS)
    sd = math.sqrt(np.average((x - mean) ** 2, weights=WEIGHTS) * n_eff / (n_eff - 1))
    assert summary.n_eff == pytest.approx(n_eff) == kish_n_eff(WEIGHTS)
    assert summary.mean == pytest.approx(mean)
    assert summary.sd == pytest.approx(sd)
    assert summary.ci95 == pytest.approx(
        stats.t.interval(0.95, n_eff - 1, loc=mean, scale=sd / math.sqrt(n_eff))
    )


def test_equal_weights_give_the_unweighted_figures() -> None:
    weighted, plain = summarize(SCORES, np.full(SCORES.size, 2.5)), summarize(SCORES)
    assert weighted.ci95 == pytest.approx(plain.ci95)
    assert weighted.top2_ci95 == pytest.approx(plain.top2_ci95)


def test_too_few_answers_give_no_interval_instead_of_a_crash() -> None:
    assert summarize(np.array([], dtype=np.int8)).mean is None
    one = summarize(np.array([4], dtype=np.int8))
    assert one.mean == 4 and one.ci95 is None and one.sd is None


def test_group_figures_equal_the_figures_of_each_group_alone() -> None:
    group = RNG.integers(0, 4, size=SCORES.size)
    for weights in (None, WEIGHTS):
        mine, rest = group_summaries(SCORES, weights, group, 4)
        for k in range(4):
            inside = group == k
            alone = summarize(SCORES[inside], None if weights is None else weights[inside])
            others = summarize(SCORES[~inside], None if weights is None else weights[~inside])
            assert mine[k].mean == pytest.approx(alone.mean)
            assert mine[k].ci95 == pytest.approx(alone.ci95)
            assert mine[k].top2_ci95 == pytest.approx(alone.top2_ci95)
            assert rest[k].sd == pytest.approx(others.sd)


def test_welch_matches_scipy_from_summary_figures() -> None:
    test = welch(4.1, 0.9, 380, 3.9, 1.1, 410)
    expected = stats.ttest_ind_from_stats(4.1, 0.9, 380, 3.9, 1.1, 410, equal_var=False)
    assert test.statistic == pytest.approx(expected.statistic)
    assert test.p_value == pytest.approx(expected.pvalue)


def test_two_proportions_is_the_pooled_z_test() -> None:
    test = two_proportions(0.70, 400, 0.78, 380)
    pooled = (0.70 * 400 + 0.78 * 380) / 780
    z = (0.70 - 0.78) / math.sqrt(pooled * (1 - pooled) * (1 / 400 + 1 / 380))
    assert test.statistic == pytest.approx(z)
    assert test.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))


def test_the_margin_of_error_is_the_worst_case_share_interval() -> None:
    assert margin_of_error(400) == pytest.approx(1.959964 * math.sqrt(0.25 / 400), abs=1e-6)
    assert wilson(0.5, 400)[1] - 0.5 == pytest.approx(margin_of_error(400), abs=1e-3)
    assert pytest.approx(1.959964, abs=1e-6) == Z
