"""custseg: customer segmentation for data scientists.

From a transaction log to RFM features, rule-based named segments, usage
tiers, learned segments with readable personas, and a validation of whether
a segmentation holds up in the data.
"""

from custseg._rfm import RFMTransformer, rfm_table
from custseg._segments import SegmenterMixin, segment_profiles

# isort: split
# --- issue 3: scores, rules, tiers (custseg/_scoring.py, _rules.py, _tiers.py, _migration.py)
from custseg._migration import SegmentMigration, segment_migration
from custseg._rule_parsing import RuleDiagnostics, diagnose_rules
from custseg._rule_presets import get_rule_preset, list_rule_presets
from custseg._rules import RFMSegmenter
from custseg._scoring import RFMScorer
from custseg._tiers import UsageTiers

# isort: split
# --- issue 4: learned segments (custseg/_segmenter.py, _personas.py, _k_selection.py)
from custseg._personas import name_personas
from custseg._preprocessing import LogRobustScaler
from custseg._segmenter import CustomerSegmenter

# isort: split
# --- issue 5: validation (custseg/_validation.py, ...)
from custseg._baselines import QuantileSegmenter, RandomSegmenter
from custseg._compare import compare_segmentations
from custseg._holdout import calibration_holdout_split
from custseg._validation import validate_segmentation
from custseg._validation_report import ValidationReport

# isort: split
# --- issue 6: plots (custseg/plotting/), report (custseg/report/), cli
from custseg.plotting import (
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
    "CustomerSegmenter",
    "KSelectionDisplay",
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
    "compare_segmentations",
    "diagnose_rules",
    "get_rule_preset",
    "list_rule_presets",
    "name_personas",
    "rfm_table",
    "segment_migration",
    "segment_profiles",
    "validate_segmentation",
]
