"""Baseline segmenters: what a segmentation must beat to be worth using.

- :class:`RandomSegmenter` assigns customers to segments at random, so its
  segments carry no information: any real segmentation should beat it on
  separation, stability and prediction of a later outcome.
- :class:`QuantileSegmenter` cuts one feature at its quantiles, the
  simplest rule a business could use ("top third by spend").
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from custseg._base import SegmenterMixin, profile_features
from custseg._rule_based import quantile_cuts
from custseg._sklearn_compat import Interval, fit_context
from custseg._tables import as_pandas_table, check_numeric_columns

__all__ = ["QuantileSegmenter", "RandomSegmenter"]


class RandomSegmenter(SegmenterMixin, BaseEstimator):
    """Assign customers to segments at random: the no-information baseline.

    Parameters
    ----------
    n_segments : int, default=5
        Number of segments.
    shares : array-like of float, optional
        Expected share of each segment (normalised to sum to 1), e.g. the
        shares of the segmentation being compared, so that the baseline has
        the same sizes.  Default: equal shares.  ``fit`` assigns exactly
        ``round(share * n)`` customers per segment; ``predict`` draws each
        customer independently with these probabilities.
    random_state : int, RandomState instance or None, default=None
        Seed of the assignment.  ``predict`` is reproducible for a fitted
        model: it draws from a seed chosen in ``fit``.

    Attributes
    ----------
    labels_ : ndarray of int, shape (n_samples,)
    segment_names_ : ndarray of str
        ``"random 0"``, ``"random 1"``, ...
    profiles_ : pandas.DataFrame
        See :func:`custseg.segment_profiles`.
    shares_ : ndarray of float
        The normalised shares.
    seed_ : int
        Seed of ``predict``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has column names.

    Examples
    --------
    >>> import numpy as np
    >>> from custseg import RandomSegmenter
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> RandomSegmenter(n_segments=2, random_state=0).fit(X).labels_
    array([0, 1, 0, 1, 0, 1, 1, 0, 0, 1])
    """

    _parameter_constraints = {
        "n_segments": [Interval(numbers.Integral, 1, None, closed="left")],
        "shares": ["array-like", None],
        "random_state": ["random_state"],
    }

    def __init__(self, n_segments=5, *, shares=None, random_state=None):
        self.n_segments = n_segments
        self.shares = shares
        self.random_state = random_state

    def _shares(self):
        if self.shares is None:
            return np.full(self.n_segments, 1.0 / self.n_segments)
        shares = np.asarray(self.shares, dtype=float)
        if (
            shares.shape != (self.n_segments,)
            or (shares < 0).any()
            or shares.sum() <= 0
        ):
            raise ValueError(
                f"shares must be {self.n_segments} non-negative numbers (one per "
                f"segment) with a positive sum, got {self.shares!r}."
            )
        return shares / shares.sum()

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Assign every row of ``X`` to a random segment.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self
        """
        validate_data(self, X, dtype=None, ensure_all_finite=False)
        table = as_pandas_table(X)
        self.shares_ = self._shares()
        rng = check_random_state(self.random_state)
        n = table.shape[0]
        counts = np.floor(self.shares_ * n).astype(np.int64)
        remainder = self.shares_ * n - counts
        counts[np.argsort(-remainder, kind="stable")[: n - counts.sum()]] += 1
        labels = np.repeat(np.arange(self.n_segments), counts)
        rng.shuffle(labels)
        self.seed_ = int(rng.randint(np.iinfo(np.int32).max))
        names = [f"random {k}" for k in range(self.n_segments)]
        return self._set_segments(table, labels, names)

    def predict(self, X):
        """Draw a random segment for every row of ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of int, shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=None, ensure_all_finite=False, reset=False)
        rng = np.random.RandomState(self.seed_)
        return rng.choice(self.n_segments, size=X.shape[0], p=self.shares_).astype(
            np.int64
        )


class QuantileSegmenter(SegmenterMixin, BaseEstimator):
    """Split customers at the quantiles of a single feature.

    Parameters
    ----------
    column : str or int, default="monetary"
        The feature: a column name, or a column position for arrays.
    n_segments : int, default=3
        Number of quantile groups.  Tied values always fall in the same
        segment, so a feature with few distinct values can give fewer segments.

    Attributes
    ----------
    thresholds_ : ndarray of float
        Inner cut points: a value ``v`` goes to segment
        ``searchsorted(thresholds_, v, side="right")``; ``predict`` reuses them.
    labels_, segment_names_, profiles_
        The segmenter protocol.  Names read like ``"monetary < 54.3"``,
        ``"monetary 54.3-120"``, ``"monetary >= 120"``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has column names.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg import QuantileSegmenter
    >>> X = pd.DataFrame({"monetary": [5.0, 10, 20, 40, 80, 160]})
    >>> seg = QuantileSegmenter("monetary", n_segments=3).fit(X)
    >>> seg.labels_, seg.segment_names_.tolist()
    (array([0, 0, 1, 1, 2, 2]), ['monetary < 16.7', 'monetary 16.7-53.3', 'monetary >= 53.3'])
    """

    _parameter_constraints = {
        "column": [str, Interval(numbers.Integral, 0, None, closed="left")],
        "n_segments": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(self, column="monetary", n_segments=3):
        self.column = column
        self.n_segments = n_segments

    def _column_name(self, table):
        if isinstance(self.column, str):
            if self.column not in table.columns:
                raise ValueError(
                    f"column={self.column!r} is not a column of X; "
                    f"available columns: {list(table.columns)}."
                )
            return self.column
        if self.column >= table.shape[1]:
            raise ValueError(
                f"column={self.column} is out of range for X with "
                f"{table.shape[1]} columns."
            )
        return table.columns[self.column]

    def _values(self, table):
        return check_numeric_columns(table, [self._column_name(table)])[:, 0]

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the quantile cut points of the feature and label the customers.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self
        """
        validate_data(self, X, dtype=None, ensure_all_finite=False)
        table = as_pandas_table(X)
        values = self._values(table)
        cuts = np.unique(quantile_cuts(values, self.n_segments))
        # a cut at the minimum would leave the first segment empty
        self.thresholds_ = cuts[cuts > values.min()]
        name = self._column_name(table)
        edges = [f"{c:.3g}" for c in self.thresholds_]
        if not edges:
            names = [f"{name} (all)"]
        else:
            names = [f"{name} < {edges[0]}"]
            names += [
                f"{name} {lo}-{hi}"
                for lo, hi in zip(edges[:-1], edges[1:], strict=True)
            ]
            names.append(f"{name} >= {edges[-1]}")
        labels = np.searchsorted(self.thresholds_, values, side="right")
        return self._set_segments(
            table, labels, names, features=profile_features(table, [name])
        )

    def predict(self, X):
        """Segment of each row of ``X``, with the cut points learned in ``fit``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of int, shape (n_samples,)
        """
        check_is_fitted(self)
        validate_data(self, X, dtype=None, ensure_all_finite=False, reset=False)
        values = self._values(as_pandas_table(X))
        return np.searchsorted(self.thresholds_, values, side="right").astype(np.int64)
