"""The report's figures, drawn once and kept as PNG bytes."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from custseg._progress import progress
from custseg.plotting import (
    KSelectionDisplay,
    LorenzCurveDisplay,
    RFMHeatmapDisplay,
    SegmentProfileDisplay,
    SegmentSizesDisplay,
    SilhouetteDisplay,
    StabilityDisplay,
    check_matplotlib,
)

__all__ = ["ReportFigure", "draw_figures", "render_png"]


@dataclass(frozen=True)
class ReportFigure:
    """One figure of a report: a title, a caption and the PNG image."""

    title: str
    caption: str
    png: bytes

    @property
    def base64(self) -> str:
        """The PNG as base64 text, for a ``data:`` URI."""
        return base64.b64encode(self.png).decode("ascii")

    def data_uri(self) -> str:
        """``data:image/png;base64,...``: the image embedded in the page."""
        return f"data:image/png;base64,{self.base64}"


def render_png(draw, figsize, *, dpi=80):
    """Draw on a new Axes (outside pyplot) and return the PNG bytes."""
    check_matplotlib("The report's figures")
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, layout="constrained")
    draw(figure.subplots())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _height(n_rows):
    return 1.4 + 0.42 * n_rows


def draw_figures(
    X,
    *,
    rules,
    tiers,
    segmenter,
    validation,
    main_is,
    random_state=None,
    unavailable=None,
    verbose=False,
):
    """Every figure of the report, in display order, as ``{key: ReportFigure}``.

    A figure that cannot be drawn on this data (a silhouette with one segment,
    ...) is left out and its reason appended to ``unavailable``.
    """
    figures = {}
    unavailable = [] if unavailable is None else unavailable
    planned = []

    def add(key, title, caption, draw, figsize):
        planned.append((key, title, caption, draw, figsize))

    n_main = len(segmenter.segment_names_)
    add(
        "rfm_heatmap",
        "RFM heatmap",
        "Mean spend of the customers in each recency × frequency score cell "
        "(scores from quantile bins, 5 = best). Hatched cells hold no customer: "
        "no one has that combination of scores.",
        lambda ax: RFMHeatmapDisplay.from_estimator(rules, X, ax=ax),
        (6.5, 4.5),
    )
    add(
        "rule_sizes",
        "Rule-based segments: size and revenue",
        "Share of customers and share of revenue of each RFM rule segment with "
        "customers (empty segments are listed under the table).",
        lambda ax: SegmentSizesDisplay.from_estimator(rules, ax=ax),
        (7.5, _height(int((rules.profiles_["customers"] > 0).sum()))),
    )
    if tiers is not None:
        add(
            "lorenz",
            "Usage tiers",
            "Lorenz curve of the number of orders; dots mark where each tier begins.",
            lambda ax: LorenzCurveDisplay.from_estimator(tiers, X, ax=ax),
            (5.5, 5.0),
        )
    if main_is != "rfm":
        add(
            "segment_sizes",
            "Segments: size and revenue",
            "Share of customers and share of revenue of each segment.",
            lambda ax: SegmentSizesDisplay.from_estimator(segmenter, ax=ax),
            (7.5, _height(n_main)),
        )
    add(
        "profiles",
        "Segment profiles",
        "Median of each feature per segment (annotated, original units). Blue "
        "is better than the typical segment, red worse: a low recency (a recent "
        "purchase) and high orders and spend are better.",
        lambda ax: SegmentProfileDisplay.from_estimator(segmenter, ax=ax),
        (8.0, _height(n_main)),
    )
    if hasattr(segmenter, "k_selection_"):
        add(
            "k_selection",
            "Choosing the number of segments",
            "Every criterion over k, rescaled to 0..1; stars mark each "
            "criterion's preferred k, the dashed line the chosen k. The black "
            "line is the stability of the least stable segment over bootstrap "
            "refits, the shaded band the stable range; crosses mark k with a "
            "segment too small to keep.",
            lambda ax: KSelectionDisplay.from_estimator(segmenter, ax=ax),
            (7.0, 4.0),
        )
    add(
        "silhouette",
        "Silhouette per segment",
        "Silhouette of each customer (a sample of about 1,000 in which every "
        "segment has customers), grouped by segment; the segment mean is in "
        "brackets.",
        lambda ax: SilhouetteDisplay.from_estimator(
            segmenter, X, sample_size=1000, random_state=random_state, ax=ax
        ),
        (7.0, 4.5),
    )
    if validation is not None and len(validation.bootstrap_jaccard):
        add(
            "stability",
            "Bootstrap stability",
            "Jaccard coefficient of each segment with its best match in every "
            "bootstrap refit; the shaded bands separate not trustworthy, "
            "doubtful, stable and highly stable.",
            lambda ax: StabilityDisplay.from_report(validation, ax=ax),
            (7.5, _height(int((validation.segments["customers"] > 0).sum()))),
        )
    for key, title, caption, draw, figsize in progress(
        planned, desc="figures", verbose=verbose
    ):
        try:
            figures[key] = ReportFigure(title, caption, render_png(draw, figsize))
        except ValueError as exc:
            unavailable.append(f"figure '{title}': {' '.join(str(exc).split())}")
    return figures
