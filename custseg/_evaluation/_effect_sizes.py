"""Significance tests with effect sizes, magnitude bands and Holm's correction.

With thousands of customers every difference is "significant", so the
validation of a segmentation reads effect sizes, not p-values alone:

- numeric feature across segments: Kruskal–Wallis H (:func:`scipy.stats.kruskal`)
  with epsilon-squared, ``epsilon² = H / (n - 1)`` (Tomczak & Tomczak, 2014);
- categorical feature across segments: chi-square test of independence
  (:func:`scipy.stats.chi2_contingency`, no continuity correction) with
  Cramér's V (:func:`scipy.stats.contingency.association`);
- numeric feature between two segments: Mann–Whitney U
  (:func:`scipy.stats.mannwhitneyu`, two-sided) with the rank-biserial
  correlation ``r = 2 U / (n_a n_b) - 1``.

Magnitude bands (Cohen, 1988): epsilon² 0.01 / 0.06 / 0.14 (small / medium /
large, his eta² guidelines); rank-biserial |r| 0.1 / 0.3 / 0.5; Cramér's V
0.1 / 0.3 / 0.5 divided by ``sqrt(min(rows, columns) - 1)`` (his w
guidelines, adjusted for the table's degrees of freedom).  Below the first
threshold an effect is ``"negligible"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import association

__all__ = [
    "MAGNITUDES",
    "chi_square_test",
    "holm",
    "kruskal_test",
    "magnitude",
    "magnitude_threshold",
    "mann_whitney_test",
]

MAGNITUDES = ("negligible", "small", "medium", "large")
_THRESHOLDS = {
    "epsilon²": (0.01, 0.06, 0.14),
    "rank-biserial": (0.1, 0.3, 0.5),
    "Cramér's V": (0.1, 0.3, 0.5),
}


def magnitude(effect, measure, *, df=1):
    """Name the magnitude band of an effect size.

    Parameters
    ----------
    effect : float
        The effect size; its absolute value is banded.  NaN gives ``"n/a"``.
    measure : {"epsilon²", "rank-biserial", "Cramér's V"}
        Which effect size it is.
    df : int, default=1
        For Cramér's V, ``min(rows, columns) - 1`` of the contingency table:
        the thresholds are divided by ``sqrt(df)``.

    Returns
    -------
    str
        One of ``"negligible"``, ``"small"``, ``"medium"``, ``"large"`` or ``"n/a"``.

    Examples
    --------
    >>> magnitude(0.07, "epsilon²")
    'medium'
    >>> magnitude(0.2, "Cramér's V", df=4)
    'medium'
    """
    if measure not in _THRESHOLDS:
        raise ValueError(f"Unknown effect size measure {measure!r}.")
    if effect is None or not np.isfinite(effect):
        return "n/a"
    thresholds = np.asarray(_THRESHOLDS[measure])
    if measure == "Cramér's V":
        thresholds = thresholds / np.sqrt(max(int(df), 1))
    return MAGNITUDES[int(np.searchsorted(thresholds, abs(effect), side="right"))]


def holm(pvalues):
    """Holm–Bonferroni adjusted p-values (step-down, family-wise error rate).

    The i-th smallest of ``m`` p-values is multiplied by ``m - i + 1``, then
    running maxima keep the order monotone, and values are capped at 1.
    NaN p-values (tests that could not be run) stay NaN and do not count in
    ``m``.

    Parameters
    ----------
    pvalues : array-like of float

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).round(4).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    m = finite.size
    if m == 0:
        return out
    order = finite[np.argsort(p[finite], kind="stable")]
    scaled = p[order] * (m - np.arange(m))
    out[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return out


def _result(test, statistic, p_value, effect, measure, df=1):
    return {
        "test": test,
        "statistic": float(statistic),
        "p_value": float(p_value),
        "effect_size": float(effect),
        "effect_measure": measure,
        "magnitude": magnitude(effect, measure, df=df),
    }


def kruskal_test(values, labels):
    """Kruskal–Wallis test of a numeric variable across groups, with epsilon².

    Parameters
    ----------
    values : array-like of float, shape (n,)
        NaN values are left out.
    labels : array-like, shape (n,)
        Group of each value.

    Returns
    -------
    dict
        ``test``, ``statistic`` (H), ``p_value``, ``effect_size``
        (epsilon² = H / (n - 1)), ``effect_measure`` and ``magnitude``.
        A variable constant over all values gives H = 0, p = 1 and no effect;
        fewer than two non-empty groups give NaN.

    Examples
    --------
    >>> res = kruskal_test([1, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 1])
    >>> round(res["statistic"], 4), round(res["p_value"], 4), round(res["effect_size"], 4)
    (3.8571, 0.0495, 0.7714)
    """
    values = np.asarray(values, dtype=float)
    labels = np.asarray(labels)
    keep = ~np.isnan(values)
    values, labels = values[keep], labels[keep]
    groups = [values[labels == g] for g in np.unique(labels)]
    n = values.size
    if len(groups) < 2:
        return _result("Kruskal-Wallis", np.nan, np.nan, np.nan, "epsilon²")
    if np.ptp(values) == 0:
        return _result("Kruskal-Wallis", 0.0, 1.0, 0.0, "epsilon²")
    h, p = stats.kruskal(*groups)
    return _result("Kruskal-Wallis", h, p, h / (n - 1), "epsilon²")


def chi_square_test(values, labels):
    """Chi-square test of independence between a categorical variable and groups.

    Parameters
    ----------
    values : array-like, shape (n,)
        Category of each customer; missing values are left out.
    labels : array-like, shape (n,)
        Group of each customer.

    Returns
    -------
    dict
        ``test``, ``statistic`` (chi²), ``p_value``, ``effect_size``
        (Cramér's V), ``effect_measure``, ``magnitude`` and ``df``
        (``min(rows, columns) - 1``).  A table with a single row or column
        (one group or one category) gives chi² = 0, p = 1 and V = 0.

    Examples
    --------
    >>> res = chi_square_test(["a"] * 10 + ["b"] * 30 + ["a"] * 30 + ["b"] * 5,
    ...                       [0] * 40 + [1] * 35)
    >>> round(res["effect_size"], 4), res["magnitude"]
    (0.6071, 'large')
    """
    values = pd.Series(np.asarray(values, dtype=object))
    labels = np.asarray(labels)
    keep = values.notna().to_numpy()
    table = pd.crosstab(labels[keep], values[keep].to_numpy())
    df = min(table.shape) - 1
    if df < 1:
        return {**_result("chi-square", 0.0, 1.0, 0.0, "Cramér's V"), "df": max(df, 1)}
    observed = table.to_numpy()
    chi2, p, _, _ = stats.chi2_contingency(observed, correction=False)
    v = association(observed, method="cramer", correction=False)
    return {**_result("chi-square", chi2, p, v, "Cramér's V", df=df), "df": df}


def mann_whitney_test(a, b):
    """Two-sided Mann–Whitney U test with the rank-biserial correlation.

    Parameters
    ----------
    a, b : array-like of float
        The two samples; NaN values are left out.

    Returns
    -------
    dict
        ``test``, ``statistic`` (U of ``a``), ``p_value``, ``effect_size``
        (``2 U / (n_a n_b) - 1``, positive when ``a`` tends to be larger),
        ``effect_measure`` and ``magnitude``.

    Examples
    --------
    >>> res = mann_whitney_test([4, 5, 6], [1, 2, 3])
    >>> res["statistic"], res["effect_size"], res["magnitude"]
    (9.0, 1.0, 'large')
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if a.size == 0 or b.size == 0:
        return _result("Mann-Whitney U", np.nan, np.nan, np.nan, "rank-biserial")
    if np.ptp(np.concatenate([a, b])) == 0:
        return _result("Mann-Whitney U", a.size * b.size / 2, 1.0, 0.0, "rank-biserial")
    u, p = stats.mannwhitneyu(a, b, alternative="two-sided")
    return _result(
        "Mann-Whitney U", u, p, 2.0 * u / (a.size * b.size) - 1.0, "rank-biserial"
    )


def magnitude_threshold(measure, *, df=1):
    """The smallest effect size that is not negligible for a measure.

    Examples
    --------
    >>> magnitude_threshold("rank-biserial")
    0.1
    """
    if measure not in _THRESHOLDS:
        return np.nan
    threshold = _THRESHOLDS[measure][0]
    if measure == "Cramér's V":
        threshold /= np.sqrt(max(int(df), 1))
    return float(threshold)
