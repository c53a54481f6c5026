"""Bootstrap percentile intervals of effect sizes.

A bootstrap resample of the customers is a vector of counts (how often each
customer was drawn), so each effect size is computed with these counts as
weights: a customer drawn twice is two tied observations, exactly as in the
resampled data.  The values are sorted once; each replicate is then a few
weighted sums (``numpy.bincount``), linear in the number of customers.

- epsilon² of Kruskal-Wallis ``H / (N - 1)`` with mid-ranks and the tie
  correction of :func:`scipy.stats.kruskal`;
- rank-biserial correlation ``2 U / (n_a n_b) - 1`` of one group against
  another (ties count one half);
- Cramér's V of a contingency table, without continuity correction.

Every replicate of a call uses the same resamples (drawn from one seed), so
effects computed with the same seed on the same customers are paired.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "bootstrap_counts",
    "cramers_v",
    "epsilon_squared",
    "percentile_interval",
    "rank_biserial",
]


def bootstrap_counts(n, n_bootstrap, seed):
    """Array (n_bootstrap, n) of how often each customer is drawn per resample.

    Stored as ``uint8`` (a customer drawn 256 times in a resample of at least
    that many customers has probability below 1e-300).
    """
    rng = np.random.RandomState(seed)
    out = np.empty((n_bootstrap, n), dtype=np.uint8)
    for b in range(n_bootstrap):
        out[b] = np.bincount(rng.randint(0, n, n), minlength=n)
    return out


def _codes(values):
    """Codes of the sorted unique values (ties share a code)."""
    _, codes = np.unique(values, return_inverse=True)
    return codes.ravel(), int(codes.max()) + 1 if codes.size else 0


def epsilon_squared(values, groups, weights):
    """Weighted Kruskal-Wallis epsilon² for each row of ``weights``.

    Parameters
    ----------
    values : ndarray of float, shape (n,), without NaN
    groups : ndarray of int, shape (n,), codes ``0 .. g - 1``
    weights : ndarray of shape (n_replicates, n)

    Returns
    -------
    ndarray of shape (n_replicates,)

    Examples
    --------
    >>> from scipy import stats
    >>> v, g = np.array([1.0, 2, 3, 4, 5, 5]), np.array([0, 0, 0, 1, 1, 1])
    >>> h = stats.kruskal(v[g == 0], v[g == 1]).statistic
    >>> bool(np.isclose(epsilon_squared(v, g, np.ones((1, 6)))[0], h / 5))
    True
    """
    codes, n_values = _codes(values)
    n_groups = int(groups.max()) + 1
    out = np.full(weights.shape[0], np.nan)
    for b, w in enumerate(weights):
        w = w.astype(np.float64)
        per_value = np.bincount(codes, w, minlength=n_values)
        total = per_value.sum()
        rank = np.cumsum(per_value) - per_value + (per_value + 1) / 2
        n_g = np.bincount(groups, w, minlength=n_groups)
        r_g = np.bincount(groups, w * rank[codes], minlength=n_groups)
        ties = 1 - np.sum(per_value**3 - per_value) / (total**3 - total)
        if (n_g > 0).sum() < 2 or ties <= 0:
            continue
        filled = n_g > 0
        h = 12 / (total * (total + 1)) * np.sum(r_g[filled] ** 2 / n_g[filled])
        h = (h - 3 * (total + 1)) / ties
        out[b] = h / (total - 1)
    return out


def rank_biserial(values, in_a, in_b, weights):
    """Weighted rank-biserial correlation of group ``a`` against group ``b``.

    Examples
    --------
    >>> v = np.array([4.0, 5, 6, 1, 2, 3])
    >>> a = np.arange(6) < 3
    >>> rank_biserial(v, a, ~a, np.ones((1, 6))).tolist()
    [1.0]
    """
    codes, n_values = _codes(values)
    out = np.full(weights.shape[0], np.nan)
    for b, w in enumerate(weights):
        w = w.astype(np.float64)
        wa = np.bincount(codes, w * in_a, minlength=n_values)
        wb = np.bincount(codes, w * in_b, minlength=n_values)
        n_a, n_b = wa.sum(), wb.sum()
        if n_a == 0 or n_b == 0:
            continue
        below = np.cumsum(wb) - wb
        u = np.sum(wa * (below + 0.5 * wb))
        out[b] = 2 * u / (n_a * n_b) - 1
    return out


def cramers_v(categories, groups, weights):
    """Weighted Cramér's V between category codes and group codes.

    Examples
    --------
    >>> c, g = np.array([0, 0, 1, 1]), np.array([0, 0, 1, 1])
    >>> cramers_v(c, g, np.ones((1, 4))).tolist()
    [1.0]
    """
    n_cat, n_groups = int(categories.max()) + 1, int(groups.max()) + 1
    cells = groups * n_cat + categories
    out = np.full(weights.shape[0], np.nan)
    for b, w in enumerate(weights):
        w = w.astype(np.float64)
        table = np.bincount(cells, w, minlength=n_groups * n_cat)
        table = table.reshape(n_groups, n_cat)
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        df = min(table.shape) - 1
        if df < 1:
            out[b] = 0.0
            continue
        total = table.sum()
        expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
        chi2 = np.sum((table - expected) ** 2 / expected)
        out[b] = np.sqrt(chi2 / (total * df))
    return out


def percentile_interval(replicates, confidence=0.95):
    """Percentile interval ``(low, high)`` of bootstrap replicates (NaN ignored).

    Examples
    --------
    >>> percentile_interval(np.arange(101.0))
    (2.5, 97.5)
    """
    replicates = np.asarray(replicates, dtype=float)
    replicates = replicates[np.isfinite(replicates)]
    if replicates.size == 0:
        return np.nan, np.nan
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(replicates, [tail, 100 - tail])
    return float(low), float(high)
