"""Customer table → scores and named segments by rules.

Owns RFM scoring and its cut points (quantiles, thresholds, natural breaks),
the rule language, the preset rule maps, :class:`RFMSegmenter`,
:class:`UsageTiers` and :class:`AttributeSegmenter`. It may import the shared
top-level modules only (``custseg._base``, ``custseg._tables``,
``custseg._sklearn_compat``).
"""

from custseg._rule_based._attribute_segmenter import AttributeSegmenter
from custseg._rule_based._breaks import jenks_classes, quantile_cuts
from custseg._rule_based._rule_parsing import (
    RuleDiagnostics,
    diagnose_rules,
    parse_rules,
)
from custseg._rule_based._rule_presets import get_rule_preset, list_rule_presets
from custseg._rule_based._rules import RFMSegmenter
from custseg._rule_based._scoring import RFMScorer
from custseg._rule_based._segment_table import segment_table
from custseg._rule_based._tiers import UsageTiers

__all__ = [
    "AttributeSegmenter",
    "RFMScorer",
    "RFMSegmenter",
    "RuleDiagnostics",
    "UsageTiers",
    "diagnose_rules",
    "get_rule_preset",
    "jenks_classes",
    "list_rule_presets",
    "parse_rules",
    "quantile_cuts",
    "segment_table",
]
