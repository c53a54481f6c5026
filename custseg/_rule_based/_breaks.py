"""Cut points on one numeric column: quantiles, natural breaks, rank and value shares.

Shared by :class:`~custseg.RFMScorer` and :class:`~custseg.UsageTiers`.
Natural breaks are Fisher's exact optimal partition (the Jenks method with
its exact solution, which is also the optimal 1-D k-means): classes of
consecutive sorted values minimising the total within-class sum of squares.
Breaks only fall between distinct values, so equal values always share a
class.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "jenks_classes",
    "jenks_cuts",
    "pareto_bound",
    "quantile_cuts",
    "rank_bound",
]

# Above this many distinct values the candidate break positions are
# restricted to the boundaries of this many groups of consecutive distinct
# values (equal-count groups); the within-class sums of squares stay exact.
MAX_CANDIDATES = 1000


def quantile_cuts(values, n_bins):
    """Return the ``n_bins - 1`` inner quantiles of ``values`` (linear rule).

    Examples
    --------
    >>> quantile_cuts([1, 2, 3, 4, 5], 4).tolist()
    [2.0, 3.0, 4.0]
    """
    values = np.asarray(values, dtype=float)
    levels = np.arange(1, n_bins) / n_bins
    return np.quantile(values, levels)


def _grouped(values):
    """Distinct sorted values, grouped to at most MAX_CANDIDATES runs."""
    uniques, counts = np.unique(values, return_counts=True)
    w = counts.astype(float)
    wx = uniques * w
    wxx = uniques * uniques * w
    if uniques.size <= MAX_CANDIDATES:
        return uniques, uniques, w, wx, wxx
    # group consecutive distinct values into runs of about equal size
    edges = np.linspace(0, uniques.size, MAX_CANDIDATES + 1).round().astype(int)
    starts = edges[:-1]
    ends = edges[1:] - 1
    return (
        uniques[starts],
        uniques[ends],
        np.add.reduceat(w, starts),
        np.add.reduceat(wx, starts),
        np.add.reduceat(wxx, starts),
    )


def jenks_classes(values, n_classes):
    """Optimal partition of ``values`` into at most ``n_classes`` classes.

    Parameters
    ----------
    values : array-like of float
        The values (finite).
    n_classes : int
        Wanted number of classes; fewer are returned when there are fewer
        distinct values.

    Returns
    -------
    list of (float, float)
        ``(min, max)`` of each class, increasing.

    Examples
    --------
    >>> jenks_classes([1, 2, 3, 10, 11, 12, 30], 3)
    [(1.0, 3.0), (10.0, 12.0), (30.0, 30.0)]
    """
    values = np.asarray(values, dtype=float)
    low, high, w, wx, wxx = _grouped(values)
    m = low.size
    k = min(int(n_classes), m)
    # prefix sums: cost of a class made of groups i..j (inclusive)
    cw = np.concatenate([[0.0], np.cumsum(w)])
    cx = np.concatenate([[0.0], np.cumsum(wx)])
    cxx = np.concatenate([[0.0], np.cumsum(wxx)])

    def cost(i, j):  # i: array of starts, j: scalar end (inclusive)
        n = cw[j + 1] - cw[i]
        s = cx[j + 1] - cx[i]
        return np.maximum(cxx[j + 1] - cxx[i] - s * s / n, 0.0)

    best = np.array([cost(np.array([0]), j)[0] for j in range(m)])  # 1 class
    back = np.zeros((k, m), dtype=int)
    for c in range(1, k):
        new = np.full(m, np.inf)
        for j in range(c, m):
            starts = np.arange(c, j + 1)
            totals = best[starts - 1] + cost(starts, j)
            arg = int(np.argmin(totals))
            new[j] = totals[arg]
            back[c, j] = starts[arg]
        best = new
    # walk back the class starts
    bounds = []
    j = m - 1
    for c in range(k - 1, -1, -1):
        start = back[c, j] if c > 0 else 0
        bounds.append((float(low[start]), float(high[j])))
        j = start - 1
    return bounds[::-1]


def jenks_cuts(values, n_classes):
    """Upper bounds of all classes but the last (right-closed cut points).

    A value ``x`` falls in class ``1 + #{cut < x}``.  When there are fewer
    distinct values than ``n_classes``, the missing cut points are ``+inf``.

    Examples
    --------
    >>> jenks_cuts([1, 1, 2, 9, 9, 10], 2).tolist()
    [2.0]
    >>> jenks_cuts([4, 4, 4], 3).tolist()
    [inf, inf]
    """
    classes = jenks_classes(values, n_classes)
    cuts = [high for _, high in classes[:-1]]
    cuts += [np.inf] * (int(n_classes) - 1 - len(cuts))
    return np.asarray(cuts, dtype=float)


def rank_bound(desc, share):
    """Lower bound of the top ``round(share * n)`` values; ties go down."""
    k = int(round(share * desc.size))
    if k >= desc.size:
        return -np.inf
    if k == 0:
        return np.inf
    above = desc[:k][desc[:k] > desc[k]]
    return float(above.min()) if above.size else np.inf


def pareto_bound(desc, share):
    """Value of the smallest top set holding ``share`` of the total; ties go up."""
    cum = np.cumsum(desc) / desc.sum()
    k = int(np.searchsorted(cum, share - 1e-12, side="left"))
    return float(desc[min(k, desc.size - 1)])
