"""Cut points on one numeric column: quantiles, natural breaks, rank and value shares.

Shared by :class:`~custseg.RFMScorer` and :class:`~custseg.UsageTiers`.
Natural breaks are Fisher's exact optimal partition (the Jenks method with
its exact solution, which is also the optimal 1-D k-means): classes of
consecutive sorted values minimising the total within-class sum of squares.
The optimum comes from a weighted programme over the distinct values when
there are few (ties cost nothing), else from the ``ckmeans`` package (Wang
and Song's Ckmeans.1d.dp dynamic programme, compiled): exact for any number
of distinct values, in time linear in the number of values for a fixed
number of classes.  ``max_groups`` selects an opt-in approximation whose
time does not grow with the number of distinct values.  Breaks only fall
between distinct values, so equal values always share a class.
"""

from __future__ import annotations

import numpy as np
from ckmeans import ckmeans
from numpy.typing import ArrayLike

#: Runs of distinct values that ``method="jenks_approx"`` places breaks between.
APPROX_GROUPS = 1000

__all__ = [
    "APPROX_GROUPS",
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


_TABLE_LIMIT = 1000  # distinct values up to which a full cost table is cheap


def _sorted_distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted values, their distinct values and counts, with one sort."""
    ordered = np.sort(values)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    counts = np.diff(np.r_[starts, ordered.size])
    return ordered, ordered[starts], counts


def _prefix_sums(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cumulative weight, weighted sum and weighted sum of squares from 0."""
    return tuple(np.r_[0.0, np.cumsum(a)] for a in (w, w * x, w * x * x))


def _costs(sums, starts, ends):
    """Within-class sums of squares of classes ``starts..ends - 1``."""
    cw, cx, cxx = sums
    with np.errstate(divide="ignore", invalid="ignore"):
        s = cx[ends] - cx[starts]
        cost = cxx[ends] - cxx[starts] - s * s / (cw[ends] - cw[starts])
    return np.maximum(cost, 0.0)


def _table_optimum(sums, k: int) -> np.ndarray:
    """Exact weighted programme over m items with an m x m cost table.

    Returns the start index of each of the ``k`` classes.  ``O(k m^2)``
    vectorised work: cheap for the few hundred items it is used on.
    """
    m = sums[0].size - 1
    j, i = np.ogrid[:m, :m]  # row j: classes ending at j, by first item i
    cost = np.where(i <= j, _costs(sums, i, j + 1), np.inf)
    best = cost[:, 0]
    back = np.zeros((k, m), dtype=np.int64)
    rows = np.arange(m)
    for c in range(1, k):
        before = np.r_[np.inf, best[:-1]]  # best of the first classes ending at i - 1
        before[:c] = np.inf
        total = cost + before
        back[c] = np.argmin(total, axis=1)
        best = total[rows, back[c]]
    starts, end = [], m - 1
    for c in range(k - 1, 0, -1):
        starts.append(int(back[c, end]))
        end = starts[-1] - 1
    return np.array([0, *starts[::-1]], dtype=np.int64)


def _run_edges(x: np.ndarray, cum_weight: np.ndarray, groups: int) -> np.ndarray:
    """Edges of about ``groups`` runs of consecutive distinct values.

    A third of the edges split the distinct values into equal numbers, a
    third split the values (with their ties) into equal numbers and a third
    split the range into equal widths, so that far-apart values in a long
    tail are not lumped into one run that no break could split.
    """
    m, third = x.size, groups // 3 + 1
    by_distinct = np.linspace(0, m, third)
    by_count = np.searchsorted(cum_weight, np.linspace(0, cum_weight[-1], third))
    by_range = np.searchsorted(x, np.linspace(x[0], x[-1], third))
    edges = np.r_[by_distinct.round(), by_count, by_range, 0, m].astype(np.int64)
    return np.unique(np.clip(edges, 0, m))


def _refine(sums, starts: np.ndarray, reach: int, max_passes: int = 1000) -> np.ndarray:
    """Move each break to its best place between its neighbours until none moves.

    Moves are first searched within ``reach`` items of each break (cheap
    passes); the last pass searches the whole span between the neighbours,
    so on return no single break can be moved to lower the sum of squares.
    """
    m = sums[0].size - 1
    bounds = np.r_[starts, m]
    width = max(int(reach), 1)
    for _ in range(max_passes):
        moved = False
        for t in range(1, bounds.size - 1):
            lo, hi = bounds[t - 1], bounds[t + 1]
            place = np.arange(
                max(lo + 1, bounds[t] - width), min(hi, bounds[t] + width + 1)
            )
            total = _costs(sums, lo, place) + _costs(sums, place, hi)
            best = int(np.argmin(total))
            if total[best] < total[bounds[t] - place[0]]:
                bounds[t], moved = place[best], True
        if not moved:
            if width >= m:
                break
            width = m  # certify with a full search; go back to local moves after
        elif width >= m:
            width = max(int(reach), 1)
    return bounds[:-1]


def jenks_classes(
    values: ArrayLike, n_classes: int, *, max_groups: int | None = None
) -> list[tuple[float, float]]:
    """Optimal partition of ``values`` into at most ``n_classes`` classes.

    Parameters
    ----------
    values : array-like of float
        The values (finite).
    n_classes : int
        Wanted number of classes; fewer are returned when there are fewer
        distinct values.
    max_groups : int, default=None
        ``None`` (default): the exact optimum.  An int: the faster
        approximation, exact when there are at most ``max_groups`` distinct
        values or at most ``100 * max_groups`` values (where the exact
        programme is as fast).  Otherwise the sorted distinct values are cut into
        ``max_groups`` runs of (nearly) equal numbers of distinct values, the
        optimum with breaks between runs is found exactly, then each break
        is moved to its best place between its neighbours until none moves.
        The result is never worse than the best partition with breaks at
        run boundaries, and no single break can be moved to lower the
        within-class sum of squares; it may still miss the optimum.

    Returns
    -------
    list of (float, float)
        ``(min, max)`` of each class, increasing.

    Notes
    -----
    The sums of squares are computed on the values centred and divided by
    their largest deviation (the partition does not depend on the unit), so
    amounts near the float64 limit do not overflow; the bounds are the
    original values.  With few distinct values among many values (at most
    1,000, and their square at most ten times the number of values) the
    exact optimum comes from a weighted programme over the distinct values;
    otherwise from ``ckmeans`` on the sorted values.

    Examples
    --------
    >>> jenks_classes([1, 2, 3, 10, 11, 12, 30], 3)
    [(1.0, 3.0), (10.0, 12.0), (30.0, 30.0)]
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return []
    ordered, uniques, counts = _sorted_distinct(values)
    n, m = ordered.size, uniques.size
    k = min(int(n_classes), m)
    middle = uniques[0] / 2 + uniques[-1] / 2  # halves: no overflow near 1e308
    spread = float(uniques[-1] / 2 - uniques[0] / 2)
    scale = spread if spread > 0 else 1.0
    x = (uniques - middle) / scale
    # the approximation only where the exact programme (about 0.1 microsecond
    # per value and class) costs more than its fixed ~50 ms
    exact = max_groups is None or m <= max_groups or n <= 100 * max_groups
    if k <= 1:
        starts = np.zeros(1, dtype=np.int64)
    elif m <= _TABLE_LIMIT and m * m <= 10 * n:
        # few distinct values among many: a weighted programme over the
        # distinct values (~10 ns per table cell) beats ckmeans on every value
        starts = _table_optimum(_prefix_sums(x, counts.astype(float)), k)
    elif exact:
        clusters = ckmeans((ordered - middle) / scale, k)
        # Cut at each cluster's largest value. With values spanning many
        # orders of magnitude the compiled programme can put equal values in
        # two adjacent clusters; cutting at the value keeps them together.
        cuts = np.unique([cluster[-1] for cluster in clusters[:-1]])
        classes = np.searchsorted(cuts, x, side="left")  # cuts below each value
        starts = np.flatnonzero(np.r_[True, classes[1:] != classes[:-1]])
    else:
        sums = _prefix_sums(x, counts.astype(float))
        groups = max(int(max_groups), 3 * k)
        edges = _run_edges(x, sums[0], groups)
        starts = edges[_table_optimum(tuple(s[edges] for s in sums), k)]
        starts = _refine(sums, starts, reach=2 * m // groups)
    ends = np.r_[starts[1:], m] - 1
    return [
        (float(uniques[i]), float(uniques[j]))
        for i, j in zip(starts, ends, strict=True)
    ]


def jenks_cuts(
    values: ArrayLike, n_classes: int, *, max_groups: int | None = None
) -> np.ndarray:
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
    classes = jenks_classes(values, n_classes, max_groups=max_groups)
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
