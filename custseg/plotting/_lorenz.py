"""Lorenz curve of a usage column, with the cuts of the usage tiers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

import numpy as np

from custseg._tables import ArrayLike, TableLike, as_pandas_table
from custseg.plotting._base import Display

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["LorenzCurveDisplay"]


def lorenz_points(values):
    """Cumulative shares of customers and of value, lightest customers first.

    Returns two arrays of length ``n + 1`` starting at 0 and ending at 1.

    Examples
    --------
    >>> x, y = lorenz_points([3, 1, 0, 4])
    >>> x.tolist(), y.tolist()
    ([0.0, 0.25, 0.5, 0.75, 1.0], [0.0, 0.0, 0.125, 0.5, 1.0])
    """
    v = np.sort(np.asarray(values, dtype=float))
    n, total = v.size, v.sum()
    x = np.arange(n + 1) / n
    y = np.r_[0.0, np.cumsum(v) / total] if total else x.copy()
    return x, y


class LorenzCurveDisplay(Display):
    """Lorenz curve of usage (or value) with the tier boundaries marked.

    Customers are sorted from the lightest to the heaviest user; the curve
    gives the share of the total held by the lightest ``x`` share of
    customers.  The further it sags below the diagonal, the more the usage
    is concentrated; the Gini coefficient is twice the area between them.
    Dots mark where each tier of a :class:`~custseg.UsageTiers` begins.

    Parameters
    ----------
    customer_share, value_share : ndarray
        The curve (see :func:`lorenz_points`).
    cuts : list of tuple (float, float, str), default=()
        Tier boundaries: ``(customer share, value share, name of the tier
        above)``.
    gini : float, default=None
        Shown in the legend.
    column : str, default="usage"

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
    >>> from custseg.plotting import LorenzCurveDisplay
    >>> X = pd.DataFrame({"frequency": [1, 1, 1, 2, 3, 4, 9, 20]})
    >>> tiers = UsageTiers(shares=(0.25, 0.5)).fit(X)
    >>> disp = LorenzCurveDisplay.from_estimator(tiers, X)
    >>> [(x, round(y, 3), name) for x, y, name in disp.cuts]
    [(0.5, 0.122, 'medium'), (0.75, 0.293, 'heavy')]
    >>> round(disp.gini, 3), round(tiers.gini_, 3)
    (0.558, 0.558)
    """

    _figsize = (5.5, 5.0)

    def __init__(
        self,
        customer_share: ArrayLike,
        value_share: ArrayLike,
        *,
        cuts: Sequence[tuple[float, float, str]] = (),
        gini: float | None = None,
        column: str = "usage",
    ) -> None:
        self.customer_share = customer_share
        self.value_share = value_share
        self.cuts = cuts
        self.gini = gini
        self.column = column

    @classmethod
    def from_estimator(
        cls, estimator: Any, X: TableLike, *, ax: Axes | None = None, **kwargs: Any
    ) -> Self:
        """Plot the Lorenz curve of a fitted :class:`~custseg.UsageTiers` column.

        Parameters
        ----------
        estimator : UsageTiers
            Fitted; its ``column`` is read from ``X`` and ``predict`` gives
            the tiers.
        X : DataFrame or array-like
            Customer table.
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to ``plot`` for the curve.

        Returns
        -------
        LorenzCurveDisplay
        """
        labels = np.asarray(estimator.predict(X))
        table = as_pandas_table(X)
        column = estimator.column
        if isinstance(column, str) and column in table:
            values = table[column].to_numpy(dtype=float)
        elif table.shape[1] == 1:
            values, column = table.iloc[:, 0].to_numpy(dtype=float), str(column)
        else:
            values = table.iloc[:, int(column)].to_numpy(dtype=float)
            column = str(table.columns[int(column)])
        x, y = lorenz_points(values)
        order = np.argsort(values, kind="stable")
        sorted_labels = labels[order]
        names = list(estimator.segment_names_)
        cuts = []
        # a tier starts where the label (heaviest = 0) drops along the sorted order
        for i in range(1, sorted_labels.size):
            if sorted_labels[i] != sorted_labels[i - 1]:
                cuts.append((float(x[i]), float(y[i]), names[sorted_labels[i]]))
        area = float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2.0))
        gini = 1.0 - 2.0 * area
        disp = cls(x, y, cuts=cuts, gini=gini, column=column)
        return disp.plot(ax=ax, **kwargs)

    def _draw(self, ax, **kwargs):
        label = f"{self.column}"
        if self.gini is not None:
            label += f" (Gini {self.gini:.2f})"
        ax.plot(self.customer_share, self.value_share, label=label, **kwargs)
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1,
                label="equal usage")  # fmt: skip
        for i, (x, y, name) in enumerate(self.cuts):
            ax.plot([x, x], [0, y], color="black", linewidth=0.8, linestyle=":")
            ax.plot(x, y, "o", color="black", markersize=4)
            tiers = name if i == len(self.cuts) - 1 else f"{name} and above"
            ax.annotate(
                f"{tiers}: top {1 - x:.0%}\nhold {1 - y:.0%} of {self.column}",
                (x, y),
                xytext=(-8, 8),
                textcoords="offset points",
                ha="right",
                fontsize=8,
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("share of customers, lightest first")
        ax.set_ylabel(f"cumulative share of {self.column}")
        ax.set_title("Usage concentration and tiers")
        ax.legend(loc="upper left")
