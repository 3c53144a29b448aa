"""Survey statistics against independent computations: statsmodels where it has the
formula (Benjamini-Hochberg, Wilson), numpy from the textbook formulas elsewhere."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from mailflow.results.stats import (
    base_flag,
    benjamini_hochberg,
    design_effect,
    finite_population_factor,
    kish_n_eff,
    net_promoter,
    summarize,
)

statsmodels = pytest.importorskip("statsmodels")
from statsmodels.stats.multitest import multipletests  # noqa: E402
from statsmodels.stats.proportion import proportion_confint  # noqa: E402

RNG = np.random.default_rng(11)


def test_benjamini_hochberg_equals_statsmodels_fdr_bh() -> None:
    p = [*list(RNG.uniform(0, 0.2, 40)), 0.0001, 0.049, 0.5, 1.0, 0.049]
    expected = multipletests(p, alpha=0.05, method="fdr_bh")[1]
    assert benjamini_hochberg(p) == pytest.approx(list(expected), abs=1e-12)
    assert benjamini_hochberg([]) == []


def test_twenty_tests_at_the_edge_give_no_discovery_after_the_correction() -> None:
    """A single p = 0.03 among twenty tests: 'significant' alone, not after BH."""
    p = [0.03, *list(np.linspace(0.2, 0.95, 19))]
    assert min(benjamini_hochberg(p)) == pytest.approx(0.6)


def test_the_fpc_narrows_the_t_interval_by_the_square_root_of_one_minus_n_over_big_n() -> None:
    x = RNG.integers(1, 6, 150).astype(float)
    fpc = finite_population_factor(150, 600)
    assert fpc == pytest.approx(0.75)
    figures = summarize(x, None, fpc)
    half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size) * math.sqrt(0.75)
    assert figures.ci95 == pytest.approx((x.mean() - half, x.mean() + half), abs=1e-12)
    top = int((x >= 4).sum())
    # Wilson with the fpc: the interval of a sample of n / (1 - f)
    low, high = proportion_confint(top * 4 / 3, 150 * 4 / 3, method="wilson")
    assert figures.top2_ci95 == pytest.approx((low, high), abs=1e-12)


def test_without_a_population_the_intervals_are_the_contracts() -> None:
    x = RNG.integers(1, 6, 80).astype(float)
    assert finite_population_factor(80, None) == 1.0
    top = int((x >= 4).sum())
    assert summarize(x).top2_ci95 == pytest.approx(
        proportion_confint(top, 80, method="wilson"), abs=1e-12
    )


def test_the_design_effect_is_one_plus_the_squared_cv_of_the_weights() -> None:
    w = RNG.uniform(0.4, 2.2, 300)
    cv2 = w.var() / w.mean() ** 2  # population variance: Kish's 1 + CV^2
    assert design_effect(300, kish_n_eff(w)) == pytest.approx(1 + cv2, abs=1e-12)
    assert design_effect(300, 300.0) == 1.0


def test_the_nps_and_its_interval_follow_the_trinomial_variance() -> None:
    answers = RNG.integers(0, 11, 250).astype(float)
    weights = RNG.uniform(0.5, 1.5, 250)
    result = net_promoter(answers, weights, fpc=0.9)
    assert result is not None
    w = weights / weights.sum()
    promoters, detractors = w[answers >= 9].sum(), w[answers <= 6].sum()
    nps = promoters - detractors
    n_eff = weights.sum() ** 2 / (weights**2).sum()
    se = math.sqrt((promoters + detractors - nps**2) / n_eff * 0.9)
    z = stats.norm.ppf(0.975)
    assert result.value == pytest.approx(100 * nps, abs=1e-9)
    assert result.ci95 == pytest.approx((100 * (nps - z * se), 100 * (nps + z * se)), abs=1e-9)
    assert result.promoters + result.passives + result.detractors == pytest.approx(1.0)


def test_an_nps_interval_never_leaves_minus_100_to_100() -> None:
    result = net_promoter(np.array([10.0, 10.0, 9.0, 10.0]))
    assert result is not None and result.value == 100.0
    assert result.ci95 is not None and result.ci95[1] == 100.0


@pytest.mark.parametrize(
    ("n", "flag"), [(29, "not_reported"), (30, "small_base"), (49, "small_base"), (50, "ok")]
)
def test_the_base_has_two_tiers(n: int, flag: str) -> None:
    assert base_flag(n, small=50, not_reported=30) == flag
