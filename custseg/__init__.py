"""custseg: customer segmentation for data scientists.

From a transaction log to RFM features, rule-based named segments, usage
tiers, learned segments with readable personas, and a validation of whether
a segmentation holds up in the data.
"""

# from custseg._rfm import RFMTransformer, rfm_table  (foundation, in progress)
from custseg._segments import SegmenterMixin, segment_profiles

# --- issue 3: scores, rules, tiers (custseg/_scoring.py, _rules.py, _tiers.py, _migration.py)
# --- issue 4: learned segments (custseg/_segmenter.py, _personas.py, _k_selection.py)
from custseg._personas import name_personas
from custseg._preprocessing import LogRobustScaler
from custseg._segmenter import CustomerSegmenter
# --- issue 5: validation (custseg/_validation.py, ...)

__version__ = "0.1.0.dev0"

__all__ = [
    "CustomerSegmenter",
    "LogRobustScaler",
    "name_personas",
    "SegmenterMixin",
    "segment_profiles",
]
