"""Segment migration heatmap: where each segment's customers went."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

import numpy as np
import pandas as pd

from custseg._evaluation import SegmentMigration, segment_migration
from custseg._tables import TableLike
from custseg.plotting._base import HeatmapDisplay, annotated_heatmap

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap

__all__ = ["MigrationDisplay"]


def _keyed(labels, X):
    index = getattr(X, "index", None)
    if isinstance(X, pd.DataFrame):
        return pd.Series(labels, index=index)
    return np.asarray(labels)


class MigrationDisplay(HeatmapDisplay):
    """Heatmap of a :class:`~custseg.SegmentMigration`: rows before, columns after.

    Colour is the row share (where each earlier segment's customers went);
    each cell shows the share and the count.  The ``(new)`` row holds
    customers only in the later period, the ``(gone)`` column customers only
    in the earlier one.

    Parameters
    ----------
    counts : DataFrame
        Customers per (segment before, segment after).

    Attributes
    ----------
    shares : DataFrame
        ``counts`` divided by row totals (0 for empty rows).
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    image_ : matplotlib AxesImage

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from custseg import segment_migration
    >>> from custseg.plotting import MigrationDisplay
    >>> before = pd.Series({"a": "loyal", "b": "loyal", "c": "new"})
    >>> after = pd.Series({"a": "loyal", "b": "lost", "c": "loyal"})
    >>> disp = MigrationDisplay.from_migration(segment_migration(before, after))
    >>> disp.shares
    after  lost  loyal
    before
    loyal   0.5    0.5
    new     0.0    1.0
    """

    _cmap = "Blues"

    def __init__(self, counts: pd.DataFrame) -> None:
        self.counts = counts

    @property
    def shares(self) -> pd.DataFrame:
        """Row shares of ``counts``: where each segment's customers went."""
        totals = self.counts.sum(axis=1).replace(0, np.nan)
        return self.counts.div(totals, axis=0).fillna(0.0)

    @property
    def _figsize(self):
        n_rows, n_cols = self.counts.shape
        return (2.5 + 1.1 * n_cols, 1.5 + 0.45 * n_rows)

    @classmethod
    def from_migration(
        cls,
        migration: SegmentMigration,
        *,
        drop_empty: bool = True,
        ax: Axes | None = None,
        cmap: str | Colormap = "Blues",
        colorbar: bool = True,
        **kwargs: Any,
    ) -> Self:
        """Plot a :func:`custseg.segment_migration` result.

        Parameters
        ----------
        migration : SegmentMigration
        drop_empty : bool, default=True
            Leave out rows and columns without customers (e.g. ``(new)``
            when both periods have the same customers).
        ax : matplotlib Axes, default=None
        cmap : str or matplotlib Colormap, default="Blues"
        colorbar : bool, default=True
            Whether to draw a colour bar.
        **kwargs : dict
            Passed to ``imshow``.

        Returns
        -------
        MigrationDisplay
        """
        counts = migration.counts
        if drop_empty:
            counts = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
        return cls(counts).plot(ax=ax, cmap=cmap, colorbar=colorbar, **kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X_before: TableLike,
        X_after: TableLike,
        *,
        ax: Axes | None = None,
        cmap: str | Colormap = "Blues",
        colorbar: bool = True,
        **kwargs: Any,
    ) -> Self:
        """Segment two periods' customer tables with one fitted segmenter and plot.

        Parameters
        ----------
        estimator : fitted segmenter
            Its ``predict`` segments both tables, so both periods are on the
            same scale (the cut points or clusters learned in ``fit``).
        X_before, X_after : DataFrame
            Customer tables of the earlier and later period; pandas frames
            are matched by index (customer id), other inputs by position.
        ax : matplotlib Axes, default=None
        cmap : str or matplotlib Colormap, default="Blues"
        colorbar : bool, default=True
            Whether to draw a colour bar.
        **kwargs : dict
            Passed to ``imshow``.

        Returns
        -------
        MigrationDisplay
        """
        names = estimator.segment_names_
        migration = segment_migration(
            _keyed(estimator.predict(X_before), X_before),
            _keyed(estimator.predict(X_after), X_after),
            names_before=names,
            names_after=names,
        )
        return cls.from_migration(
            migration, ax=ax, cmap=cmap, colorbar=colorbar, **kwargs
        )

    def _draw(self, ax, cmap="Blues", **kwargs):
        labels = np.empty(self.counts.shape, dtype=object)
        for (i, j), count in np.ndenumerate(self.counts.to_numpy()):
            labels[i, j] = f"{self.shares.iat[i, j]:.0%}\n({count})" if count else ""
        self.image_ = annotated_heatmap(
            ax,
            self.shares.to_numpy(),
            labels,
            cmap=cmap,
            colorbar_label="share of the row's customers",
            white_on_low=False,
            vmin=0.0,
            vmax=1.0,
            **kwargs,
        )
        ax.set_xticks(
            range(self.counts.shape[1]),
            [str(c) for c in self.counts.columns],
            rotation=30,
            ha="right",
        )
        ax.set_yticks(range(self.counts.shape[0]), [str(r) for r in self.counts.index])
        ax.set_xlabel("segment after")
        ax.set_ylabel("segment before")
        ax.set_title("Segment migration")
