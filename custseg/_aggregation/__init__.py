"""Transactions → customer table.

Owns the transaction-log schema and its checks, the two aggregation engines
(a numpy fast path for pandas frames and a narwhals path for every other
engine), :func:`rfm_table`, :class:`RFMTransformer` and the calibration /
holdout split. It is the only code that touches dataframe engines' log
frames. It imports nothing from the other stages; they import from here.
"""

from custseg._aggregation._holdout import calibration_holdout_split
from custseg._aggregation._rfm import EXTRA_FEATURES, rfm_table
from custseg._aggregation._transformer import RFMTransformer

__all__ = [
    "EXTRA_FEATURES",
    "RFMTransformer",
    "calibration_holdout_split",
    "rfm_table",
]
