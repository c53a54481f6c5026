"""The transaction-log schema and the interface every aggregation engine implements.

Three things are declared here once and used everywhere else in the stage:

- :class:`LogColumns`, the names of the log's columns (customer, date,
  amount, optional order);
- :class:`TransactionLog`, the Protocol of an engine: the numpy fast path for
  pandas (``_pandas_engine.PandasLog``) and the narwhals path for every other
  engine (``_narwhals_engine.NarwhalsLog``) implement it, and
  :func:`open_log` is the one place that picks between them;
- ``AGGREGATION_DEFAULTS``, the aggregation settings with their defaults and
  constraints, shared by :func:`custseg.rfm_table`,
  :class:`custseg.RFMTransformer`, the holdout split and the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real
from typing import Any, Protocol, runtime_checkable

from custseg._sklearn_compat import Interval, StrOptions

__all__ = [
    "AGG",
    "AGGREGATION_CONSTRAINTS",
    "AGGREGATION_DEFAULTS",
    "AGGREGATION_PARAMS",
    "LogColumns",
    "TransactionLog",
    "open_log",
]

# Internal column names of the prepared log and of the per-customer aggregates.
AGG = {
    "customer": "__cs_customer",
    "order": "__cs_order",
    "day": "__cs_day",
    "amount": "__cs_amount",
    "period": "__cs_period",
    "last": "__cs_last",
    "first": "__cs_first",
    "n": "__cs_n",
    "total": "__cs_total",
    "first_total": "__cs_first_total",
    "active": "__cs_active",
    "returned": "__cs_returned",
}

#: Every aggregation setting and its default, in signature order.  rfm_table's
#: and RFMTransformer's signatures are tested against this mapping.
AGGREGATION_DEFAULTS = {
    "customer_col": "customer_id",
    "date_col": "date",
    "amount_col": "amount",
    "order_col": None,
    "reference_date": None,
    "definition": "classic",
    "monetary": "sum",
    "extra_features": None,
    "period": "D",
    "time_scaler": 1.0,
    "include_first_transaction": False,
    "attributes": None,
    "attribute_rule": "last",
    "returns": "net",
    "missing": "drop",
}
AGGREGATION_PARAMS = tuple(AGGREGATION_DEFAULTS)

AGGREGATION_CONSTRAINTS = {
    "customer_col": [str],
    "date_col": [str],
    "amount_col": [str],
    "order_col": [str, None],
    "reference_date": "no_validation",  # checked by day_number
    "definition": [StrOptions({"classic", "btyd"})],
    "monetary": [StrOptions({"sum", "mean"})],
    "extra_features": [list, tuple, StrOptions({"all"}), None],
    "period": [StrOptions({"D", "W"})],
    "time_scaler": [Interval(Real, 0, None, closed="neither")],
    "include_first_transaction": ["boolean"],
    "attributes": [list, tuple, None],
    "attribute_rule": [StrOptions({"last", "mode"})],
    "returns": [StrOptions({"net", "ignore", "raise"})],
    "missing": [StrOptions({"drop", "raise"})],
}


@dataclass(frozen=True)
class LogColumns:
    """Names of a transaction log's columns.

    Parameters
    ----------
    customer, date, amount : str
    order : str or None
    """

    customer: str
    date: str
    amount: str
    order: str | None = None

    @classmethod
    def from_params(cls, params):
        """Read ``customer_col``, ``date_col``, ... from a settings mapping."""
        return cls(
            customer=params.get("customer_col", AGGREGATION_DEFAULTS["customer_col"]),
            date=params.get("date_col", AGGREGATION_DEFAULTS["date_col"]),
            amount=params.get("amount_col", AGGREGATION_DEFAULTS["amount_col"]),
            order=params.get("order_col"),
        )

    def as_params(self):
        """``{"customer_col": ..., "date_col": ..., "amount_col": ..., "order_col": ...}``."""
        return {
            "customer_col": self.customer,
            "date_col": self.date,
            "amount_col": self.amount,
            "order_col": self.order,
        }

    def by_role(self):
        """``{"customer": ..., "date": ..., "amount": ..., "order": ...}``."""
        return {
            "customer": self.customer,
            "date": self.date,
            "amount": self.amount,
            "order": self.order,
        }


@runtime_checkable
class TransactionLog(Protocol):
    """What an aggregation engine offers the rest of the stage.

    Day arguments are proleptic Gregorian day ordinals (``date.toordinal()``).
    """

    #: the log's column names
    columns: LogColumns
    #: whether results are computed now (``True``) or stay lazy
    eager: bool

    def restrict(
        self, *, after_day: int | None = None, through_day: int | None = None
    ) -> TransactionLog:
        """The rows dated after ``after_day`` and up to ``through_day``.

        With ``through_day`` only, undated rows are kept (the missing-value
        policy counts them); with ``after_day`` they are not.
        """

    def audit(self, *, reference_day: int | None, returns: str) -> tuple[Any, Any]:
        """Count rows by problem (a ``LogAudit``) and find the reference day."""

    def aggregate_customers(
        self,
        *,
        reference_day: int,
        returns: str,
        net_returns: bool,
        definition: str,
        period: str = "D",
        active_days: bool = False,
    ) -> tuple[Any, int]:
        """Per-customer aggregates (columns ``AGG[...]``) and the returns-only count."""

    def customer_attributes(
        self, names, *, reference_day: int, returns: str, rule: str
    ) -> tuple[Any, dict]:
        """One value per customer and attribute, and customers with several values."""


def open_log(transactions, columns, attributes=()):
    """The :class:`TransactionLog` of a frame: numpy fast path for pandas.

    Parameters
    ----------
    transactions : DataFrame
    columns : LogColumns
    attributes : sequence of str
        Columns carried per customer (see ``customer_attributes``).
    """
    import pandas as pd

    if isinstance(transactions, pd.DataFrame):
        from custseg._aggregation._pandas_engine import PandasLog

        return PandasLog(transactions, columns, attributes=attributes)
    from custseg._aggregation._narwhals_engine import NarwhalsLog

    return NarwhalsLog(transactions, columns, attributes=attributes)
