"""Calibration / holdout split of a transaction log at a cutoff date.

A segmentation is useful when it tells apart customers who will behave
differently *later*.  :func:`calibration_holdout_split` cuts a log at a
date: the customer features are computed from the calibration period only
(as of the cutoff, with :func:`custseg.rfm_table`), and the outcomes from
the holdout period that follows, for the customers known at the cutoff.
"""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from custseg._aggregation._log_checks import (
    apply_policies,
    day_number,
    ordinal_to_timestamp,
)
from custseg._aggregation._narwhals_engine import from_native
from custseg._aggregation._rfm import aggregate, check_settings
from custseg._aggregation._schema import LogColumns, open_log
from custseg._sklearn_compat import validate_params
from custseg._tables import DateLike, TableLike
from custseg._warnings import warn

__all__ = ["calibration_holdout_split"]


def _as_pandas(table, customer_col):
    """A (small) customer table as pandas indexed by customer id, sorted."""
    if isinstance(table, pd.DataFrame):
        return table
    frame = from_native(table)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    return frame.sort(customer_col).to_pandas().set_index(customer_col)


@validate_params(
    {
        "transactions": "no_validation",  # checked like rfm_table's
        "cutoff": "no_validation",  # a date, parsed inside
        "customer_col": [str],
        "date_col": [str],
        "amount_col": [str],
        "order_col": [str, None],
        "holdout_end": "no_validation",
    },
    prefer_skip_nested_validation=True,
)
def calibration_holdout_split(
    transactions: TableLike,
    cutoff: DateLike,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    order_col: str | None = None,
    holdout_end: DateLike | None = None,
    **rfm_kwargs: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customer features as of a cutoff, and what each customer did next.

    Parameters
    ----------
    transactions : DataFrame
        The transaction log, on any engine :func:`custseg.rfm_table` accepts;
        never modified.  Both periods are aggregated on that engine, with
        the same ``returns`` and ``missing`` policies (same warnings, same
        errors; the holdout's messages start with "Holdout period").
    cutoff : date-like
        Last day of the calibration period (included, whole day).
    customer_col, date_col, amount_col, order_col : str
        Column names, as in :func:`custseg.rfm_table`.
    holdout_end : date-like, optional
        Last day of the holdout period (included).  Default: the last
        transaction day kept by the policies.  Later transactions are
        excluded with a warning.
    **rfm_kwargs
        Passed to :func:`custseg.rfm_table` (e.g. ``extra_features``).

    Returns
    -------
    features : pandas.DataFrame
        :func:`custseg.rfm_table` of the calibration transactions with
        ``reference_date=cutoff``: one row per customer who bought on or
        before the cutoff, indexed by customer id (whatever the engine: the
        customer tables are small and collected).  Undated rows are counted
        by the ``missing`` policy here, never taken as holdout rows.
    outcomes : pandas.DataFrame
        Same index as ``features``.  Columns: ``spend`` (the net amount of
        the customer's holdout transactions, returns subtracted under
        ``returns="net"``, floored at 0), ``orders`` (distinct ``order_col``
        values, else rows; returns are not orders) and ``bought_again``
        (``orders > 0``).  Spend is never negative: holdout returns often
        refund purchases made before the cutoff, so a customer who returned
        more than they bought in the holdout (counted in a warning) has spend
        0, like one whose holdout rows are only returns (counted in a
        warning too; 0 orders).  Customers whose first
        purchase falls after the cutoff are not included: they are unknown
        at the cutoff.

    Examples
    --------
    >>> from custseg import calibration_holdout_split
    >>> from custseg.datasets import make_transactions
    >>> log, _ = make_transactions(300, random_state=0)
    >>> features, outcomes = calibration_holdout_split(
    ...     log, "2025-09-30", order_col="order_id")
    >>> features.columns.tolist(), outcomes.columns.tolist()
    (['recency', 'frequency', 'monetary'], ['spend', 'orders', 'bought_again'])
    >>> len(features) == len(outcomes), bool(outcomes["bought_again"].mean() > 0)
    (True, True)
    """
    if "reference_date" in rfm_kwargs:
        raise TypeError("reference_date is the cutoff here; pass cutoff only.")
    settings = check_settings(
        {
            "customer_col": customer_col,
            "date_col": date_col,
            "amount_col": amount_col,
            "order_col": order_col,
            **rfm_kwargs,
        },
        "calibration_holdout_split",
    )
    cutoff_day = day_number(cutoff, name="cutoff")
    cutoff_date = ordinal_to_timestamp(cutoff_day).date()
    columns = LogColumns.from_params(settings)
    log = open_log(transactions, columns, attributes=settings["attributes"] or ())
    policies = dict(missing=settings["missing"], returns=settings["returns"])

    # the holdout first: its end defaults to the log's last kept day, and an
    # error in it (an infinite amount, say) is found before any work is done
    holdout_end_day = None
    if holdout_end is not None:
        holdout_end_day = day_number(holdout_end, name="holdout_end")
        if holdout_end_day <= cutoff_day:
            raise ValueError(
                f"holdout_end ({ordinal_to_timestamp(holdout_end_day).date()}) "
                f"must be after the cutoff ({cutoff_date})."
            )
    holdout = log.restrict(after_day=cutoff_day)
    audit, end_day = holdout.audit(
        reference_day=holdout_end_day, returns=settings["returns"]
    )
    if end_day is None:
        # no kept transaction after the cutoff, and no holdout_end given
        raise ValueError(
            f"The log has no transaction after the cutoff {cutoff_date} (once "
            "the missing-value and returns policies apply), so the holdout "
            "period is empty: holdout_end (by default the last transaction "
            "day) must be after the cutoff. Choose an earlier cutoff or pass "
            "holdout_end."
        )
    end_date = ordinal_to_timestamp(end_day).date()
    apply_policies(
        audit,
        columns=columns,
        **policies,
        reference_day=end_day,
        part=f"Holdout period ({cutoff_date} to {end_date}): ",
        reference_name=f"holdout_end ({end_date})",
        allow_empty=True,
    )

    # the calibration period: rfm_table as of the cutoff; undated rows stay
    # here, where the missing-value policy counts them (or raises)
    calibration = log.restrict(through_day=cutoff_day)
    calibration_audit, _ = calibration.audit(
        reference_day=cutoff_day, returns=settings["returns"]
    )
    if calibration_audit.rows == 0:
        raise ValueError(
            f"No transaction on or before the cutoff {cutoff_date}: every "
            "dated transaction is after it."
        )
    apply_policies(calibration_audit, columns=columns, **policies)
    settings["reference_date"] = cutoff_date
    features = _as_pandas(
        aggregate(calibration, calibration_audit, settings, reference_day=cutoff_day),
        customer_col,
    )

    index = features.index
    spend = pd.Series(0.0, index=index)
    orders = pd.Series(0, index=index, dtype=np.int64)
    if audit.kept:
        later = _as_pandas(
            aggregate(
                holdout,
                audit,
                {**settings, **_OUTCOME_SETTINGS, "reference_date": end_date},
                reference_day=end_day,
                part="Holdout period: ",
            ),
            customer_col,
        )
        later = later[later.index.isin(index)]
        net = later["monetary"].to_numpy(dtype=float)
        # one rule for every customer: a net below 0 is spend 0, as for a
        # customer with only returns (rfm_table leaves those out)
        below = int(np.count_nonzero(net < 0))
        if below:
            warn(
                f"Holdout period: {below} customers returned more than they "
                "bought (net amount below 0); their spend is 0, as for "
                "customers with only returns."
            )
        spend[later.index] = np.maximum(net, 0.0)
        orders[later.index] = later["frequency"].to_numpy(dtype=np.int64)
    outcomes = pd.DataFrame(
        {"spend": spend.to_numpy(), "orders": orders.to_numpy()}, index=index
    )
    outcomes["bought_again"] = outcomes["orders"] > 0
    return features, outcomes


# the holdout outcomes are the classic total and order count of the period
_OUTCOME_SETTINGS = {
    "definition": "classic",
    "monetary": "sum",
    "extra_features": None,
    "include_first_transaction": False,
    "attributes": None,
}
