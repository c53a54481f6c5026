"""RFMScorer: recency, frequency and monetary values to scores 1..n_bins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any, Self

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from custseg._rule_based._breaks import (
    APPROX_GROUPS,
    jenks_classes,
    qcut_cuts,
    quantile_cuts,
    rank_bins,
    rank_boundary_count,
)
from custseg._rule_based._groups import apply_by_group, fit_by_group, read_groups
from custseg._rule_based._rule_presets import refuse_btyd_for_default_columns
from custseg._sklearn_compat import Interval, StrOptions, fit_context
from custseg._tables import looks_like_id, read_customer_table, reset_fitted_attributes
from custseg._warnings import warn

__all__ = ["RFMScorer", "customer_ids", "natural_breaks", "score_values"]

METRICS = "recency", "frequency", "monetary"


def customer_ids(table: pd.DataFrame) -> np.ndarray:
    """Customer ids of a customer table, for splitting ties.

    The index of a pandas table unless it is the default range; else the
    first column whose name looks like an id (``customer_id``, ``CustomerID``);
    else the row positions.
    """
    index = table.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        return np.asarray(index)
    for name in table.columns:
        if looks_like_id(name):
            return table[name].to_numpy()
    return np.arange(len(table))


def natural_breaks(values, n_classes, *, approx=False):
    """Jenks classes ``(min, max)``; ``approx`` for the grouped approximation."""
    return jenks_classes(
        values, n_classes, max_groups=APPROX_GROUPS if approx else None
    )


def _jenks_cuts(values, n_bins, approx):
    """Upper bounds of all classes but the last; ``+inf`` for missing ones."""
    cuts = [high for _, high in natural_breaks(values, n_bins, approx=approx)[:-1]]
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
    method : str, default="quantile"
        How cut points are learned, one of:

        - ``"quantile"``: the ``1/n_bins, 2/n_bins, ...`` quantiles (linear
          interpolation); when ties make cut points coincide, the scores
          between them are skipped (a tie group keeps the score of the
          quantile level it reaches).
        - ``"qcut"``: the same quantiles as :func:`pandas.qcut` with
          ``duplicates="drop"``: coinciding cut points (and cut points equal
          to the minimum or maximum) are merged and the remaining bins are
          numbered ``1..b`` without gaps, ``b`` the number of bins left
          (recency ``b..1``).  This is PyMC-Marketing's ``rfm_segments``
          quartile scoring, relabelling included, and the scoring of the
          ``"pymc"`` rule preset.
        - ``"jenks"``: natural breaks (the exact Jenks / optimal 1-D k-means
          partition).
        - ``"jenks_approx"``: approximate natural breaks, faster than
          ``"jenks"`` on millions of distinct values: exact up to 1,000
          distinct values or 100,000 values, else breaks searched between
          about 1,000 runs of distinct values then each moved to its best
          place between its neighbours (see :doc:`/user_guide/tiers`).
        - ``"rank"`` and ``"ntile"``: equal-count bins that split ties
          deterministically: customers are ordered by value, ties by customer
          id ascending (the index of a pandas table, else its first id-like
          column such as ``customer_id``, else the row order).  ``"rank"`` is
          ``pandas.qcut(x.rank(method="first"), n_bins)`` with recency labels
          reversed, as PyPI ``rfm`` scores; ``"ntile"`` is SQL ``NTILE(n_bins)
          OVER (ORDER BY x, id)`` with recency ordered from the oldest
          purchase (``ORDER BY recency DESC, id``), as openretailscience
          scores (its 0-based scores plus one).  Equal values may then get
          different scores; :meth:`transform` places a customer by comparing
          its (value, id) with the fitted boundary customers
          (``tie_breaks_``), so the fitted customers keep their scores.
    thresholds : dict, default=None
        Custom cut points per metric, e.g. ``{"recency": [30, 90, 180, 365]}``
        (days), overriding ``method`` for that metric: ``n_bins - 1``
        increasing values in original units, each the upper end of its bin.
        Keys are ``"recency"``, ``"frequency"``, ``"monetary"``.
    recency_col, frequency_col, monetary_col : str
        Columns read from a DataFrame (pandas or polars); other columns are
        ignored.  A numpy array is read by position: exactly three columns,
        recency, frequency, monetary.
    group_col : str, default=None
        A column of groups (store, country): cut points are then fitted
        within each group, exactly as a loop fitting one scorer per group
        would, and :meth:`transform` scores each customer on its group's
        scale (a group not seen in fit is an error).  The table must have
        named columns.
    min_group_size : int, default=5
        With ``group_col``: groups with fewer customers are fitted pooled
        together (with a warning counting them, see ``pooled_groups_``): five
        customers are the fewest on which quintiles can give every score.
        ``1`` fits every group apart (each then needs 2 customers).

    Attributes
    ----------
    thresholds_ : dict of str to ndarray
        Cut points per metric, ``n_bins - 1`` increasing values in original
        units (fewer with ``method="qcut"`` when ties merge bins): a value
        above ``k`` of them gets the score ``k + 1`` (reversed for recency);
        a value equal to a cut point stays in the lower bin.  With
        ``group_col``, a dict mapping each group to such a dict (likewise
        ``tie_breaks_`` and ``n_bins_used_``).
    tie_breaks_ : dict of str to ndarray
        With ``method="rank"`` or ``"ntile"``: the customer id of the last
        customer of each bin but the last (``thresholds_`` holds its value);
        empty for the other methods.
    group_scorers_ : dict
        With ``group_col``: the scorer fitted on each group (the pooled
        groups share one); else empty.
    pooled_groups_ : list
        Groups smaller than ``min_group_size``, fitted pooled together.
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
        "method": [
            StrOptions({"quantile", "qcut", "jenks", "jenks_approx", "rank", "ntile"})
        ],
        "thresholds": [dict, None],
        "recency_col": [str],
        "frequency_col": [str],
        "monetary_col": [str],
        "group_col": [str, None],
        "min_group_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_bins: int = 5,
        *,
        method: str = "quantile",
        thresholds: Mapping[str, Sequence[float]] | None = None,
        recency_col: str = "recency",
        frequency_col: str = "frequency",
        monetary_col: str = "monetary",
        group_col: str | None = None,
        min_group_size: int = 5,
    ) -> None:
        self.n_bins = n_bins
        self.method = method
        self.thresholds = thresholds
        self.recency_col = recency_col
        self.frequency_col = frequency_col
        self.monetary_col = monetary_col
        self.group_col = group_col
        self.min_group_size = min_group_size

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

    def _rank_order(self, metric):
        """(descending order, reversed labels) of a rank method for ``metric``."""
        recency = metric == "recency"
        if self.method == "ntile":  # ORDER BY recency DESC: oldest first
            return recency, False
        return False, recency

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
    def fit(self, X: Any, y: None = None) -> Self:
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
        refuse_btyd_for_default_columns(X, self._columns)
        table = read_customer_table(self, X, reset=True)
        if self.group_col is not None:
            return self._fit_groups(table)
        ids = customer_ids(table.frame) if self.method in ("rank", "ntile") else None
        return self._fit_values(table.values, custom, ids)

    def _fit_groups(self, table):
        _, self.group_scorers_, self.pooled_groups_ = fit_by_group(self, table)
        fitted = self.group_scorers_.items()
        self.thresholds_ = {g: s.thresholds_ for g, s in fitted}
        self.tie_breaks_ = {g: s.tie_breaks_ for g, s in fitted}
        self.n_bins_used_ = {g: s.n_bins_used_ for g, s in fitted}
        return self

    def _fit_values(self, values, custom, ids=None):
        """Learn the cut points from the checked (n, 3) values."""
        if values.shape[0] < 2:
            raise ValueError(
                f"RFMScorer needs at least 2 customers to learn cut points, got "
                f"n_samples = {values.shape[0]}."
            )
        self.thresholds_, self.n_bins_used_, self.tie_breaks_ = {}, {}, {}
        self.group_scorers_, self.pooled_groups_ = {}, []
        for j, (metric, col) in enumerate(zip(METRICS, self._columns, strict=True)):
            column = values[:, j]
            if metric not in custom and ids is not None:
                descending, reverse = self._rank_order(metric)
                bins, cuts, self.tie_breaks_[metric] = rank_bins(
                    column, ids, self.n_bins, method=self.method, descending=descending
                )
                self.thresholds_[metric] = cuts
                scores = (self.n_bins - bins) if reverse else bins + 1
                self.n_bins_used_[metric] = int(np.unique(scores).size)
                continue
            if metric in custom:
                cuts = custom[metric]
            elif self.method == "quantile":
                cuts = quantile_cuts(column, self.n_bins)
            elif self.method == "qcut":
                cuts = qcut_cuts(column, self.n_bins)
            else:
                cuts = _jenks_cuts(
                    column, self.n_bins, approx=self.method == "jenks_approx"
                )
            self.thresholds_[metric] = cuts
            scores = score_values(
                column, cuts, cuts.size + 1, reverse=metric == "recency"
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

    def _score(self, values, ids=None):
        out = np.empty(values.shape[:1] + (3,), dtype=np.int64)
        for j, metric in enumerate(METRICS):
            cuts = self.thresholds_[metric]
            if metric in self.tie_breaks_:
                descending, reverse = self._rank_order(metric)
                bins = rank_boundary_count(
                    values[:, j],
                    ids,
                    cuts,
                    self.tie_breaks_[metric],
                    descending=descending,
                )
                out[:, j] = (self.n_bins - bins) if reverse else bins + 1
                continue
            out[:, j] = score_values(
                values[:, j], cuts, cuts.size + 1, reverse=metric == "recency"
            )
        return out

    def transform(self, X: Any) -> np.ndarray:
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
        table = read_customer_table(self, X, reset=False)
        if self.group_scorers_:
            owner = type(self).__name__
            groups = read_groups(table.named, table.frame, self.group_col, owner)
            return apply_by_group(
                self.group_scorers_,
                "transform",
                table.frame,
                groups,
                owner=owner,
                group_col=self.group_col,
            ).astype(np.int64)
        ids = customer_ids(table.frame) if self.tie_breaks_ else None
        return self._score(table.values, ids)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
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
