"""RFMScorer: recency, frequency and monetary values to scores 1..n_bins."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from custseg._rule_based._breaks import jenks_classes, quantile_cuts
from custseg._sklearn_compat import Interval, StrOptions, fit_context
from custseg._tables import read_customer_table, reset_fitted_attributes
from custseg._warnings import warn

__all__ = ["RFMScorer", "natural_breaks", "score_values"]

METRICS = "recency", "frequency", "monetary"


def natural_breaks(values, n_classes):
    """Jenks classes ``(min, max)`` of values of any magnitude.

    The sums of squares are computed on values divided by the largest
    absolute value (the partition does not depend on the unit), so amounts
    near the float64 limit do not overflow; the bounds are the original
    values.
    """
    values = np.asarray(values, dtype=float)
    top = float(np.abs(values).max(initial=0.0))
    if top == 0:
        return jenks_classes(values, n_classes)
    distinct = np.unique(values)
    scaled = distinct / top
    classes = jenks_classes(values / top, n_classes)
    low = np.searchsorted(scaled, [lo for lo, _ in classes], side="left")
    high = np.searchsorted(scaled, [hi for _, hi in classes], side="right") - 1
    return [
        (float(distinct[i]), float(distinct[j])) for i, j in zip(low, high, strict=True)
    ]


def _jenks_cuts(values, n_bins):
    """Upper bounds of all classes but the last; ``+inf`` for missing ones."""
    cuts = [high for _, high in natural_breaks(values, n_bins)[:-1]]
    cuts += [np.inf] * (int(n_bins) - 1 - len(cuts))
    return np.asarray(cuts, dtype=float)


def score_values(values, cuts, n_bins, *, reverse=False):
    """Score values with right-closed cut points: ``1 + #{cut < x}``."""
    bins = np.searchsorted(np.asarray(cuts, dtype=float), values, side="left")
    scores = bins + 1
    return (n_bins + 1 - scores) if reverse else scores


class RFMScorer(TransformerMixin, BaseEstimator):
    """Score recency, frequency and monetary value from 1 to ``n_bins``.

    Cut points are learned in :meth:`fit` and stored in ``thresholds_``;
    :meth:`transform` reuses them, so a later period is scored on the scale
    of the period the scorer was fitted on.  A higher score is always better:
    recency is reversed (the most recent customers get ``n_bins``).

    Bins are right-closed, like :func:`pandas.cut`: a value equal to a cut
    point falls in the lower bin, so the score of ``x`` is ``1 + #{cut < x}``
    (``n_bins - #{cut < x}`` for recency).  Equal values therefore always get
    equal scores.  When many customers share a value (most customers of a
    shop buy once), several quantile cut points coincide, some scores are
    never used and a warning says how many distinct bins remain: a tie group
    gets the score of the lowest quantile level it reaches (for frequency and
    monetary) or the highest (for recency, whose bins are reversed).

    Parameters
    ----------
    n_bins : int, default=5
        Number of scores per metric.
    method : {"quantile", "jenks"}, default="quantile"
        How cut points are learned: the ``1/n_bins, 2/n_bins, ...`` quantiles
        (linear interpolation), or natural breaks (the exact Jenks / optimal
        1-D k-means partition, see ``custseg._rule_based._breaks``).
    thresholds : dict, default=None
        Custom cut points per metric, e.g. ``{"recency": [30, 90, 180, 365]}``
        (days), overriding ``method`` for that metric: ``n_bins - 1``
        increasing values in original units, each the upper end of its bin.
        Keys are ``"recency"``, ``"frequency"``, ``"monetary"``.
    recency_col, frequency_col, monetary_col : str
        Columns read from a DataFrame (pandas or polars); other columns are
        ignored.  A numpy array is read by position: exactly three columns,
        recency, frequency, monetary.

    Attributes
    ----------
    thresholds_ : dict of str to ndarray
        Cut points per metric, ``n_bins - 1`` increasing values in original
        units: a value above ``k`` of them gets the score ``k + 1`` (reversed
        for recency); a value equal to a cut point stays in the lower bin.
    n_bins_used_ : dict of str to int
        Number of distinct scores given to the fitting customers per metric.
    n_features_in_ : int
        Number of columns read: 3.
    feature_names_in_ : ndarray of str
        The three columns read (``recency_col``, ``frequency_col``,
        ``monetary_col``), when ``X`` is a DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg import RFMScorer
    >>> customers = pd.DataFrame(
    ...     {"recency": [2, 10, 40, 90, 300, 5],
    ...      "frequency": [9, 4, 3, 1, 1, 6],
    ...      "monetary": [900.0, 120.0, 80.0, 15.0, 20.0, 400.0]},
    ...     index=pd.Index(list("abcdef"), name="customer_id"))
    >>> scorer = RFMScorer(n_bins=3).fit(customers)
    >>> scorer.thresholds_["recency"].round(1).tolist()
    [8.3, 56.7]
    >>> scorer.set_output(transform="pandas").transform(customers)
                 recency_score  frequency_score  monetary_score
    customer_id
    a                        3                3               3
    b                        2                2               2
    c                        2                2               2
    d                        1                1               1
    e                        1                1               1
    f                        3                3               3
    """

    _parameter_constraints: dict = {
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "method": [StrOptions({"quantile", "jenks"})],
        "thresholds": [dict, None],
        "recency_col": [str],
        "frequency_col": [str],
        "monetary_col": [str],
    }

    def __init__(
        self,
        n_bins=5,
        *,
        method="quantile",
        thresholds=None,
        recency_col="recency",
        frequency_col="frequency",
        monetary_col="monetary",
    ):
        self.n_bins = n_bins
        self.method = method
        self.thresholds = thresholds
        self.recency_col = recency_col
        self.frequency_col = frequency_col
        self.monetary_col = monetary_col

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # scores are ints
        return tags

    @property
    def _columns(self):
        return [self.recency_col, self.frequency_col, self.monetary_col]

    def _input_columns(self, frame, *, named):
        return self._columns

    def _array_columns(self, n_features):
        if n_features != len(METRICS):
            raise ValueError(
                f"X has {n_features} feature(s) but {type(self).__name__} reads an "
                f"array by position and needs exactly 3 columns: {self._columns}."
            )
        return self._columns

    def _custom_cuts(self, metric):
        given = self.thresholds[metric]
        cuts = np.asarray(given, dtype=object).ravel()
        if not all(isinstance(c, Real) and not isinstance(c, bool) for c in cuts):
            raise TypeError(
                f"thresholds[{metric!r}] must be numbers (cut points in original "
                f"units), got {list(cuts)!r}."
            )
        cuts = cuts.astype(float)
        if cuts.size != self.n_bins - 1:
            raise ValueError(
                f"thresholds[{metric!r}] has {cuts.size} value(s); n_bins={self.n_bins} "
                f"needs {self.n_bins - 1} cut points."
            )
        if not np.all(np.isfinite(cuts)) or np.any(np.diff(cuts) <= 0):
            raise ValueError(
                f"thresholds[{metric!r}] must be finite and strictly increasing, "
                f"got {cuts.tolist()}."
            )
        return cuts

    def _check_thresholds(self):
        thresholds = dict(self.thresholds or {})
        unknown = set(thresholds) - set(METRICS)
        if unknown:
            raise ValueError(
                f"thresholds has unknown key(s) {sorted(unknown, key=str)}; use "
                f"{list(METRICS)}."
            )
        return {metric: self._custom_cuts(metric) for metric in thresholds}

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the cut points of each metric.

        Parameters
        ----------
        X : DataFrame, lazy frame or array-like of shape (n_customers, n_features)
            Customer table with recency (days), frequency and monetary, read
            by name (other columns are never read); an array by position.
        y : None
            Ignored.

        Returns
        -------
        self : RFMScorer
        """
        reset_fitted_attributes(self)
        custom = self._check_thresholds()
        table = read_customer_table(self, X, reset=True)
        return self._fit_values(table.values, custom)

    def _fit_values(self, values, custom):
        """Learn the cut points from the checked (n, 3) values."""
        if values.shape[0] < 2:
            raise ValueError(
                f"RFMScorer needs at least 2 customers to learn cut points, got "
                f"n_samples = {values.shape[0]}."
            )
        self.thresholds_, self.n_bins_used_ = {}, {}
        for j, (metric, col) in enumerate(zip(METRICS, self._columns, strict=True)):
            column = values[:, j]
            if metric in custom:
                cuts = custom[metric]
            elif self.method == "quantile":
                cuts = quantile_cuts(column, self.n_bins)
            else:
                cuts = _jenks_cuts(column, self.n_bins)
            self.thresholds_[metric] = cuts
            scores = score_values(
                column, cuts, self.n_bins, reverse=metric == "recency"
            )
            used = np.unique(scores)
            self.n_bins_used_[metric] = int(used.size)
            if used.size < self.n_bins and metric not in custom:
                top_value, top_count = _most_common(column)
                warn(
                    f"RFMScorer: ties in column {col!r} collapse the {self.n_bins} "
                    f"{self.method} bins to {used.size} (scores used: "
                    f"{', '.join(map(str, used))}); the most common value "
                    f"{top_value:g} is shared by {top_count} of {column.size} "
                    "customers."
                )
        return self

    def _score(self, values):
        out = np.empty(values.shape[:1] + (3,), dtype=np.int64)
        for j, metric in enumerate(METRICS):
            out[:, j] = score_values(
                values[:, j],
                self.thresholds_[metric],
                self.n_bins,
                reverse=metric == "recency",
            )
        return out

    def transform(self, X):
        """Score customers with the fitted cut points.

        Parameters
        ----------
        X : DataFrame, lazy frame or array-like of shape (n_customers, n_features)
            Customer table, read like in :meth:`fit`.

        Returns
        -------
        ndarray of int of shape (n_customers, 3)
            ``recency_score, frequency_score, monetary_score`` (or a
            DataFrame with those columns, see ``set_output``).
        """
        check_is_fitted(self)
        return self._score(read_customer_table(self, X, reset=False).values)

    def get_feature_names_out(self, input_features=None):
        """Names of the score columns: ``recency_score`` etc.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Ignored; the output names do not depend on the input names.

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self)
        return np.asarray([f"{m}_score" for m in METRICS], dtype=object)


def _most_common(column):
    uniques, counts = np.unique(column, return_counts=True)
    k = int(np.argmax(counts))
    return float(uniques[k]), int(counts[k])
