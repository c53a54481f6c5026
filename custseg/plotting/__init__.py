"""Plots of segmentations, as scikit-learn style Display objects.

Every Display is built with ``from_estimator`` (or ``from_report``,
``from_migration``, ``from_profiles``) and drawn by ``plot(ax=None)``; it
returns itself with ``ax_`` and ``figure_`` set and never calls
``plt.show()``.  matplotlib is imported only when a plot is drawn
(install it with ``pip install 'custseg[plot]'``).
"""

from custseg.plotting._base import check_matplotlib as check_matplotlib
from custseg.plotting._cohorts import CohortDisplay
from custseg.plotting._k_selection import KSelectionDisplay
from custseg.plotting._lorenz import LorenzCurveDisplay
from custseg.plotting._migration import MigrationDisplay
from custseg.plotting._profile_heatmap import SegmentProfileDisplay
from custseg.plotting._rfm_heatmap import RFMHeatmapDisplay
from custseg.plotting._segment_sizes import SegmentSizesDisplay
from custseg.plotting._silhouette import SilhouetteDisplay
from custseg.plotting._stability import StabilityDisplay

__all__ = [
    "CohortDisplay",
    "KSelectionDisplay",
    "LorenzCurveDisplay",
    "MigrationDisplay",
    "RFMHeatmapDisplay",
    "SegmentProfileDisplay",
    "SegmentSizesDisplay",
    "SilhouetteDisplay",
    "StabilityDisplay",
]
