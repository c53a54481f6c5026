"""Cut points on one numeric column: quantiles, natural breaks, rank and value shares.

Shared by :class:`~custseg.RFMScorer` and :class:`~custseg.UsageTiers`.
Natural breaks are Fisher's exact optimal partition (the Jenks method with
its exact solution, which is also the optimal 1-D k-means): classes of
consecutive sorted values minimising the total within-class sum of squares.
The optimum comes from the ``ckmeans`` package (Wang and Song's
Ckmeans.1d.dp dynamic programme, compiled): exact for any number of distinct
values, in time linear in the number of values for a fixed number of
classes. Breaks only fall between distinct values, so equal values always
share a class.
"""

from __future__ import annotations

import numpy as np
from ckmeans import ckmeans
from numpy.typing import ArrayLike

__all__ = [
    "jenks_classes",
    "jenks_cuts",
    "pareto_bound",
    "qcut_cuts",
    "quantile_cuts",
    "rank_bins",
    "rank_bound",
    "rank_boundary_count",
]


def quantile_cuts(values: ArrayLike, n_bins: int) -> np.ndarray:
    """Return the ``n_bins - 1`` inner quantiles of ``values`` (linear rule).

    Examples
    --------
    >>> quantile_cuts([1, 2, 3, 4, 5], 4).tolist()
    [2.0, 3.0, 4.0]
    """
    values = np.asarray(values, dtype=float)
    levels = np.arange(1, n_bins) / n_bins
    return np.quantile(values, levels)


def qcut_cuts(values: ArrayLike, n_bins: int) -> np.ndarray:
    """Inner quantile cut points as :func:`pandas.qcut` keeps them.

    ``pandas.qcut(values, n_bins, duplicates="drop")`` takes the ``0, 1/n,
    ..., 1`` quantiles (linear rule) as bin edges and drops repeated edges;
    the inner edges left are the cut points (right-closed bins).

    Examples
    --------
    >>> qcut_cuts([1, 1, 1, 1, 2, 3, 9, 10], 4).tolist()
    [1.5, 4.5]
    """
    values = np.asarray(values, dtype=float)
    edges = np.unique(np.quantile(values, np.linspace(0, 1, int(n_bins) + 1)))
    return edges[1:-1]


def jenks_classes(values: ArrayLike, n_classes: int) -> list[tuple[float, float]]:
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
    if values.size == 0:
        return []
    clusters = ckmeans(values, min(int(n_classes), values.size))
    # Cut at each cluster's largest value. With values spanning many orders of
    # magnitude the compiled programme can put equal values in two adjacent
    # clusters; cutting at the value keeps them together in the lower class.
    cuts = np.unique([cluster[-1] for cluster in clusters[:-1]])
    uniques = np.unique(values)
    classes = np.searchsorted(cuts, uniques, side="left")  # number of cuts below
    starts = np.flatnonzero(np.r_[True, classes[1:] != classes[:-1]])
    ends = np.r_[starts[1:] - 1, uniques.size - 1]
    return [
        (float(uniques[i]), float(uniques[j]))
        for i, j in zip(starts, ends, strict=True)
    ]


def jenks_cuts(values: ArrayLike, n_classes: int) -> np.ndarray:
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


def _id_ranks(ids):
    """Rank of each customer id in ascending id order (ties of ids keep row order)."""
    order = np.argsort(np.asarray(ids), kind="stable")
    ranks = np.empty(order.size, dtype=np.int64)
    ranks[order] = np.arange(order.size)
    return ranks


def rank_bins(
    values: ArrayLike,
    ids: ArrayLike,
    n_bins: int,
    *,
    method: str,
    descending: bool = False,
    levels: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bins 0..n_bins-1 of equal counts, ties split by customer id.

    Customers are ordered by value (descending if ``descending``), ties by
    customer id ascending, then cut into ``n_bins`` groups:

    - ``method="ntile"``: SQL ``NTILE(n_bins) OVER (ORDER BY value, id)``:
      group sizes differ by at most one, the larger groups first;
    - ``method="rank"``: ``pandas.qcut(values.rank(method="first"), n_bins)``:
      quantile cut points (linear rule) on the positions ``1..n``;
    - ``method="percent_rank"``: SQL ``PERCENT_RANK()`` (``position / (n - 1)``)
      against the increasing ``levels``: a customer's bin is the number of
      levels strictly below its percent rank (``n_bins = len(levels) + 1``).

    Returns ``(bins, boundary_values, boundary_ids)``; the boundaries are the
    value and id of the last customer with bin ``<= b`` for ``b`` in
    ``0..n_bins-2``, so that :func:`rank_boundary_count` places any customer,
    fitted or new, by comparing its (value, id) to them.

    Examples
    --------
    >>> bins, cut_values, cut_ids = rank_bins(
    ...     [5, 1, 1, 1, 3], ["e", "d", "c", "b", "a"], 2, method="ntile")
    >>> bins.tolist(), cut_values.tolist(), cut_ids.tolist()
    ([1, 0, 0, 0, 1], [1.0], ['d'])
    """
    values = np.asarray(values, dtype=float)
    ids = np.asarray(ids)
    n = values.size
    order = np.lexsort((_id_ranks(ids), -values if descending else values))
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    if method == "ntile":
        size, extra = divmod(n, n_bins)
        big = extra * (size + 1)  # rows in the larger groups, which come first
        later = extra + (position - big) // max(size, 1)
        bins = np.where(position < big, position // (size + 1), later)
    elif method == "percent_rank":
        percent = position / (n - 1) if n > 1 else np.zeros(n)
        bins = np.searchsorted(np.asarray(levels, dtype=float), percent, side="left")
    else:
        edges = np.quantile(np.arange(1, n + 1), np.linspace(0, 1, n_bins + 1))
        bins = np.searchsorted(edges[1:-1], position + 1, side="left")
    sorted_bins = bins[order]
    last = np.searchsorted(sorted_bins, np.arange(n_bins - 1), side="right") - 1
    last = order[np.maximum(last, 0)]
    return bins, values[last], ids[last]


def rank_boundary_count(
    values: ArrayLike,
    ids: ArrayLike,
    boundary_values: ArrayLike,
    boundary_ids: ArrayLike,
    *,
    descending: bool,
) -> np.ndarray:
    """Number of boundaries strictly before each (value, id) in the bin order."""
    values = np.asarray(values, dtype=float)
    ids = np.asarray(ids)
    count = np.zeros(values.size, dtype=np.int64)
    for cut_value, cut_id in zip(boundary_values, boundary_ids, strict=True):
        after = values < cut_value if descending else values > cut_value
        count += after | ((values == cut_value) & (ids > cut_id))
    return count


def rank_bound(desc: np.ndarray, share: float) -> float:
    """Lower bound of the top ``round(share * n)`` values; ties go down."""
    k = int(round(share * desc.size))
    if k >= desc.size:
        return -np.inf
    if k == 0:
        return np.inf
    above = desc[:k][desc[:k] > desc[k]]
    return float(above.min()) if above.size else np.inf


def pareto_bound(desc: np.ndarray, share: float) -> float:
    """Value of the smallest top set holding ``share`` of the total; ties go up."""
    cum = np.cumsum(desc) / desc.sum()
    k = int(np.searchsorted(cum, share - 1e-12, side="left"))
    return float(desc[min(k, desc.size - 1)])
