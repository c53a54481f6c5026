"""Segment profile heatmap: standardised medians, persona names as labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

import numpy as np
import pandas as pd

from custseg._base import segment_profiles
from custseg._tables import TableLike
from custseg.plotting._base import HeatmapDisplay, annotated_heatmap, format_value

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap

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


# For these features a lower value is the better one (a recent purchase).
LOWER_IS_BETTER = ("recency", "mean_days_between_orders")


class SegmentProfileDisplay(HeatmapDisplay):
    """Heatmap of each segment's median per feature: better or worse than typical.

    Colour is the standardised median signed so that positive means better:
    for each feature, ``(median_k - mean of the medians) / standard deviation
    of the medians`` over the segments (0 when all segments share the
    median), with the sign flipped for features where lower is better
    (recency: a recent purchase).  The diverging colour map then reads "worse"
    (red) to "better" (blue) for every column at once, so features in days,
    counts and money share one scale.  Each cell is annotated with the median
    in original units.  Rows are labelled with the segment names.

    Parameters
    ----------
    medians : DataFrame
        One row per segment (index: names), one column per feature, in
        original units.
    lower_is_better : sequence of str, default=("recency", "mean_days_between_orders")
        Features whose lower values are better.

    Attributes
    ----------
    standardised : DataFrame
        The values coloured (positive = better), like ``medians``.
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
    [1.225, -0.0, -1.225]
    """

    _cmap = "RdBu"

    def __init__(
        self, medians: pd.DataFrame, *, lower_is_better: Sequence[str] = LOWER_IS_BETTER
    ) -> None:
        self.medians = medians
        self.lower_is_better = lower_is_better

    @property
    def standardised(self) -> pd.DataFrame:
        """Standardised medians, signed so that positive is better."""
        medians = self.medians.astype(float)
        centre = medians.mean()
        spread = medians.std(ddof=0).replace(0.0, np.nan)
        values = ((medians - centre) / spread).fillna(0.0)
        sign = [-1.0 if c in self.lower_is_better else 1.0 for c in medians.columns]
        return values * sign

    @property
    def _figsize(self):
        n_rows, n_cols = self.medians.shape
        return (
            2.5 + 1.3 * n_cols + 0.06 * max(map(len, map(str, self.medians.index))),
            1.2 + 0.45 * n_rows,
        )

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: TableLike | None = None,
        *,
        features: Sequence[str] | None = None,
        lower_is_better: Sequence[str] = LOWER_IS_BETTER,
        ax: Axes | None = None,
        cmap: str | Colormap = "RdBu",
        colorbar: bool = True,
        **kwargs: Any,
    ) -> Self:
        """Plot the profiles of a fitted segmenter.

        Parameters
        ----------
        estimator : fitted segmenter
            Any custseg segmenter (``profiles_``, ``segment_names_``).
        X : DataFrame, default=None
            Customers to profile with ``estimator.predict(X)``; default: the
            customers it was fitted on (its ``profiles_``).
        features : list of str, default=None
            Features to show; default: the estimator's features
            (``feature_names_in_``) found in the profiles, else every numeric
            profile column except the bookkeeping ones (customers, shares,
            orders, average order value).
        lower_is_better : sequence of str
            Features whose lower values are better (coloured as better).
        ax : matplotlib Axes, default=None
        cmap : str or matplotlib Colormap, default="RdBu"
            A diverging colour map: its low end is "worse", its high end
            "better".
        colorbar : bool, default=True
            Whether to draw a colour bar.
        **kwargs : dict
            Passed to ``imshow``.

        Returns
        -------
        SegmentProfileDisplay
        """
        profiles = estimator.profiles_
        if X is not None:
            profiles = segment_profiles(
                X, estimator.predict(X), estimator.segment_names_
            )
        if features is None:
            features = profile_features(estimator, profiles)
        missing = [f for f in features if f not in profiles]
        if missing:
            raise ValueError(f"Feature(s) {missing} not in the segment profiles.")
        present = profiles[profiles["customers"] > 0]
        medians = present[list(features)].set_axis(list(present["name"]))
        disp = cls(medians, lower_is_better=lower_is_better)
        return disp.plot(ax=ax, cmap=cmap, colorbar=colorbar, **kwargs)

    def _draw(self, ax, cmap="RdBu", colorbar=True, **kwargs):
        medians = self.medians.astype(float)
        standardised = self.standardised
        labels = np.vectorize(format_value, otypes=[object])(medians.to_numpy())
        limit = max(1.0, float(np.abs(standardised.to_numpy()).max()))
        self.image_ = annotated_heatmap(
            ax,
            standardised.to_numpy(),
            labels,
            cmap=cmap,
            colorbar_label="worse  \u2190  typical  \u2192  better",
            colorbar=colorbar,
            white_on_low=False,
            white_on_extreme=True,
            vmin=-limit,
            vmax=limit,
            **kwargs,
        )
        ax.set_xticks(
            range(medians.shape[1]),
            [
                f"{c}\n(lower is better)" if c in self.lower_is_better else str(c)
                for c in medians.columns
            ],
        )
        ax.set_yticks(range(medians.shape[0]), [str(n) for n in medians.index])
        ax.set_title("Segment profiles (median per feature)")
