"""Bootstrap stability per segment, against Hennig's 0.6 / 0.75 / 0.85 bands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from sklearn.base import clone

from custseg._evaluation import STABILITY_BANDS as BANDS
from custseg._evaluation import ValidationReport, bootstrap_stability
from custseg._tables import ArrayLike, TableLike
from custseg.plotting._base import Display

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["StabilityDisplay"]

_BAND_COLOURS = ("#f4cccc", "#fce5cd", "#d9ead3", "#b6d7a8")


def _horizontal():
    import matplotlib

    major, minor = (int(p) for p in matplotlib.__version__.split(".")[:2])
    return (
        {"orientation": "horizontal"} if (major, minor) >= (3, 10) else {"vert": False}
    )


class StabilityDisplay(Display):
    """Bootstrap Jaccard coefficients of each segment, with the stability bands.

    One box per segment shows the Jaccard coefficient of its best match in
    each bootstrap refit; a diamond marks the mean, the segment's stability.
    The background bands follow Hennig: below 0.6 not trustworthy, 0.6-0.75
    doubtful, 0.75-0.85 stable, 0.85 and above highly stable.

    Parameters
    ----------
    jaccard : ndarray of shape (n_bootstrap, n_segments)
        Maximal Jaccard coefficient of each segment in each resample.
    names : sequence of str
        Segment names, in label order.

    Attributes
    ----------
    mean_jaccard : ndarray of shape (n_segments,)
        The stability of each segment (NaN for an empty segment).
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from custseg.plotting import StabilityDisplay
    >>> jaccard = np.array([[1.0, 0.5], [0.8, 0.7]])
    >>> StabilityDisplay(jaccard, ["a", "b"]).plot().mean_jaccard.tolist()
    [0.9, 0.6]
    """

    def __init__(self, jaccard: ArrayLike, names: Sequence[str]) -> None:
        self.jaccard = jaccard
        self.names = names

    @property
    def mean_jaccard(self) -> np.ndarray:
        """The stability of each segment (NaN for an empty segment)."""
        jaccard = np.asarray(self.jaccard, dtype=float)
        finite = np.isfinite(jaccard)
        counts = finite.sum(axis=0)
        sums = np.where(finite, jaccard, 0.0).sum(axis=0)
        means = np.full(jaccard.shape[1], np.nan)
        np.divide(sums, counts, out=means, where=counts > 0)
        return means

    @property
    def _figsize(self):
        return (7.0, 1.2 + 0.45 * len(self.names))

    @classmethod
    def from_report(
        cls, report: ValidationReport, *, ax: Axes | None = None, **kwargs: Any
    ) -> Self:
        """Plot the stability measured by :func:`custseg.validate_segmentation`.

        Parameters
        ----------
        report : ValidationReport
            Computed with ``n_bootstrap > 0``.  Segments without customers
            are left out.
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to ``boxplot``.

        Returns
        -------
        StabilityDisplay
        """
        if not len(report.bootstrap_jaccard):
            raise ValueError(
                f"The report has no bootstrap stability ({report.stability_method})."
            )
        # segments without customers have no stability: left out, not blank rows
        present = (report.segments["customers"] > 0).to_numpy()
        jaccard = np.asarray(report.bootstrap_jaccard, dtype=float)[:, present]
        names = list(report.segments["name"][present])
        return cls(jaccard, names).plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: TableLike,
        *,
        n_bootstrap: int = 20,
        random_state: int | np.random.RandomState | None = None,
        ax: Axes | None = None,
        **kwargs: Any,
    ) -> Self:
        """Refit a fitted segmenter on bootstrap resamples of ``X`` and plot.

        Each refit (a clone of ``estimator``) predicts every customer of
        ``X``; each segment of ``estimator.predict(X)`` is matched with its
        most similar refitted segment (see :mod:`custseg._evaluation._stability`).

        Parameters
        ----------
        estimator : fitted segmenter
        X : DataFrame or array-like of shape (n_customers, n_features)
        n_bootstrap : int, default=20
        random_state : int, RandomState instance or None
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to ``boxplot``.

        Returns
        -------
        StabilityDisplay
        """
        labels = np.asarray(estimator.predict(X), dtype=np.int64)
        jaccard = bootstrap_stability(
            clone(estimator),
            X,
            labels,
            n_bootstrap=n_bootstrap,
            random_state=random_state,
        )
        names = getattr(estimator, "segment_names_", None)
        if names is None:
            names = [f"segment {k}" for k in range(jaccard.shape[1])]
        return cls(jaccard, names).plot(ax=ax, **kwargs)

    def _draw(self, ax, **kwargs):
        edges = (0.0, *BANDS, 1.0)
        for low, high, colour in zip(edges[:-1], edges[1:], _BAND_COLOURS, strict=True):
            ax.axvspan(low, high, color=colour, zorder=0)
        for band in BANDS:
            ax.axvline(band, color="grey", linewidth=0.8, linestyle=":")
        positions = np.arange(len(self.names))
        columns = [col[np.isfinite(col)] for col in self.jaccard.T]
        ax.boxplot(
            columns,
            positions=positions,
            **_horizontal(),
            widths=0.5,
            manage_ticks=False,
            **kwargs,
        )
        ax.scatter(
            self.mean_jaccard, positions, marker="D", color="black", zorder=3,
            label="mean (stability)",
        )  # fmt: skip
        ax.set_yticks(positions, self.names)
        ax.invert_yaxis()
        ax.set_xlim(0, 1.02)
        ax.set_xlabel(
            "bootstrap Jaccard\n(bands from {} / {} / {}: doubtful / stable / "
            "highly stable)".format(*BANDS)
        )
        ax.set_title("Segment stability")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
