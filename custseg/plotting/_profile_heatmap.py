"""Segment profile heatmap: standardised medians, persona names as labels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg.plotting._base import Display, annotated_heatmap, format_value

__all__ = ["SegmentProfileDisplay"]

# columns of profiles_ that describe the segment rather than a feature
_BOOKKEEPING = {
    "name",
    "description",
    "rule_segment",
    "customers",
    "share",
    "revenue_share",
    "orders",
    "avg_order_value",
}


def profile_features(estimator, profiles):
    """The feature columns of a profiles table, in the estimator's order."""
    names = getattr(estimator, "feature_names_in_", None)
    numeric = [
        c
        for c in profiles.columns
        if c not in _BOOKKEEPING and pd.api.types.is_numeric_dtype(profiles[c])
    ]
    if names is not None:
        chosen = [str(c) for c in names if str(c) in numeric]
        if chosen:
            return chosen
    return numeric


class SegmentProfileDisplay(Display):
    """Heatmap of each segment's median per feature, standardised across segments.

    Colour is the standardised median: for each feature, ``(median_k -
    mean of the medians) / standard deviation of the medians`` over the
    segments (0 when all segments share the median), so features in days,
    counts and money share one scale.  Each cell is annotated with the
    median in original units.  Rows are labelled with the segment names
    (persona names for :class:`~custseg.CustomerSegmenter`).

    Parameters
    ----------
    medians : DataFrame
        One row per segment (index: names), one column per feature, in
        original units.

    Attributes
    ----------
    standardised : DataFrame
        The values coloured, like ``medians``.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    image_ : matplotlib AxesImage

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from custseg.plotting import SegmentProfileDisplay
    >>> medians = pd.DataFrame({"recency": [10.0, 200.0, 390.0]},
    ...                        index=["recent", "lapsing", "lapsed"])
    >>> SegmentProfileDisplay(medians).plot().standardised["recency"].round(3).tolist()
    [-1.225, 0.0, 1.225]
    """

    def __init__(self, medians):
        self.medians = medians.astype(float)
        centre = self.medians.mean()
        spread = self.medians.std(ddof=0).replace(0.0, np.nan)
        self.standardised = ((self.medians - centre) / spread).fillna(0.0)

    @property
    def _figsize(self):
        n_rows, n_cols = self.medians.shape
        return (
            2.5 + 1.3 * n_cols + 0.06 * max(map(len, self.medians.index)),
            1.2 + 0.45 * n_rows,
        )

    @classmethod
    def from_estimator(cls, estimator, *, features=None, ax=None, **kwargs):
        """Plot the profiles of a fitted segmenter.

        Parameters
        ----------
        estimator : fitted segmenter
            Any custseg segmenter (``profiles_``, ``segment_names_``).
        features : list of str, default=None
            Features to show; default: the estimator's features
            (``feature_names_in_``) found in ``profiles_``, else every numeric
            profile column except the bookkeeping ones (customers, shares,
            orders, average order value).
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to ``imshow``.

        Returns
        -------
        SegmentProfileDisplay
        """
        profiles = estimator.profiles_
        if features is None:
            features = profile_features(estimator, profiles)
        missing = [f for f in features if f not in profiles]
        if missing:
            raise ValueError(f"Feature(s) {missing} not in the segment profiles.")
        present = profiles[profiles["customers"] > 0]
        medians = present[list(features)].set_axis(list(present["name"]))
        return cls(medians).plot(ax=ax, **kwargs)

    def _draw(self, ax, cmap="coolwarm", **kwargs):
        labels = np.vectorize(format_value, otypes=[object])(self.medians.to_numpy())
        limit = max(1.0, float(np.abs(self.standardised.to_numpy()).max()))
        self.image_ = annotated_heatmap(
            ax,
            self.standardised.to_numpy(),
            labels,
            cmap=cmap,
            colorbar_label="standardised median",
            white_on_low=False,
            vmin=-limit,
            vmax=limit,
            **kwargs,
        )
        ax.set_xticks(range(self.medians.shape[1]), list(self.medians.columns))
        ax.set_yticks(range(self.medians.shape[0]), list(self.medians.index))
        ax.set_title("Segment profiles (median per feature)")
