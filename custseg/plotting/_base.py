"""Shared helpers of the Display objects: lazy matplotlib and the Axes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

import numpy as np

from custseg._format import format_cell

if TYPE_CHECKING:  # matplotlib is optional: its types are for type checkers only
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap

__all__ = ["Display", "HeatmapDisplay", "check_matplotlib", "format_value"]


def check_matplotlib(caller):
    """Import and return ``matplotlib.pyplot``, or say how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is in the test env
        raise ImportError(
            f"{caller} needs matplotlib; install it with pip install 'custseg[plot]'."
        ) from exc
    return plt


def format_value(value):
    """Short label for a number in a heatmap cell (the shared formatter's)."""
    if value is None or not np.isfinite(value):
        return ""
    if abs(value) >= 100:
        return format_cell(float(round(value)))
    return format_cell(float(value))


class Display:
    """Base of the custseg Displays: ``plot(ax=None)`` sets ``ax_`` and ``figure_``.

    Subclasses implement ``_draw(ax, **kwargs)``.  Displays never call
    ``plt.show()``: they return themselves, and the figure is in ``figure_``.
    """

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Self:
        """Draw the plot.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a new figure and Axes.
        **kwargs : dict
            Passed to the main matplotlib call (see the class docstring).

        Returns
        -------
        self
            The Display, with ``ax_`` and ``figure_`` set.
        """
        plt = check_matplotlib(type(self).__name__)
        if ax is None:
            _, ax = plt.subplots(figsize=getattr(self, "_figsize", None))
        self._draw(ax, **kwargs)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _draw(self, ax, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError


class HeatmapDisplay(Display):
    """A Display drawn with ``imshow``: ``plot`` names ``cmap`` and ``colorbar``.

    As scikit-learn's ``ConfusionMatrixDisplay.plot``; subclasses set their
    default colour map in ``_cmap``.
    """

    _cmap = "viridis"

    def plot(
        self,
        ax: Axes | None = None,
        *,
        cmap: str | Colormap | None = None,
        colorbar: bool = True,
        **kwargs: Any,
    ) -> Self:
        """Draw the heatmap.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a new figure and Axes.
        cmap : str or matplotlib Colormap, default=None
            Colour map; ``None``: the Display's own (see the class docstring).
        colorbar : bool, default=True
            Whether to draw a colour bar.
        **kwargs : dict
            Passed to ``imshow``.

        Returns
        -------
        self
            The Display, with ``ax_`` and ``figure_`` set.
        """
        cmap = self._cmap if cmap is None else cmap
        return super().plot(ax, cmap=cmap, colorbar=colorbar, **kwargs)


def annotated_heatmap(
    ax,
    values,
    labels,
    *,
    cmap,
    colorbar_label,
    colorbar=True,
    white_on_low=True,
    white_on_extreme=False,
    empty_label=None,
    **kwargs,
):
    """``imshow`` of ``values`` with a text label in each cell; return the image.

    With ``white_on_low`` the labels of cells below the middle of the colour
    range are white (for sequential colour maps that start dark).  Cells
    whose value is NaN are hatched; with ``empty_label`` a legend entry says
    what they mean.
    """
    from matplotlib.patches import Patch, Rectangle

    values = np.asarray(values, dtype=float)
    masked = np.ma.masked_invalid(values)
    ax.set_facecolor("white")
    image = ax.imshow(masked, cmap=cmap, aspect="auto", **kwargs)
    for i, j in zip(*np.nonzero(~np.isfinite(values)), strict=True):
        ax.add_patch(
            Rectangle(
                (j - 0.5, i - 0.5),
                1,
                1,
                fill=False,
                hatch="///",
                edgecolor="#bbbbbb",
                linewidth=0,
            )  # fmt: skip
        )
    if empty_label and not np.isfinite(values).all():
        ax.legend(
            handles=[
                Patch(
                    facecolor="white",
                    edgecolor="#999999",
                    hatch="///",
                    label=empty_label,
                )
            ],  # fmt: skip
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            fontsize=8,
            frameon=False,
        )
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    vmax = kwargs.get("vmax", np.abs(finite).max() if finite.size else 1.0)
    for (i, j), text in np.ndenumerate(np.asarray(labels, dtype=object)):
        if text:
            dark = white_on_low and np.isfinite(values[i, j]) and values[i, j] < middle
            # both ends of a diverging map are dark
            dark |= white_on_extreme and abs(values[i, j]) > 0.6 * vmax
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else "black",
            )
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=colorbar_label)
    return image
