"""Indicator formulas (corpus README, "Results file"): t interval for the mean, Wilson for top-2.

Weighted figures use Kish's effective sample size n_eff = (Σw)² / Σw² wherever the
unweighted formulas use n. Distributions come from scipy; nothing here is hand-rolled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
Z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))  # 1.959964


@dataclass(frozen=True)
class Summary:
    """One question's (or one segment's) figures; intervals None when n is too small."""

    n: int
    n_eff: float
    mean: float | None
    sd: float | None
    ci95: tuple[float, float] | None
    t_quantile: float | None
    top2_share: float | None
    top2_ci95: tuple[float, float] | None


def wilson(p: float, n: float, z: float = Z) -> tuple[float, float]:
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return centre - half, centre + half


def summarize(scores: np.ndarray, weights: np.ndarray | None = None, fpc: float = 1.0) -> Summary:
    """Figures over valid scores (1..5) only; ``weights`` aligned with ``scores``.

    ``fpc`` is the finite-population factor 1 - n/N of the survey (R ``survey``: the
    variance of a with-replacement estimate times 1 - f): the t interval's half-width is
    multiplied by its square root, Wilson's interval uses n_eff / fpc as its sample size."""
    n = int(scores.size)
    if n == 0:
        return Summary(0, 0.0, None, None, None, None, None, None)
    x = scores.astype(np.float64)
    top = (scores >= 4).astype(np.float64)
    if weights is None:
        n_eff = float(n)
        mean = float(x.mean())
        p = float(top.mean())
        variance = float(((x - mean) ** 2).sum() / (n - 1)) if n > 1 else None
    else:
        total = float(weights.sum())
        if total <= 0:
            return Summary(n, 0.0, None, None, None, None, None, None)
        n_eff = total * total / float((weights * weights).sum())
        mean = float((weights * x).sum() / total)
        p = float((weights * top).sum() / total)
        population = float((weights * (x - mean) ** 2).sum() / total)
        variance = population * n_eff / (n_eff - 1) if n_eff > 1 else None
    if variance is None:
        return Summary(n, n_eff, mean, None, None, None, p, wilson(p, n_eff / fpc))
    sd = math.sqrt(variance)
    t = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n_eff - 1))
    half = t * sd / math.sqrt(n_eff) * math.sqrt(fpc)
    return Summary(n, n_eff, mean, sd, (mean - half, mean + half), t, p, wilson(p, n_eff / fpc))


def group_summaries(
    scores: np.ndarray,
    weights: np.ndarray | None,
    group: np.ndarray,
    groups: int,
    fpc: float = 1.0,
) -> tuple[list[Summary], list[Summary]]:
    """Per group, and per "everyone else", the figures of :func:`summarize` in one pass.

    Sums per group come from ``np.bincount``, so a segment column costs a handful of array
    passes per question instead of two masked copies per segment value.
    """
    x = scores.astype(np.float64)
    w = np.ones_like(x) if weights is None else weights.astype(np.float64)
    top = (scores >= 4).astype(np.float64)
    sums = np.stack(
        [
            np.bincount(group, minlength=groups).astype(np.float64),
            np.bincount(group, weights=w, minlength=groups),
            np.bincount(group, weights=w * w, minlength=groups),
            np.bincount(group, weights=w * x, minlength=groups),
            np.bincount(group, weights=w * x * x, minlength=groups),
            np.bincount(group, weights=w * top, minlength=groups),
        ]
    )
    rest = sums.sum(axis=1, keepdims=True) - sums
    weighted = weights is not None
    return _from_sums(sums, weighted, fpc), _from_sums(rest, weighted, fpc)


def _from_sums(sums: np.ndarray, weighted: bool, fpc: float = 1.0) -> list[Summary]:
    count, total, squares, wx, wxx, wtop = sums
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = total * total / squares if weighted else count.copy()
        mean, p = wx / total, wtop / total
        population = np.maximum(wxx / total - mean * mean, 0.0)
        sd = np.sqrt(population * n_eff / (n_eff - 1))
    has_interval = n_eff > 1
    # One scipy call for all groups: the quantile is the costly part of a small group.
    t = np.full(n_eff.shape, np.nan)
    t[has_interval] = stats.t.ppf(0.5 + CONFIDENCE / 2, n_eff[has_interval] - 1)
    result = []
    for k in range(count.size):
        n = round(count[k])
        if n == 0 or total[k] <= 0:
            result.append(Summary(n, 0.0, None, None, None, None, None, None))
            continue
        m, share, size = float(mean[k]), float(p[k]), float(n_eff[k])
        if not has_interval[k]:
            interval = wilson(share, size / fpc)
            result.append(Summary(n, size, m, None, None, None, share, interval))
            continue
        half = float(t[k] * sd[k] / math.sqrt(size)) * math.sqrt(fpc)
        result.append(
            Summary(
                n,
                size,
                m,
                float(sd[k]),
                (m - half, m + half),
                float(t[k]),
                share,
                wilson(share, size / fpc),
            )
        )
    return result


def margin_of_error(n_eff: float, p: float = 0.5) -> float:
    """Half-width of a 95% interval for a share p from the whole sample (worst case p = 0.5)."""
    return Z * math.sqrt(p * (1 - p) / n_eff) if n_eff > 0 else math.nan


def kish_n_eff(weights: np.ndarray) -> float:
    squares = float((weights * weights).sum())
    return float(weights.sum()) ** 2 / squares if squares > 0 else 0.0


@dataclass(frozen=True)
class Test:
    difference: float
    statistic: float
    df: float | None
    p_value: float


def welch(mean1: float, sd1: float, n1: float, mean2: float, sd2: float, n2: float) -> Test:
    """Welch's t test of mean1 - mean2 from summary figures (n may be an effective n)."""
    v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
    se = math.sqrt(v1 + v2)
    difference = mean1 - mean2
    if se == 0:
        return Test(difference, math.nan, None, 1.0 if difference == 0 else 0.0)
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    t = difference / se
    return Test(difference, t, df, float(2 * stats.t.sf(abs(t), df)))


def two_proportions(p1: float, n1: float, p2: float, n2: float) -> Test:
    """Two-proportion z test of p1 - p2 with the pooled standard error."""
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    difference = p1 - p2
    if se == 0:
        return Test(difference, math.nan, None, 1.0 if difference == 0 else 0.0)
    z = difference / se
    return Test(difference, z, None, float(2 * stats.norm.sf(abs(z))))


# ------------------------------------------------------------ survey statistics (issue 20)


def finite_population_factor(sample: int, population: int | None) -> float:
    """1 - n/N, the factor on a variance when n of N clients were surveyed (1 without N)."""
    if not population:
        return 1.0
    return max(0.0, 1.0 - sample / population)


def design_effect(n: int, n_eff: float) -> float | None:
    """Kish's design effect of weighting, n / n_eff = 1 + CV(w)^2 (1 when unweighted)."""
    return n / n_eff if n_eff > 0 else None


@dataclass(frozen=True)
class NetPromoter:
    """NPS = % promoters (9-10) - % detractors (0-6), in points from -100 to 100.

    The interval is the normal one from the trinomial variance of the difference of two
    shares of one sample, Var = (p_P + p_D - (p_P - p_D)^2) / n (n_eff when weighted, times
    the finite-population factor), as in Rocks (2016), "Interval estimation for the Net
    Promoter Score"; it is clipped to [-100, 100]."""

    value: float
    ci95: tuple[float, float] | None
    promoters: float
    passives: float
    detractors: float
    n: int
    n_eff: float


def net_promoter(
    answers: np.ndarray, weights: np.ndarray | None = None, fpc: float = 1.0
) -> NetPromoter | None:
    """The NPS of valid 0-10 answers (``weights`` aligned with them)."""
    n = int(answers.size)
    if n == 0:
        return None
    w = np.ones(n) if weights is None else weights.astype(np.float64)
    total = float(w.sum())
    if total <= 0:
        return None
    n_eff = kish_n_eff(w) if weights is not None else float(n)
    promoters = float(w[answers >= 9].sum() / total)
    detractors = float(w[answers <= 6].sum() / total)
    score = promoters - detractors
    interval = None
    if n_eff > 1:
        variance = max(0.0, promoters + detractors - score * score) / n_eff * fpc
        half = Z * math.sqrt(variance)
        interval = (max(-100.0, 100 * (score - half)), min(100.0, 100 * (score + half)))
    return NetPromoter(
        100 * score, interval, promoters, 1 - promoters - detractors, detractors, n, n_eff
    )


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (the step-up FDR procedure, 1995), in the order
    given: p_(i) * m / i, made monotone from the largest down and capped at 1; a test is
    significant at false-discovery rate q when its adjusted p is below q."""
    m = len(p_values)
    if m == 0:
        return []
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(ranked, 1.0)
    return [float(v) for v in adjusted]


def base_flag(n: int, small: int, not_reported: int) -> str:
    """ "not_reported" below ``not_reported`` answers, "small_base" below ``small``, else "ok"
    (always on the unweighted number of valid answers)."""
    if n < not_reported:
        return "not_reported"
    if n < small:
        return "small_base"
    return "ok"
