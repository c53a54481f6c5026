"""Customer value over time: purchase and spend models, lifecycle, cohorts.

Owns the BG/NBD purchase model (:class:`BetaGeoModel`), the Gamma-Gamma
spend model (:class:`GammaGammaModel`) on the buy-till-you-die customer
table, expected value per customer, lifecycle stages per period and
first-purchase cohort retention.  Models read the customer table only; the
per-period functions read the transaction log through the public names of
``custseg._aggregation`` (its engines and date handling).  It may import the
shared modules and every stage before it (``_aggregation`` to
``_evaluation``), never the presentation layer.
"""

from custseg._value._beta_geo import BetaGeoModel
from custseg._value._cohorts import CohortRetention, cohort_retention
from custseg._value._gamma_gamma import GammaGammaModel
from custseg._value._lifecycle import LifecycleStages, lifecycle_stages

__all__ = [
    "BetaGeoModel",
    "CohortRetention",
    "GammaGammaModel",
    "LifecycleStages",
    "cohort_retention",
    "lifecycle_stages",
]
