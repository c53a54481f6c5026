"""UsageTiers: heavy / medium / light tiers on one usage column."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from custseg._base import SegmenterMixin, Segments, profile_features
from custseg._rule_based._breaks import (
    pareto_bound,
    rank_bins,
    rank_bound,
    rank_boundary_count,
)
from custseg._rule_based._groups import (
    apply_by_group,
    distinct_fits,
    fit_by_group,
    read_groups,
    stack_labels,
)
from custseg._rule_based._scoring import customer_ids, natural_breaks
from custseg._sklearn_compat import Interval, StrOptions
from custseg._warnings import warn

__all__ = ["UsageTiers", "gini"]
DEFAULT_SHARES = {"rank": (0.2, 0.5), "pareto": (0.8, 0.95)}


def gini(values: Any) -> float:
    """Gini coefficient of non-negative values (0: equal, near 1: concentrated).

    ``G = sum_ij |x_i - x_j| / (2 n^2 mean)``.

    Examples
    --------
    >>> gini([1, 1, 1, 1])
    0.0
    >>> gini([0, 0, 0, 4])
    0.75
    """
    x = np.sort(np.asarray(values, dtype=float))
    n, total = x.size, x.sum()
    if n == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(2.0 * np.sum(ranks * x) / (n * total) - (n + 1) / n)


class UsageTiers(SegmenterMixin, BaseEstimator):
    """Heavy / medium / light usage tiers on one column, with value shares.

    Each tier ``t`` has a lower bound ``thresholds_[t]`` (decreasing): a
    customer belongs to the first tier whose bound is at most its usage, the
    last tier takes the rest.  The bounds are learned in :meth:`fit` and
    reused in :meth:`predict`.  Equal values always share a tier.

    Methods:

    - ``"rank"``: by share of customers, counted from the heaviest user:
      ``shares=(0.2, 0.5)`` gives 20% heavy, 30% medium, 50% light.  A group
      of equal values straddling a boundary goes to the lower tier (a
      warning counts it), so a tier never exceeds its share.
    - ``"pareto"``: by cumulative share of value: the smallest set of top
      customers holding ``shares[0]`` of the total (default 80%) is heavy,
      the smallest holding ``shares[1]`` (95%) is heavy + medium, and so on.
      A tie at the boundary goes up, so the share held is at least the
      requested one.
    - ``"thresholds"``: fixed bounds, ``thresholds=(heavy_min, medium_min)``.
    - ``"jenks"``: natural breaks (exact Jenks / optimal 1-D k-means).
    - ``"jenks_approx"``: approximate natural breaks (:doc:`/user_guide/tiers`).

    Parameters
    ----------
    column : str or int, default="frequency"
        The usage column: a name, or a position.  A one-column array is read
        whatever the name.
    method : str, default="rank"
        One of the methods above.
    shares : sequence of float, default=None
        Cumulative shares from the top, one per tier but the last, increasing
        in (0, 1): of customers for ``"rank"`` (default ``(0.2, 0.5)``), of
        value for ``"pareto"`` (default ``(0.8, 0.95)``).
    thresholds : sequence of float, default=None
        For ``"thresholds"``: the minimum usage of each tier but the last, in
        tier order (decreasing).
    tier_names : sequence of str, default=("heavy", "medium", "light")
        Names from heaviest to lightest; their number sets the tiers.
    zero_tier : str, default=None
        If given, customers with zero usage form a separate tier of this
        name (the last label) and are left out when learning the bounds.
    ties : {"together", "split"}, default="together"
        For ``"rank"``: ``"together"`` keeps equal values in one tier (see
        above); ``"split"`` orders customers by usage, ties by customer id
        ascending (the table's index, else its id-like column, else the row
        order), and puts a customer above the boundary at share ``s`` when
        its percent rank ``position / (n - 1)`` exceeds ``1 - s``: this is
        openretailscience's ``HMLSegmentation`` / ``ThresholdSegmentation``
        (``PERCENT_RANK() OVER (ORDER BY value, customer_id)``; with
        ``zero_tier`` its ``"separate_segment"``).  Equal values may then
        fall in different tiers; :meth:`predict` places a customer by
        comparing its (usage, id) with the fitted boundary customers
        (``tie_breaks_``).
    group_col : str, default=None
        A column of groups (store, country): tiers are then fitted within
        each group, exactly as a loop fitting one ``UsageTiers`` per group
        would (openretailscience's ``group_col``), and :meth:`predict` tiers
        each customer on its group's bounds (a group not seen in fit is an
        error).  The table must have named columns.
    min_group_size : int, default=5
        With ``group_col``, smaller groups are tiered together (block ``"other
        groups"`` of ``tiers_``, with a warning); ``1`` fits every group apart.

    Attributes
    ----------
    thresholds_ : ndarray of float
        Cut points, one per tier but the last, decreasing: a customer whose
        usage is at least ``thresholds_[t]`` (and below the bound above it)
        is in tier ``t`` (``inf``: tier empty).  With ``ties="split"``, the
        lowest usage in each tier (equal values may sit on both sides).  With
        ``group_col``, a dict mapping each group to its cut points.
    tie_breaks_ : tuple of (ndarray, ndarray) or None
        With ``ties="split"``: usage and id of the last customer of each tier
        but the heaviest, lightest first; else ``None``.
    tiers_ : pandas.DataFrame
        Per tier: ``tier``, ``lower_bound``, ``customers``, ``share`` (of
        customers), ``value_share`` (of the column's total), ``min``, ``max``.
        With ``group_col``, one block per group (index ``group, label``).
    group_tiers_ : dict
        With ``group_col``: the ``UsageTiers`` fitted on each group (the
        groups in ``pooled_groups_``, smaller than ``min_group_size``, share
        one); else empty.
    gini_ : float
        Gini coefficient of the column over all fitted customers (all
        groups together).
    labels_ : ndarray of int64 of shape (n_customers,)
        Tier of each fitted customer (label 0 is the heaviest tier).
    n_segments_ : int
        Number of tiers.
    segment_names_ : ndarray of str
        Tier names, indexed by label.
    profiles_ : pandas.DataFrame
        One row per tier (see :class:`~custseg.SegmenterMixin`); its
        ``description`` gives the usage range.
    feature_names_in_ : ndarray of str
        ``[column]``: the one column read, when ``X`` is a DataFrame.
    n_features_in_ : int
        1 for a DataFrame (the usage column), the width of an array.

    Negative usage (a net-spend column with returns) is tiered as the lightest
    usage, with a warning counting the customers; it counts as no value in
    ``value_share``, the ``"pareto"`` shares and ``gini_``.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg import UsageTiers
    >>> X = pd.DataFrame({"frequency": [1, 1, 2, 2, 3, 4, 5, 8, 12, 40]})
    >>> tiers = UsageTiers().fit(X)
    >>> tiers.segment_names_[tiers.labels_].tolist()
    ['light', 'light', 'light', 'light', 'light', 'medium', 'medium', 'medium', 'heavy', 'heavy']
    >>> tiers.tiers_[["tier", "customers", "share", "value_share"]]
             tier  customers  share  value_share
    label
    0       heavy          2    0.2     0.666667
    1      medium          3    0.3     0.217949
    2       light          5    0.5     0.115385
    >>> tiers.thresholds_.tolist()
    [12.0, 4.0]
    >>> round(tiers.gini_, 3)
    0.6
    """

    _parameter_constraints: dict = {
        "column": [str, Interval(Integral, 0, None, closed="left")],
        "method": [
            StrOptions({"rank", "pareto", "thresholds", "jenks", "jenks_approx"})
        ],
        "shares": ["array-like", None],
        "thresholds": ["array-like", None],
        "tier_names": ["array-like"],
        "zero_tier": [str, None],
        "ties": [StrOptions({"together", "split"})],
        "group_col": [str, None],
        "min_group_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        column: str | int = "frequency",
        *,
        method: str = "rank",
        shares: Sequence[float] | None = None,
        thresholds: Sequence[float] | None = None,
        tier_names: Sequence[str] = ("heavy", "medium", "light"),
        zero_tier: str | None = None,
        ties: str = "together",
        group_col: str | None = None,
        min_group_size: int = 5,
    ) -> None:
        self.column = column
        self.method = method
        self.shares = shares
        self.thresholds = thresholds
        self.tier_names = tier_names
        self.zero_tier = zero_tier
        self.ties = ties
        self.group_col = group_col
        self.min_group_size = min_group_size

    def _input_columns(self, frame, *, named):
        names = list(frame.columns)
        if isinstance(self.column, Integral):
            if self.column >= len(names):
                raise ValueError(
                    f"UsageTiers: column={self.column} but X has {len(names)} "
                    "column(s)."
                )
            return [names[self.column]]
        if not named and self.column not in names:
            raise ValueError(
                f"UsageTiers: X is an array with {len(names)} feature(s) and no "
                f"column names; give column as an int position instead of "
                f"{self.column!r}."
            )
        return [self.column]

    def _array_columns(self, n_features):
        # a one-column array is the usage column, whatever its name
        return [str(self.column)] if n_features == 1 else None

    def _usage(self, table):
        """The usage column; negative values (net returns) are counted, not refused."""
        values = table.values[:, 0]
        negative = int((values < 0).sum())
        if negative:
            warn(
                f"UsageTiers: column {table.columns[0]!r} has {negative} negative "
                f"value(s) of {values.size} (e.g. net returns); they are tiered as "
                "the lightest usage and count as no value in value shares and "
                "gini_."
            )
        return values

    def _check_params(self, n_tiers):
        if n_tiers < 2:
            raise ValueError(f"tier_names needs at least 2 names, got {n_tiers}.")
        if self.method in DEFAULT_SHARES:
            shares = self.shares
            if shares is None:
                if n_tiers != 3:
                    raise ValueError(
                        f"{n_tiers} tiers need explicit shares ({n_tiers - 1} values)."
                    )
                shares = DEFAULT_SHARES[self.method]
            shares = np.asarray(shares, dtype=float).ravel()
            if (
                shares.size != n_tiers - 1
                or np.any(shares <= 0)
                or np.any(shares >= 1)
                or np.any(np.diff(shares) <= 0)
            ):
                raise ValueError(
                    f"shares must be {n_tiers - 1} increasing values in (0, 1), "
                    f"got {shares.tolist()}."
                )
            return shares
        if self.method == "thresholds":
            if self.thresholds is None:
                raise ValueError('method="thresholds" needs thresholds=(...).')
            bounds = np.asarray(self.thresholds, dtype=float).ravel()
            if bounds.size != n_tiers - 1 or np.any(np.diff(bounds) >= 0):
                raise ValueError(
                    f"thresholds must be {n_tiers - 1} strictly decreasing values "
                    f"(the minimum of each tier but the last), got {bounds.tolist()}."
                )
            return bounds
        return None

    def _split(self):
        return self.ties == "split" and self.method == "rank"

    def _assign(self, values, ids=None):
        n_tiers = self.thresholds_.size + 1
        if self.tie_breaks_ is not None:
            below = rank_boundary_count(
                values, ids, *self.tie_breaks_, descending=False
            )
            labels = n_tiers - 1 - below
        else:
            labels = (self.thresholds_[None, :] > values[:, None]).sum(axis=1)
        if self.zero_tier is not None:
            labels = np.where(values == 0, n_tiers, labels)
        return labels.astype(np.int64)

    def _fit_by_group(self, table):
        groups, fitted, self.pooled_groups_ = fit_by_group(self, table)
        self.group_tiers_ = fitted
        self.thresholds_ = {g: t.thresholds_ for g, t in fitted.items()}
        self.tie_breaks_ = {g: t.tie_breaks_ for g, t in fitted.items()}
        fits = list(distinct_fits(fitted, groups, self.pooled_groups_))
        self.tiers_ = pd.concat(
            {key: t.tiers_ for key, t, _ in fits}, names=["group", "label"]
        )
        labels = stack_labels(fits, len(table.frame))
        first = next(iter(fitted.values()))
        self.gini_ = gini(np.clip(table.values[:, 0], 0.0, None))
        return Segments(
            labels,
            list(first.segment_names_),
            descriptions=[
                f"{name} within its {self.group_col}" for name in first.segment_names_
            ],
            profile={"features": profile_features(table.frame, [table.columns[0]])},
        )

    def _fit_segments(self, table):
        self.group_tiers_, self.pooled_groups_ = {}, []
        if self.group_col is not None:
            return self._fit_by_group(table)
        names = [str(n) for n in self.tier_names]
        setting = self._check_params(len(names))
        values = self._usage(table)
        col = table.columns[0]
        # value shares ignore negative usage; scaling keeps sums of values near
        # the float64 limit finite (shares and the Gini are scale-free)
        worth = np.clip(values, 0.0, None)
        top = float(worth.max(initial=0.0))
        worth = worth / top if top > 0 else worth
        keep = values > 0 if self.zero_tier is not None else np.ones_like(values, bool)
        active = values[keep]
        desc = np.sort(active)[::-1]
        self.tie_breaks_ = None
        ids = customer_ids(table.frame) if self._split() else None
        if self._split() and desc.size:
            levels = np.sort(1.0 - setting)
            bins, cut_values, cut_ids = rank_bins(
                active, ids[keep], len(names), method="percent_rank", levels=levels
            )
            self.tie_breaks_ = (cut_values, cut_ids)
            tier = len(names) - 1 - bins
            bounds = np.array(
                [
                    active[tier == t].min() if (tier == t).any() else np.inf
                    for t in range(len(names) - 1)
                ]
            )
        elif self.method == "thresholds":
            bounds = setting
        elif desc.size == 0:
            bounds = np.full(len(names) - 1, np.inf)
        elif self.method == "rank":
            bounds = np.array([rank_bound(desc, s) for s in setting])
            for t, (s, b) in enumerate(zip(setting, bounds, strict=True)):
                got, want = int((active >= b).sum()), int(round(s * desc.size))
                if got < want:
                    tied = int((active == desc[want]).sum()) if want < desc.size else 0
                    warn(
                        f"UsageTiers: {tied} customers share the value "
                        f"{desc[want]:g} of column {col!r} at the boundary below "
                        f"{names[t]!r}; all go to the lower tier, which leaves "
                        f"{got} instead of {want} customers above it."
                    )
        elif self.method == "pareto":
            order = np.argsort(-active, kind="stable")
            desc_worth = worth[keep][order]
            if desc_worth.sum() == 0:
                raise ValueError(
                    f"UsageTiers: column {col!r} has no positive value; no value "
                    "to share."
                )
            cuts = [pareto_bound(desc_worth, s) for s in setting]
            # back to original units: the smallest usage at or above each cut
            bounds = np.array([desc[desc_worth >= c].min() for c in cuts])
        else:
            classes = natural_breaks(active, len(names), approx=self.method != "jenks")
            lows = [lo for lo, _ in classes[::-1]][:-1]
            bounds = np.array([np.inf] * (len(names) - 1 - len(lows)) + lows)
        self.thresholds_ = np.asarray(bounds, dtype=float)
        labels = self._assign(values, ids)
        if self.zero_tier is not None:
            names.append(str(self.zero_tier))
        self.gini_ = gini(worth)
        total = worth.sum()
        rows = []
        for label, name in enumerate(names):
            members = values[labels == label]
            if label < self.thresholds_.size:
                lower = self.thresholds_[label]
            else:
                lower = 0.0 if label == len(names) - 1 and self.zero_tier else -np.inf
            rows.append(
                {
                    "tier": name,
                    "lower_bound": lower,
                    "customers": members.size,
                    "share": members.size / values.size,
                    "value_share": worth[labels == label].sum() / total
                    if total
                    else np.nan,
                    "min": members.min() if members.size else np.nan,
                    "max": members.max() if members.size else np.nan,
                }
            )
        self.tiers_ = pd.DataFrame(rows, index=pd.RangeIndex(len(names), name="label"))
        return Segments(
            labels,
            names,
            descriptions=self._describe(col, len(names)),
            profile={"features": profile_features(table.frame, [col])},
        )

    def _describe(self, col, n_names):
        """One line per tier: the usage range it covers."""
        bounds = self.thresholds_
        lines = []
        for label in range(bounds.size + 1):
            low = bounds[label] if label < bounds.size else None
            high = bounds[label - 1] if label > 0 else None
            if low is not None and not np.isfinite(low):
                lines.append(f"empty: no customer reaches this tier's bound of {col}")
            elif high is None:
                lines.append(f"{col} >= {low:.4g}")
            elif low is None or (self.zero_tier is not None and low <= 0):
                lines.append(f"{col} < {high:.4g}")
            else:
                lines.append(f"{col} >= {low:.4g} and < {high:.4g}")
        if n_names > bounds.size + 1:
            lines.append(f"{col} = 0")
        return lines

    def _predict_segments(self, table):
        if self.group_tiers_:
            owner = type(self).__name__
            groups = read_groups(table.named, table.frame, self.group_col, owner)
            return apply_by_group(
                self.group_tiers_,
                "predict",
                table.frame,
                groups,
                owner=owner,
                group_col=self.group_col,
            ).astype(np.int64)
        ids = customer_ids(table.frame) if self.tie_breaks_ is not None else None
        return self._assign(table.values[:, 0], ids)
