"""k-selection curves: every criterion and the stability rule over k, the chosen k marked."""

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
    """Curves of every k-selection criterion, the stability rule, and the choice.

    Criteria have different units, so each curve is rescaled to 0..1
    (min-max over the candidate k); the legend says how each criterion
    picks its k (``max``, ``min`` or ``knee``).  A star marks the k each
    criterion prefers and a dashed line the chosen k.  The raw values are in
    ``table``.

    The rule of ``selection="stability"`` is drawn in its own units: the
    stability (the least stable segment's mean bootstrap Jaccard, a thick
    black line over the k where it was measured), the band of stable k
    (shaded, from ``stability_threshold`` up), and a red cross at the bottom
    of every k whose smallest segment holds less than ``min_share`` of the
    customers or which is degenerate (never chosen by the rule).

    Parameters
    ----------
    table : DataFrame
        ``k_selection_`` of a :class:`~custseg.CustomerSegmenter`: indexed
        by ``n_segments``, one column per criterion and a boolean ``chosen``.
    preferred : dict of str to int
        The k each criterion prefers (``k_preferred_``).
    stability_threshold, min_share : float, default=None
        The bands of the stability rule; ``None`` reads them from
        ``table.attrs`` (set by the search), else 0.75 and 0.02.

    Attributes
    ----------
    criteria : list of str
        The criteria drawn.
    chosen : int
        The chosen number of segments.
    flagged : list of int
        The k with a segment below ``min_share`` or a degenerate solution.
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
    ...      "stability": [float("nan"), 0.93, 0.71],
    ...      "smallest_share": [0.30, 0.12, 0.01],
    ...      "chosen": [False, True, False]},
    ...     index=pd.Index([2, 3, 4], name="n_segments"))
    >>> disp = KSelectionDisplay(table, {"silhouette": 3, "davies_bouldin": 3}).plot()
    >>> disp.criteria, disp.chosen, disp.flagged, disp.stability_threshold
    (['silhouette', 'davies_bouldin'], 3, [4], 0.75)
    """

    _figsize = (7.0, 4.0)

    def __init__(
        self,
        table: pd.DataFrame,
        preferred: dict[str, int],
        *,
        stability_threshold: float | None = None,
        min_share: float | None = None,
    ) -> None:
        self.table = table
        self.preferred = preferred
        attrs = getattr(table, "attrs", {})
        if stability_threshold is None:
            stability_threshold = attrs.get("stability_threshold", 0.75)
        if min_share is None:
            min_share = attrs.get("min_share", 0.02)
        self.stability_threshold = float(stability_threshold)
        self.min_share = float(min_share)

    @property
    def flagged(self) -> list[int]:
        """The k whose smallest segment is below ``min_share`` or degenerate."""
        flag = np.zeros(len(self.table), dtype=bool)
        if "smallest_share" in self.table:
            flag |= self.table["smallest_share"].to_numpy(dtype=float) < self.min_share
        if "degenerate" in self.table:
            flag |= self.table["degenerate"].fillna("").astype(str).ne("").to_numpy()
        return [int(k) for k in self.table.index[flag]]

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
        return cls(
            estimator.k_selection_,
            estimator.k_preferred_,
            stability_threshold=getattr(estimator, "stability_threshold", None),
            min_share=getattr(estimator, "min_share", None),
        ).plot(ax=ax, **kwargs)

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
        self._draw_stability(ax, ks)
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
        ax.set_ylabel("criterion rescaled to 0..1;\nstability: bootstrap Jaccard")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)

    def _draw_stability(self, ax, ks):
        """The stability curve, its band, and the k with a tiny segment."""
        if "stability" in self.table and self.table["stability"].notna().any():
            ax.axhspan(
                self.stability_threshold,
                1.0,
                color="tab:green",
                alpha=0.12,
                label=f"stable: every segment ≥ {self.stability_threshold:g}",
            )
            stability = self.table["stability"].to_numpy(dtype=float)
            measured = np.isfinite(stability)
            ax.plot(
                ks[measured],
                stability[measured],
                color="black",
                linewidth=2.5,
                marker="o",
                label="stability (least stable segment)",
            )
        if self.flagged:
            ax.plot(
                self.flagged,
                np.zeros(len(self.flagged)),
                linestyle="none",
                marker="X",
                markersize=9,
                color="tab:red",
                clip_on=False,
                label=f"a segment < {self.min_share:.0%} of customers or degenerate",
            )
