"""custseg: customer segmentation for data scientists.

From a transaction log to RFM features, rule-based named segments, usage
tiers, learned segments with readable personas, and a validation of whether
a segmentation holds up in the data.
"""

from custseg._aggregation import RFMTransformer, calibration_holdout_split, rfm_table
from custseg._base import SegmenterMixin, segment_profiles
from custseg._evaluation import (
    QuantileSegmenter,
    RandomSegmenter,
    SegmentMigration,
    ValidationReport,
    compare_segmentations,
    segment_migration,
    validate_segmentation,
)
from custseg._learned import (
    CustomerSegmenter,
    LogRobustScaler,
    default_vocabulary,
    name_personas,
)
from custseg._rule_based import (
    AttributeSegmenter,
    RFMScorer,
    RFMSegmenter,
    RuleDiagnostics,
    UsageTiers,
    diagnose_rules,
    get_rule_preset,
    list_rule_presets,
    segment_table,
)
from custseg._value import (
    BetaGeoModel,
    CohortRetention,
    GammaGammaModel,
    LifecycleStages,
    cohort_retention,
    lifecycle_stages,
)
from custseg.plotting import (
    CohortDisplay,
    KSelectionDisplay,
    LorenzCurveDisplay,
    MigrationDisplay,
    RFMHeatmapDisplay,
    SegmentProfileDisplay,
    SegmentSizesDisplay,
    SilhouetteDisplay,
    StabilityDisplay,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "AttributeSegmenter",
    "BetaGeoModel",
    "CohortDisplay",
    "CohortRetention",
    "CustomerSegmenter",
    "GammaGammaModel",
    "KSelectionDisplay",
    "LifecycleStages",
    "LogRobustScaler",
    "LorenzCurveDisplay",
    "MigrationDisplay",
    "QuantileSegmenter",
    "RFMHeatmapDisplay",
    "RFMScorer",
    "RFMSegmenter",
    "RFMTransformer",
    "RandomSegmenter",
    "RuleDiagnostics",
    "SegmentMigration",
    "SegmentProfileDisplay",
    "SegmentSizesDisplay",
    "SegmenterMixin",
    "SilhouetteDisplay",
    "StabilityDisplay",
    "UsageTiers",
    "ValidationReport",
    "calibration_holdout_split",
    "cohort_retention",
    "compare_segmentations",
    "default_vocabulary",
    "diagnose_rules",
    "get_rule_preset",
    "lifecycle_stages",
    "list_rule_presets",
    "name_personas",
    "rfm_table",
    "segment_migration",
    "segment_profiles",
    "segment_table",
    "validate_segmentation",
]
