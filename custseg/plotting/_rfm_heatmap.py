"""RFM heatmap: mean monetary value by recency score and frequency score."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Self

import numpy as np
import pandas as pd

from custseg._tables import TableLike, as_pandas_table
from custseg.plotting._base import HeatmapDisplay, annotated_heatmap, format_value

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap

__all__ = ["RFMHeatmapDisplay"]


def _scorer_of(estimator):
    scorer = getattr(estimator, "scorer_", estimator)
    if scorer is None or not hasattr(scorer, "thresholds_"):
        raise ValueError(
            f"{type(estimator).__name__} has no fitted RFMScorer: pass a fitted "
            "RFMScorer or an RFMSegmenter fitted on raw RFM values (not "
            "scorer='passthrough')."
        )
    return scorer


class RFMHeatmapDisplay(HeatmapDisplay):
    """Heatmap of a value (mean monetary by default) by recency and frequency score.

    Build it with :meth:`from_estimator`; ``plot`` draws it.  Cells are
    frequency scores (rows, highest at the top) by recency scores (columns,
    most recent on the right); each cell shows the aggregated value, and
    cells without customers are hatched (the legend says so).

    Parameters
    ----------
    values : ndarray of shape (n_bins, n_bins)
        ``values[f - 1, r - 1]``: the aggregate for frequency score ``f`` and
        recency score ``r``; NaN for an empty cell.
    counts : ndarray of int of shape (n_bins, n_bins)
        Customers per cell, indexed like ``values``.
    value_name : str, default="mean monetary"
        Colour bar label.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    image_ : matplotlib AxesImage

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from custseg import RFMScorer
    >>> from custseg.plotting import RFMHeatmapDisplay
    >>> X = pd.DataFrame({"recency": [1, 5, 30, 90, 200, 400],
    ...                   "frequency": [9, 6, 4, 2, 1, 1],
    ...                   "monetary": [900.0, 500.0, 200.0, 60.0, 20.0, 10.0]})
    >>> scorer = RFMScorer(n_bins=2).fit(X)
    >>> disp = RFMHeatmapDisplay.from_estimator(scorer, X)
    >>> disp.values.round(1)
    array([[ 30. ,   nan],
           [  nan, 533.3]])
    >>> disp.counts
    array([[3, 0],
           [0, 3]])
    """

    def __init__(
        self,
        values: np.ndarray,
        counts: np.ndarray,
        *,
        value_name: str = "mean monetary",
    ) -> None:
        self.values = values
        self.counts = counts
        self.value_name = value_name

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: TableLike,
        *,
        value_col: str | None = None,
        aggfunc: Literal["mean", "median", "sum"] = "mean",
        ax: Axes | None = None,
        cmap: str | Colormap = "viridis",
        colorbar: bool = True,
        **kwargs: Any,
    ) -> Self:
        """Score ``X`` with the estimator's fitted scorer and plot the heatmap.

        Parameters
        ----------
        estimator : RFMScorer or RFMSegmenter
            Fitted.  An :class:`~custseg.RFMSegmenter` contributes its
            ``scorer_``.
        X : DataFrame
            Customer table with the scorer's recency, frequency and monetary
            columns.
        value_col : str, default=None
            Column aggregated in each cell; default: the scorer's monetary column.
        aggfunc : {"mean", "median", "sum"}, default="mean"
        ax : matplotlib Axes, default=None
        cmap : str or matplotlib Colormap, default="viridis"
        colorbar : bool, default=True
            Whether to draw a colour bar.
        **kwargs : dict
            Passed to ``imshow``.

        Returns
        -------
        RFMHeatmapDisplay
        """
        scorer = _scorer_of(estimator)
        table = as_pandas_table(X)
        value_col = scorer.monetary_col if value_col is None else value_col
        if value_col not in table:
            raise ValueError(f"Column {value_col!r} not found in X.")
        scores = np.asarray(scorer.transform(X), dtype=np.int64)
        n = scorer.n_bins
        frame = pd.DataFrame(
            {"r": scores[:, 0], "f": scores[:, 1], "v": table[value_col].to_numpy()}
        )
        full = pd.MultiIndex.from_product([range(1, n + 1)] * 2, names=["f", "r"])
        grouped = frame.groupby(["f", "r"])["v"]
        values = grouped.agg(aggfunc).reindex(full).to_numpy().reshape(n, n)
        counts = grouped.size().reindex(full, fill_value=0).to_numpy().reshape(n, n)
        disp = cls(values, counts, value_name=f"{aggfunc} {value_col}")
        return disp.plot(ax=ax, cmap=cmap, colorbar=colorbar, **kwargs)

    def _draw(self, ax, cmap="viridis", colorbar=True, **kwargs):
        values = np.asarray(self.values, dtype=float)
        n_f, n_r = values.shape
        labels = np.vectorize(format_value, otypes=[object])(values)
        self.image_ = annotated_heatmap(
            ax,
            values,
            labels,
            cmap=cmap,
            colorbar_label=self.value_name,
            colorbar=colorbar,
            empty_label="no customer has these scores",
            origin="lower",
            **kwargs,
        )
        ax.set_xticks(range(n_r), [str(r) for r in range(1, n_r + 1)])
        ax.set_yticks(range(n_f), [str(f) for f in range(1, n_f + 1)])
        ax.set_xlabel("recency score (higher = more recent)")
        ax.set_ylabel("frequency score")
        ax.set_title(f"{self.value_name} by recency and frequency score")
