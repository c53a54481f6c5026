"""Calibration / holdout split of a transaction log at a cutoff date.

A segmentation is useful when it tells apart customers who will behave
differently *later*.  :func:`calibration_holdout_split` cuts a log at a
date: the customer features are computed from the calibration period only
(as of the cutoff, with :func:`custseg.rfm_table`), and the outcomes from
the holdout period that follows, for the customers known at the cutoff.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from custseg._aggregation._log_checks import (
    check_columns_present,
    day_number,
    ordinal_to_timestamp,
)
from custseg._aggregation._pandas_engine import day_ordinals
from custseg._aggregation._rfm import rfm_table
from custseg._sklearn_compat import validate_params

__all__ = ["calibration_holdout_split"]


def _as_pandas_log(transactions):
    if isinstance(transactions, pd.DataFrame):
        return transactions
    if hasattr(transactions, "to_pandas"):  # polars, pyarrow
        return transactions.to_pandas()
    raise TypeError(
        "transactions must be a pandas or polars DataFrame (or pyarrow Table), "
        f"got {type(transactions).__name__}."
    )


def _day_ordinals_of(log, date_col):
    """Day ordinals and missing mask, read like :func:`custseg.rfm_table` reads them."""
    try:
        return day_ordinals(log[date_col], date_col)
    except TypeError as exc:
        raise TypeError(
            f"date_col={date_col!r} cannot be read as dates: {exc}"
        ) from exc


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
    transactions,
    cutoff,
    *,
    customer_col="customer_id",
    date_col="date",
    amount_col="amount",
    order_col=None,
    holdout_end=None,
    **rfm_kwargs,
):
    """Customer features as of a cutoff, and what each customer did next.

    Parameters
    ----------
    transactions : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        The transaction log; never modified.
    cutoff : date-like
        Last day of the calibration period (included, whole day).
    customer_col, date_col, amount_col, order_col : str
        Column names, as in :func:`custseg.rfm_table`.
    holdout_end : date-like, optional
        Last day of the holdout period (included).  Default: the last day in
        the log.  Later transactions are excluded with a warning.
    **rfm_kwargs
        Passed to :func:`custseg.rfm_table` (e.g. ``extra_features``).

    Returns
    -------
    features : pandas.DataFrame
        :func:`custseg.rfm_table` of the calibration transactions with
        ``reference_date=cutoff``: one row per customer who bought on or
        before the cutoff.
    outcomes : pandas.DataFrame
        Same index as ``features``.  Columns: ``spend`` (net total amount in
        the holdout period), ``orders`` (distinct ``order_col`` values, else
        rows, as ``frequency``) and ``bought_again`` (``orders > 0``).
        Customers whose first purchase falls after the cutoff are not
        included: they are unknown at the cutoff.

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
    log = _as_pandas_log(transactions)
    check_columns_present(
        log.columns,
        {
            "customer_col": customer_col,
            "date_col": date_col,
            "amount_col": amount_col,
            "order_col": order_col,
        },
    )
    if "reference_date" in rfm_kwargs:
        raise TypeError("reference_date is the cutoff here; pass cutoff only.")
    cutoff_day = day_number(cutoff, name="cutoff")
    days, missing_date = _day_ordinals_of(log, date_col)
    dated = ~missing_date
    if holdout_end is None:
        end_day = int(days[dated].max()) if dated.any() else cutoff_day
    else:
        end_day = day_number(holdout_end, name="holdout_end")
    cutoff_date = ordinal_to_timestamp(cutoff_day).date()
    end_date = ordinal_to_timestamp(end_day).date()
    if end_day <= cutoff_day:
        raise ValueError(
            f"holdout_end ({end_date}) must be after the cutoff ({cutoff_date})."
        )
    before = dated & (days <= cutoff_day)
    if not before.any():
        first = ordinal_to_timestamp(days[dated].min()).date() if dated.any() else None
        raise ValueError(
            f"No transaction on or before the cutoff {cutoff_date}: the "
            f"log starts on {first}."
        )
    later = dated & (days > end_day)
    if later.any():
        warnings.warn(
            f"{int(later.sum())} transactions after holdout_end ({end_date}) "
            "were excluded.",
            UserWarning,
            stacklevel=2,
        )
    # rows without a date go to the calibration call, where rfm_table's
    # `missing` policy counts them (or raises): they never count as holdout
    calibration = before | missing_date
    features = rfm_table(
        log[calibration],
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        reference_date=cutoff,
        **rfm_kwargs,
    )
    holdout = log[~calibration & ~later]
    grouped = holdout.groupby(customer_col, sort=False)
    spend = grouped[amount_col].sum()
    orders = grouped[order_col].nunique() if order_col else grouped.size()
    index = features.index
    outcomes = pd.DataFrame(
        {
            "spend": spend.reindex(index).fillna(0.0).astype(float).to_numpy(),
            "orders": orders.reindex(index).fillna(0).astype(np.int64).to_numpy(),
        },
        index=index,
    )
    outcomes["bought_again"] = outcomes["orders"] > 0
    return features, outcomes
