"""Cohort retention heatmap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Self

import numpy as np
import pandas as pd

from custseg._tables import TableLike
from custseg._value import CohortRetention, cohort_retention
from custseg.plotting._base import HeatmapDisplay, annotated_heatmap, format_value

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap

__all__ = ["CohortDisplay"]

_METRICS = {
    "retention": "share of the cohort buying",
    "revenue": "net revenue",
    "active": "customers buying",
}


class CohortDisplay(HeatmapDisplay):
    """Heatmap of a :class:`~custseg.CohortRetention` table.

    Rows are first-purchase cohorts (with their size), columns periods since
    the first purchase; cells a cohort has not reached are blank.

    Parameters
    ----------
    table : DataFrame
        Cohorts x periods since (``retention``, ``revenue`` or ``active``).
    sizes : Series
        Customers per cohort (row labels).
    metric : {"retention", "revenue", "active"}

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    image_ : matplotlib AxesImage

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from custseg import CohortDisplay, cohort_retention
    >>> from custseg.datasets import make_transactions
    >>> log, _ = make_transactions(200, random_state=0)
    >>> disp = CohortDisplay.from_retention(cohort_retention(log, periods="Q"))
    >>> disp.ax_.get_xlabel()
    'periods since first purchase'
    """

    _cmap = "Greens"

    def __init__(
        self,
        table: pd.DataFrame,
        sizes: pd.Series,
        metric: Literal["retention", "revenue", "active"] = "retention",
    ) -> None:
        self.table = table
        self.sizes = sizes
        self.metric = metric

    @property
    def _figsize(self):
        n_rows, n_cols = self.table.shape
        return (2.5 + 0.75 * n_cols, 1.5 + 0.4 * n_rows)

    @classmethod
    def from_retention(
        cls,
        retention: CohortRetention,
        *,
        metric: Literal["retention", "revenue", "active"] = "retention",
        ax: Axes | None = None,
        cmap: str | Colormap = "Greens",
        colorbar: bool = True,
        **kwargs: Any,
    ) -> Self:
        """Plot a :func:`custseg.cohort_retention` result.

        Parameters
        ----------
        retention : CohortRetention
        metric : {"retention", "revenue", "active"}, default="retention"
        ax : matplotlib Axes, default=None
        cmap : str or matplotlib Colormap, default="Greens"
        colorbar : bool, default=True
            Whether to draw a colour bar.
        **kwargs : dict
            Passed to ``imshow``.

        Returns
        -------
        CohortDisplay
        """
        if metric not in _METRICS:
            raise ValueError(
                f"metric must be one of {sorted(_METRICS)}, got {metric!r}."
            )
        keep = retention.sizes.to_numpy() > 0  # periods where no cohort started
        table = getattr(retention, metric).loc[keep]
        disp = cls(table, retention.sizes.loc[keep], metric)
        return disp.plot(ax=ax, cmap=cmap, colorbar=colorbar, **kwargs)

    @classmethod
    def from_transactions(
        cls,
        transactions: TableLike,
        *,
        metric: Literal["retention", "revenue", "active"] = "retention",
        ax: Axes | None = None,
        cmap: str | Colormap = "Greens",
        colorbar: bool = True,
        **kwargs: Any,
    ) -> Self:
        """Compute :func:`custseg.cohort_retention` and plot it.

        Parameters
        ----------
        transactions : DataFrame
        metric : {"retention", "revenue", "active"}, default="retention"
        ax : matplotlib Axes, default=None
        cmap : str or matplotlib Colormap, default="Greens"
        colorbar : bool, default=True
            Whether to draw a colour bar.
        **kwargs : dict
            ``periods``, ``customer_col``, ``date_col``, ``amount_col``,
            ``reference_date``, ``returns`` and ``missing`` go to
            :func:`custseg.cohort_retention`; the rest to ``imshow``.

        Returns
        -------
        CohortDisplay
        """
        names = (
            "periods",
            "customer_col",
            "date_col",
            "amount_col",
            "reference_date",
            "returns",
            "missing",
        )
        options = {k: kwargs.pop(k) for k in names if k in kwargs}
        result = cohort_retention(transactions, **options)
        return cls.from_retention(
            result, metric=metric, ax=ax, cmap=cmap, colorbar=colorbar, **kwargs
        )

    def _draw(self, ax, cmap="Greens", **kwargs):
        values = self.table.to_numpy(dtype=float)
        labels = np.empty(values.shape, dtype=object)
        for (i, j), value in np.ndenumerate(values):
            if self.metric == "retention":
                labels[i, j] = f"{value:.0%}" if np.isfinite(value) else ""
            else:
                labels[i, j] = format_value(value)
        if self.metric == "retention":
            # period 0 is 100% by definition: scale colours on the later ones
            later = values[:, 1:]
            finite = later[np.isfinite(later)]
            kwargs.setdefault("vmin", 0.0)
            kwargs.setdefault("vmax", float(finite.max()) if finite.size else 1.0)
        self.image_ = annotated_heatmap(
            ax,
            values,
            labels,
            cmap=cmap,
            colorbar_label=_METRICS[self.metric],
            white_on_low=False,
            **kwargs,
        )
        ax.set_xticks(range(values.shape[1]), [str(c) for c in self.table.columns])
        ax.set_yticks(
            range(values.shape[0]),
            [f"{c} ({n:,})" for c, n in zip(self.table.index, self.sizes, strict=True)],
        )
        ax.set_xlabel("periods since first purchase")
        ax.set_ylabel("first-purchase cohort (customers)")
        ax.set_title("Cohort retention" if self.metric == "retention" else "Cohorts")
