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

from custseg._base import SegmenterMixin, Segments, profile_features
from custseg._rule_based import quantile_cuts
from custseg._sklearn_compat import Interval
from custseg._tables import ArrayLike

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
    n_segments_ : int
    segment_names_ : ndarray of str
        ``"random 0"``, ``"random 1"``, ...
    profiles_ : pandas.DataFrame
        See :class:`custseg.SegmenterMixin`.
    shares_ : ndarray of float
        The normalised shares (there is no cut point: nothing is read).
    seed_ : int
        Seed of ``predict``.
    n_features_in_ : int
        Number of columns of ``X``.
    feature_names_in_ : ndarray of str
        Its column names, when ``X`` is a DataFrame; their values are never
        read, so text or missing values are fine.

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

    def __init__(
        self,
        n_segments: int = 5,
        *,
        shares: ArrayLike | None = None,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.n_segments = n_segments
        self.shares = shares
        self.random_state = random_state

    # reads no value: any column, even text or missing values, is fine
    _reads_values = False

    def _shares(self):
        if self.shares is None:
            return np.full(self.n_segments, 1.0 / self.n_segments)
        try:
            shares = np.asarray(self.shares, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"shares must be numbers, one per segment, got {self.shares!r}."
            ) from exc
        if (
            shares.shape != (self.n_segments,)
            or not np.isfinite(shares).all()
            or (shares < 0).any()
            or shares.sum() <= 0
        ):
            raise ValueError(
                f"shares must be {self.n_segments} non-negative finite numbers (one "
                f"per segment) with a positive sum, got {self.shares!r}."
            )
        return shares / shares.sum()

    def _fit_segments(self, table):
        self.shares_ = self._shares()
        rng = check_random_state(self.random_state)
        n = len(table.frame)
        counts = np.floor(self.shares_ * n).astype(np.int64)
        remainder = self.shares_ * n - counts
        counts[np.argsort(-remainder, kind="stable")[: n - counts.sum()]] += 1
        labels = np.repeat(np.arange(self.n_segments), counts)
        rng.shuffle(labels)
        self.seed_ = int(rng.randint(np.iinfo(np.int32).max))
        names = [f"random {k}" for k in range(self.n_segments)]
        descriptions = [
            f"assigned at random ({share:.1%} of customers expected)"
            for share in self.shares_
        ]
        return Segments(labels, names, descriptions=descriptions)

    def _predict_segments(self, table):
        rng = np.random.RandomState(self.seed_)
        return rng.choice(self.n_segments, size=len(table.frame), p=self.shares_)


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
        Cut points, increasing: a value at or above ``k`` of them goes to
        segment ``k`` (``searchsorted(thresholds_, v, side="right")``);
        ``predict`` reuses them.
    labels_, n_segments_, segment_names_, profiles_
        The segmenter contract (:class:`custseg.SegmenterMixin`).  Names read
        like ``"monetary < 54.3"``, ``"monetary 54.3-120"``,
        ``"monetary >= 120"``.
    n_features_in_ : int
        1 for a DataFrame (the one column read), the width of an array.
    feature_names_in_ : ndarray of str
        ``[column]``, when ``X`` is a DataFrame.

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

    def __init__(self, column: str | int = "monetary", n_segments: int = 3) -> None:
        self.column = column
        self.n_segments = n_segments

    def _input_columns(self, frame, *, named):
        names = list(frame.columns)
        if isinstance(self.column, str):
            if self.column not in names:
                raise ValueError(
                    f"QuantileSegmenter: column={self.column!r} is not a column of "
                    f"X; available columns: {names}."
                )
            return [self.column]
        if self.column >= len(names):
            raise ValueError(
                f"QuantileSegmenter: column={self.column} is out of range for X "
                f"with {len(names)} columns."
            )
        return [names[self.column]]

    def _fit_segments(self, table):
        values = table.values[:, 0]
        name = table.columns[0]
        cuts = np.unique(quantile_cuts(values, self.n_segments))
        # a cut at the minimum would leave the first segment empty
        self.thresholds_ = cuts[cuts > values.min()]
        edges = [f"{c:.3g}" for c in self.thresholds_]
        if not edges:
            names = [f"{name} (all)"]
            descriptions = [f"every customer: {name} has one value"]
        else:
            names = [f"{name} < {edges[0]}"]
            names += [
                f"{name} {lo}-{hi}"
                for lo, hi in zip(edges[:-1], edges[1:], strict=True)
            ]
            names.append(f"{name} >= {edges[-1]}")
            descriptions = [f"{name} below {edges[0]}"]
            descriptions += [
                f"{name} from {lo} to below {hi}"
                for lo, hi in zip(edges[:-1], edges[1:], strict=True)
            ]
            descriptions.append(f"{name} at least {edges[-1]}")
        return Segments(
            self._predict_segments(table),
            names,
            descriptions=descriptions,
            profile={"features": profile_features(table.frame, [name])},
        )

    def _predict_segments(self, table):
        return np.searchsorted(self.thresholds_, table.values[:, 0], side="right")
