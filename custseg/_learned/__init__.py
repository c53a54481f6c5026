"""Customer table → learned segments with personas.

Owns :class:`CustomerSegmenter` (a clusterer behind custseg's preprocessing),
the preprocessing for skewed money data (:class:`LogRobustScaler`), the
search over the number of segments and the persona names. It may import the
shared top-level modules and ``custseg._rule_based``.
"""

from custseg._learned._k_selection import CRITERIA
from custseg._learned._k_stability import max_jaccard
from custseg._learned._personas import default_vocabulary, name_personas
from custseg._learned._preprocessing import LogRobustScaler, skewness
from custseg._learned._segmenter import CustomerSegmenter

__all__ = [
    "CRITERIA",
    "CustomerSegmenter",
    "LogRobustScaler",
    "default_vocabulary",
    "max_jaccard",
    "name_personas",
    "skewness",
]
