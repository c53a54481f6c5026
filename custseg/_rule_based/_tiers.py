"""UsageTiers: heavy / medium / light tiers on one usage column."""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, validate_data

from custseg._base import SegmenterMixin, profile_features
from custseg._rule_based._breaks import jenks_classes, pareto_bound, rank_bound
from custseg._rule_based._scoring import read_columns
from custseg._sklearn_compat import Interval, StrOptions, fit_context
from custseg._tables import as_pandas_table

__all__ = ["UsageTiers", "gini"]
DEFAULT_SHARES = {"rank": (0.2, 0.5), "pareto": (0.8, 0.95)}


def gini(values):
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

    Parameters
    ----------
    column : str or int, default="frequency"
        The usage column: a name, or a position.  A one-column array is read
        whatever the name.
    method : {"rank", "pareto", "thresholds", "jenks"}, default="rank"
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

    Attributes
    ----------
    thresholds_ : ndarray of float
        Lower bound of each tier but the last (``inf``: tier empty).
    tiers_ : pandas.DataFrame
        Per tier: ``tier``, ``lower_bound``, ``customers``, ``share`` (of
        customers), ``value_share`` (of the column's total), ``min``, ``max``.
    gini_ : float
        Gini coefficient of the column over all fitted customers.
    labels_, segment_names_, profiles_
        The segmenter protocol (label 0 is the heaviest tier).
    n_features_in_ : int
        Number of columns of ``X`` seen in fit.

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
        "method": [StrOptions({"rank", "pareto", "thresholds", "jenks"})],
        "shares": ["array-like", None],
        "thresholds": ["array-like", None],
        "tier_names": ["array-like"],
        "zero_tier": [str, None],
    }

    def __init__(
        self,
        column="frequency",
        *,
        method="rank",
        shares=None,
        thresholds=None,
        tier_names=("heavy", "medium", "light"),
        zero_tier=None,
    ):
        self.column = column
        self.method = method
        self.shares = shares
        self.thresholds = thresholds
        self.tier_names = tier_names
        self.zero_tier = zero_tier

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True  # usage is >= 0
        return tags

    def _read(self, X, reset):
        if hasattr(X, "columns") and not isinstance(X, np.ndarray):
            names = list(as_pandas_table(X).columns)
            name = self.column
            if isinstance(name, Integral):
                if name >= len(names):
                    raise ValueError(f"column={name} but X has {len(names)} columns.")
                name = names[name]
            values, table = read_columns(
                self, X, [name], reset=reset, owner="UsageTiers"
            )
            values = values[:, 0]
        else:
            array = validate_data(self, X, dtype=np.float64, reset=reset)
            if isinstance(self.column, Integral):
                if self.column >= array.shape[1]:
                    raise ValueError(
                        f"column={self.column} but X has {array.shape[1]} feature(s)."
                    )
                j = self.column
            elif array.shape[1] == 1:
                j = 0
            else:
                raise ValueError(
                    f"X is an array with {array.shape[1]} feature(s) and no column "
                    f"names; give column as an int position instead of {self.column!r}."
                )
            values, name = array[:, j], str(self.column)
            table = pd.DataFrame({name: values})
        negative = int((values < 0).sum())
        if negative:
            raise ValueError(
                f"UsageTiers: Negative values in data: column {name!r} has {negative} "
                "negative value(s); "
                "usage must be >= 0."
            )
        return values, table, name

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

    def _assign(self, values):
        n_tiers = self.thresholds_.size + 1
        labels = (self.thresholds_[None, :] > values[:, None]).sum(axis=1)
        if self.zero_tier is not None:
            labels = np.where(values == 0, n_tiers, labels)
        return labels.astype(np.int64)

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the tier bounds and describe the tiers.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_customers, n_features)
            Customer table (pandas, polars or numpy).
        y : None
            Ignored.

        Returns
        -------
        self : UsageTiers
        """
        names = [str(n) for n in self.tier_names]
        setting = self._check_params(len(names))
        values, table, col = self._read(X, reset=True)
        active = values[values > 0] if self.zero_tier is not None else values
        desc = np.sort(active)[::-1]
        if self.method == "thresholds":
            bounds = setting
        elif desc.size == 0:
            bounds = np.full(len(names) - 1, np.inf)
        elif self.method == "rank":
            bounds = np.array([rank_bound(desc, s) for s in setting])
            for t, (s, b) in enumerate(zip(setting, bounds, strict=True)):
                got, want = int((active >= b).sum()), int(round(s * desc.size))
                if got < want:
                    tied = int((active == desc[want]).sum()) if want < desc.size else 0
                    warnings.warn(
                        f"UsageTiers: {tied} customers share the value "
                        f"{desc[want]:g} of column {col!r} at the boundary below "
                        f"{names[t]!r}; all go to the lower tier, which leaves "
                        f"{got} instead of {want} customers above it.",
                        UserWarning,
                        stacklevel=3,
                    )
        elif self.method == "pareto":
            if desc.sum() == 0:
                raise ValueError(
                    f"UsageTiers: column {col!r} sums to 0; no value to share."
                )
            bounds = np.array([pareto_bound(desc, s) for s in setting])
        else:
            classes = jenks_classes(active, len(names))
            lows = [lo for lo, _ in classes[::-1]][:-1]
            bounds = np.array([np.inf] * (len(names) - 1 - len(lows)) + lows)
        self.thresholds_ = np.asarray(bounds, dtype=float)
        labels = self._assign(values)
        if self.zero_tier is not None:
            names.append(str(self.zero_tier))
        self._set_segments(
            table, labels, names, features=profile_features(table, [col])
        )
        self.gini_ = gini(values)
        total = values.sum()
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
                    "value_share": members.sum() / total if total else np.nan,
                    "min": members.min() if members.size else np.nan,
                    "max": members.max() if members.size else np.nan,
                }
            )
        self.tiers_ = pd.DataFrame(rows, index=pd.RangeIndex(len(names), name="label"))
        return self

    def predict(self, X):
        """Tier of each customer, with the fitted bounds.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_customers, n_features)

        Returns
        -------
        ndarray of int of shape (n_customers,)
        """
        check_is_fitted(self, "thresholds_")
        values, _, _ = self._read(X, reset=False)
        return self._assign(values)
