"""k-selection curves: every criterion over k, the chosen k marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

import numpy as np
import pandas as pd

from custseg._learned import CRITERIA
from custseg.plotting._base import Display

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["KSelectionDisplay"]


class KSelectionDisplay(Display):
    """Curves of every k-selection criterion, with each one's preferred k and the choice.

    Criteria have different units, so each curve is rescaled to 0..1
    (min-max over the candidate k); the legend says how each criterion
    picks its k (``max``, ``min`` or ``knee``).  A star marks the k each
    criterion prefers and a dashed line the chosen k.  The raw values are in
    ``table``.

    Parameters
    ----------
    table : DataFrame
        ``k_selection_`` of a :class:`~custseg.CustomerSegmenter`: indexed
        by ``n_segments``, one column per criterion and a boolean ``chosen``.
    preferred : dict of str to int
        The k each criterion prefers (``k_preferred_``).

    Attributes
    ----------
    criteria : list of str
        The criteria drawn.
    chosen : int
        The chosen number of segments.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from custseg.plotting import KSelectionDisplay
    >>> table = pd.DataFrame(
    ...     {"silhouette": [0.40, 0.55, 0.50], "davies_bouldin": [0.9, 0.7, 0.8],
    ...      "chosen": [False, True, False]},
    ...     index=pd.Index([2, 3, 4], name="n_segments"))
    >>> disp = KSelectionDisplay(table, {"silhouette": 3, "davies_bouldin": 3}).plot()
    >>> disp.criteria, disp.chosen
    (['silhouette', 'davies_bouldin'], 3)
    """

    _figsize = (7.0, 4.0)

    def __init__(self, table: pd.DataFrame, preferred: dict[str, int]) -> None:
        self.table = table
        self.preferred = preferred

    @property
    def criteria(self) -> list[str]:
        """The criteria drawn: the columns of ``table`` that are known criteria."""
        return [c for c in CRITERIA if c in self.table.columns]

    @property
    def chosen(self) -> int | None:
        """The chosen k (None when the table marks none)."""
        chosen = self.table.index[self.table["chosen"].astype(bool)]
        return int(chosen[0]) if len(chosen) else None

    @classmethod
    def from_estimator(
        cls, estimator: Any, *, ax: Axes | None = None, **kwargs: Any
    ) -> Self:
        """Plot the k search of a fitted :class:`~custseg.CustomerSegmenter`.

        Parameters
        ----------
        estimator : CustomerSegmenter
            Fitted with ``n_segments="auto"``.
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to ``plot`` for every curve.

        Returns
        -------
        KSelectionDisplay
        """
        if not hasattr(estimator, "k_selection_"):
            raise ValueError(
                f"{type(estimator).__name__} has no k_selection_: fit a "
                "CustomerSegmenter with n_segments='auto'."
            )
        return cls(estimator.k_selection_, estimator.k_preferred_).plot(ax=ax, **kwargs)

    def _draw(self, ax, **kwargs):
        ks = np.asarray(self.table.index, dtype=float)
        for criterion in self.criteria:
            values = self.table[criterion].to_numpy(dtype=float)
            low, high = np.nanmin(values), np.nanmax(values)
            scaled = (values - low) / (high - low) if high > low else values * 0.0
            (line,) = ax.plot(
                ks,
                scaled,
                marker="o",
                markersize=3,
                label=f"{criterion} ({CRITERIA[criterion]})",
                **kwargs,
            )
            if criterion in self.preferred:
                at = list(self.table.index).index(self.preferred[criterion])
                ax.plot(
                    ks[at],
                    scaled[at],
                    marker="*",
                    markersize=14,
                    color=line.get_color(),
                )
        if self.chosen is not None:
            ax.axvline(self.chosen, color="black", linestyle="--", linewidth=1)
            ax.text(
                self.chosen,
                1.04,
                f"chosen k = {self.chosen}",
                ha="center",
                transform=ax.get_xaxis_transform(),
            )
        ax.set_xticks(ks)
        ax.set_xlabel("number of segments k")
        ax.set_ylabel("criterion, rescaled to 0..1")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
