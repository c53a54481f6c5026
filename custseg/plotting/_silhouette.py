"""Silhouette plot: the silhouette of every customer, grouped by segment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from sklearn.metrics import silhouette_samples
from sklearn.utils import check_random_state

from custseg._evaluation import model_space
from custseg._tables import TableLike, as_pandas_table
from custseg.plotting._base import Display

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["SilhouetteDisplay", "stratified_sample"]


def segment_space(estimator, X):
    """The space a segmenter's silhouettes are measured in.

    A :class:`~custseg.CustomerSegmenter`: its own preprocessed features
    (what the clusterer saw).  Any other segmenter: the space of
    :func:`custseg.validate_segmentation`'s indices: the numeric columns of
    ``X``, ``log1p`` of the non-negative ones with a skewness above 1, then
    standardised.  So the mean silhouette matches the validation report's.
    """
    table = as_pandas_table(X)
    preprocessor = getattr(estimator, "preprocessor_", None)
    if preprocessor is not None:
        names = getattr(estimator, "feature_names_in_", None)
        if names is not None:
            table = table[[str(n) for n in names]]
        # no float cast: categorical features are encoded by the preprocessor
        return preprocessor.transform(table.to_numpy())
    numeric = table.select_dtypes(include=["number", "bool"])
    if numeric.shape[1] == 0:
        raise ValueError("X has no numeric column to measure silhouettes on.")
    return model_space(numeric)


def stratified_sample(labels, sample_size, random_state=None):
    """Rows of a sample of about ``sample_size`` in which every segment appears.

    Each segment gets its proportional share of the sample, at least
    ``min(its size, 2)`` customers, so a small segment is never missing
    (a silhouette needs two members to be defined).  Rows are returned sorted.

    Examples
    --------
    >>> import numpy as np
    >>> labels = np.array([0] * 990 + [1] * 9 + [2])
    >>> rows = stratified_sample(labels, 100, random_state=0)
    >>> np.bincount(labels[rows]).tolist()
    [99, 2, 1]
    """
    labels = np.asarray(labels)
    rng = check_random_state(random_state)
    rows = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        take = max(
            min(members.size, 2), round(sample_size * members.size / labels.size)
        )
        rows.append(rng.choice(members, min(take, members.size), replace=False))
    return np.sort(np.concatenate(rows))


class SilhouetteDisplay(Display):
    """Silhouette coefficient of each customer, grouped and sorted by segment.

    A silhouette near 1 means a customer is much closer to its own segment
    than to the next one; near 0, between two segments; below 0, closer to
    another segment.  The dashed line is the overall mean.

    Parameters
    ----------
    silhouette_values : ndarray of shape (n_samples,)
    labels : ndarray of int of shape (n_samples,)
    names : sequence of str
        Segment names, in label order.

    Attributes
    ----------
    segment_means : ndarray of shape (n_segments,)
        Mean silhouette per segment (NaN for a segment absent from the sample).
    mean : float
        Mean silhouette over the customers drawn.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from custseg.plotting import SilhouetteDisplay
    >>> disp = SilhouetteDisplay([0.9, 0.7, 0.2, 0.4], [0, 0, 1, 1], ["a", "b"]).plot()
    >>> disp.segment_means.round(2).tolist(), round(disp.mean, 2)
    ([0.8, 0.3], 0.55)
    """

    _figsize = (6.5, 4.5)

    def __init__(
        self,
        silhouette_values: np.ndarray | Sequence[float],
        labels: np.ndarray | Sequence[int],
        names: Sequence[str],
    ) -> None:
        self.silhouette_values = silhouette_values
        self.labels = labels
        self.names = names

    @property
    def segment_means(self) -> np.ndarray:
        """Mean silhouette per segment (NaN for a segment absent from the sample)."""
        labels = np.asarray(self.labels, dtype=np.int64)
        values = np.asarray(self.silhouette_values, dtype=float)
        sums = np.bincount(labels, values, len(self.names))
        counts = np.bincount(labels, minlength=len(self.names))
        with np.errstate(invalid="ignore", divide="ignore"):
            return sums / counts

    @property
    def mean(self) -> float:
        """Mean silhouette over the customers drawn."""
        return float(np.mean(self.silhouette_values))

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: TableLike,
        *,
        sample_size: int | None = 2000,
        random_state: int | np.random.RandomState | None = None,
        ax: Axes | None = None,
        **kwargs: Any,
    ) -> Self:
        """Compute the silhouettes of a fitted segmenter's segments of ``X``.

        Parameters
        ----------
        estimator : fitted segmenter
            Segments come from ``estimator.predict(X)``; distances are
            measured in :func:`segment_space`.
        X : DataFrame or array-like of shape (n_customers, n_features)
        sample_size : int or None, default=2000
            Customers drawn at random when ``X`` has more (silhouettes cost
            ``n^2`` distances), stratified by segment so every segment is
            drawn (see :func:`stratified_sample`); ``None`` uses all.
        random_state : int, RandomState instance or None
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to ``fill_betweenx``.

        Returns
        -------
        SilhouetteDisplay
        """
        labels = np.asarray(estimator.predict(X), dtype=np.int64)
        space = segment_space(estimator, X)
        if sample_size is not None and labels.size > sample_size:
            rows = stratified_sample(labels, sample_size, random_state)
            space, labels = space[rows], labels[rows]
        n_segments = np.unique(labels).size
        if n_segments < 2:
            raise ValueError(
                f"silhouettes need at least 2 segments with customers, got {n_segments}."
            )
        if n_segments >= labels.size:
            raise ValueError(
                f"silhouettes need more customers than segments, got {labels.size} "
                f"customers in {n_segments} segments."
            )
        values = silhouette_samples(space, labels)
        names = getattr(estimator, "segment_names_", None)
        if names is None:
            names = [f"segment {k}" for k in range(labels.max() + 1)]
        return cls(values, labels, names).plot(ax=ax, **kwargs)

    def _draw(self, ax, **kwargs):
        silhouettes = np.asarray(self.silhouette_values, dtype=float)
        labels = np.asarray(self.labels, dtype=np.int64)
        y_low, gap = 0, max(2, labels.size // 100)
        ticks, tick_labels = [], []
        for k, name in enumerate(map(str, self.names)):
            values = np.sort(silhouettes[labels == k])
            if not values.size:
                continue
            y = np.arange(y_low, y_low + values.size)
            ax.fill_betweenx(y, 0, values, alpha=0.8, **kwargs)
            ticks.append(y_low + values.size / 2)
            tick_labels.append(f"{name} ({self.segment_means[k]:.2f})")
            y_low += values.size + gap
        ax.axvline(
            self.mean, color="red", linestyle="--", label=f"mean {self.mean:.2f}"
        )
        ax.set_yticks(ticks, tick_labels)
        ax.invert_yaxis()
        ax.set_xlim(min(-0.1, silhouettes.min() - 0.05), 1)
        ax.set_xlabel("silhouette coefficient")
        ax.set_title("Silhouette per segment")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
