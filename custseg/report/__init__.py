"""A standalone report of a segmentation: HTML, markdown or JSON.

:func:`segmentation_report` runs the whole flow once (RFM, rule segments,
usage tiers, the chosen segmentation, its validation, the plots) and returns
a :class:`SegmentationReport`, which renders it as one self-contained HTML
file (figures embedded, no network needed), markdown or JSON, and shows
itself inline in notebooks.
"""

# the report's methods, one list for the report and the command line
from custseg.report._build import METHODS as METHODS
from custseg.report._figures import ReportFigure
from custseg.report._report import SegmentationReport, segmentation_report

__all__ = ["ReportFigure", "SegmentationReport", "segmentation_report"]
