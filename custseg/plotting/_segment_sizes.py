"""Segment sizes beside their share of revenue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

import numpy as np
import pandas as pd

from custseg._base import segment_profiles
from custseg._tables import ArrayLike, TableLike
from custseg.plotting._base import Display

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["SegmentSizesDisplay"]


def _share_label(share):
    """A bar label: whole percents, one decimal under 1% (so 0.2% is not 0%)."""
    if not np.isfinite(share):
        return ""
    return f"{share:.1%}" if 0 < share < 0.01 else f"{share:.0%}"


class SegmentSizesDisplay(Display):
    """Share of customers of each segment beside its share of revenue.

    Horizontal bars, one pair per segment: a segment holding more revenue
    than customers is worth more than its size.

    Parameters
    ----------
    names : sequence of str
        Segment names, in label order.
    customer_share : array-like of float
        Share of customers of each segment (sums to 1).
    revenue_share : array-like of float, default=None
        Share of revenue of each segment; ``None`` draws sizes only.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from custseg import UsageTiers
    >>> from custseg.plotting import SegmentSizesDisplay
    >>> X = pd.DataFrame({"frequency": [1, 1, 2, 3, 8, 20],
    ...                   "monetary": [10.0, 10.0, 20.0, 30.0, 80.0, 250.0]})
    >>> tiers = UsageTiers(shares=(0.2, 0.5)).fit(X)
    >>> disp = SegmentSizesDisplay.from_estimator(tiers)
    >>> list(disp.names), disp.customer_share.round(2).tolist()
    (['heavy', 'medium', 'light'], [0.17, 0.33, 0.5])
    >>> disp.revenue_share.round(3).tolist()
    [0.625, 0.275, 0.1]
    """

    def __init__(
        self,
        names: ArrayLike,
        customer_share: ArrayLike,
        revenue_share: ArrayLike | None = None,
    ) -> None:
        self.names = names
        self.customer_share = customer_share
        self.revenue_share = revenue_share

    @property
    def _figsize(self):
        return (7.0, 1.2 + 0.45 * len(self.names))

    @classmethod
    def from_profiles(
        cls,
        profiles: pd.DataFrame,
        *,
        drop_empty: bool = True,
        ax: Axes | None = None,
        **kwargs: Any,
    ) -> Self:
        """Plot from a profiles table (:func:`custseg.segment_profiles`).

        Parameters
        ----------
        profiles : DataFrame
            With columns ``name``, ``share`` and optionally ``revenue_share``.
        drop_empty : bool, default=True
            Leave out segments without customers (rule presets name segments
            the data may not fill).
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to ``barh``.

        Returns
        -------
        SegmentSizesDisplay
        """
        if drop_empty and "customers" in profiles:
            profiles = profiles[profiles["customers"] > 0]
        revenue = profiles["revenue_share"] if "revenue_share" in profiles else None
        disp = cls(profiles["name"], profiles["share"], revenue)
        return disp.plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: TableLike | None = None,
        *,
        drop_empty: bool = True,
        ax: Axes | None = None,
        **kwargs: Any,
    ) -> Self:
        """Plot the segments of a fitted segmenter.

        Parameters
        ----------
        estimator : fitted segmenter
            Any custseg segmenter.  Revenue shares exist when the customer
            table has a monetary column.
        X : DataFrame, default=None
            Customers to count with ``estimator.predict(X)``; default: the
            customers it was fitted on (its ``profiles_``).
        drop_empty : bool, default=True
            Leave out segments without customers.
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to ``barh``.

        Returns
        -------
        SegmentSizesDisplay
        """
        profiles = estimator.profiles_
        if X is not None:
            profiles = segment_profiles(
                X, estimator.predict(X), estimator.segment_names_
            )
        return cls.from_profiles(profiles, drop_empty=drop_empty, ax=ax, **kwargs)

    def _draw(self, ax, **kwargs):
        names = [str(n) for n in self.names]
        customer_share = np.asarray(self.customer_share, dtype=float)
        revenue_share = (
            None
            if self.revenue_share is None
            else np.asarray(self.revenue_share, float)
        )
        y = np.arange(len(names))
        both = revenue_share is not None
        height = 0.4 if both else 0.8
        bars = ax.barh(
            y - (height / 2 if both else 0),
            customer_share,
            height=height,
            label="customers",
            color="#4c72b0",
            **kwargs,
        )
        ax.bar_label(bars, labels=[_share_label(s) for s in customer_share], padding=2)
        if both:
            bars = ax.barh(
                y + height / 2,
                np.nan_to_num(revenue_share),
                height=height,
                label="revenue",
                color="#dd8452",
                **kwargs,
            )
            ax.bar_label(
                bars, labels=[_share_label(s) for s in revenue_share], padding=2
            )
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        top = np.nanmax(np.r_[customer_share, [] if not both else revenue_share])
        # room for the bar labels right of the longest bar
        ax.set_xlim(0, top * 1.18 + 0.04)
        ax.set_xlabel("share")
        ax.set_title("Segment sizes and revenue share" if both else "Segment sizes")
        if both:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
