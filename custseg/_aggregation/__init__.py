"""Transactions → customer table.

Owns the transaction-log schema and its checks, the two aggregation engines
(a numpy fast path for pandas frames and a narwhals path for every other
engine), :func:`rfm_table`, :class:`RFMTransformer` and the calibration /
holdout split. It is the only code that touches dataframe engines' log
frames. It imports nothing from the other stages; they import from here.
"""

from custseg._aggregation._holdout import calibration_holdout_split
from custseg._aggregation._log_checks import (
    apply_policies,
    day_number,
    ordinal_to_timestamp,
    warn_returns_only,
)
from custseg._aggregation._narwhals_engine import AGG, NarwhalsLog, kept_rows
from custseg._aggregation._rfm import EXTRA_FEATURES, rfm_table
from custseg._aggregation._schema import (
    AGGREGATION_PARAMS,
    LogColumns,
    TransactionLog,
)
from custseg._aggregation._transformer import RFMTransformer, rfm_transformer_from

__all__ = [
    "AGG",
    "AGGREGATION_PARAMS",
    "EXTRA_FEATURES",
    "LogColumns",
    "NarwhalsLog",
    "RFMTransformer",
    "TransactionLog",
    "apply_policies",
    "calibration_holdout_split",
    "day_number",
    "kept_rows",
    "ordinal_to_timestamp",
    "rfm_table",
    "rfm_transformer_from",
    "warn_returns_only",
]
