"""Segment labels → evidence: is a segmentation real, stable and useful?

Owns :func:`validate_segmentation` and its report, the comparison of several
segmentations against baselines, the statistical tests and effect sizes,
bootstrap stability, internal indices, verdicts and segment migration. It
may import the shared top-level modules and the stages before it
(``custseg._aggregation``, ``custseg._rule_based``, ``custseg._learned``),
through their package namespaces.
"""

from custseg._evaluation._baselines import QuantileSegmenter, RandomSegmenter
from custseg._evaluation._compare import compare_segmentations
from custseg._evaluation._hypothesis import segmenter_for_refit
from custseg._evaluation._indices import model_space
from custseg._evaluation._migration import SegmentMigration, segment_migration
from custseg._evaluation._stability import STABILITY_BANDS, bootstrap_stability
from custseg._evaluation._validation import validate_segmentation
from custseg._evaluation._validation_report import ValidationReport

__all__ = [
    "STABILITY_BANDS",
    "QuantileSegmenter",
    "RandomSegmenter",
    "SegmentMigration",
    "ValidationReport",
    "bootstrap_stability",
    "compare_segmentations",
    "model_space",
    "segment_migration",
    "segmenter_for_refit",
    "validate_segmentation",
]
