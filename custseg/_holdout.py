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

from custseg._input_checks import check_columns_present
from custseg._rfm import rfm_table

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


def _days(log, date_col):
    dates = log[date_col]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        if pd.api.types.is_object_dtype(dates) or pd.api.types.is_string_dtype(dates):
            try:
                dates = pd.to_datetime(dates, format="ISO8601")
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"date_col={date_col!r} holds values that are not ISO-8601 dates."
                ) from exc
        else:
            raise TypeError(
                f"date_col={date_col!r} must hold dates or ISO-8601 strings, "
                f"got dtype {dates.dtype}."
            )
    return (
        dates.dt.tz_localize(None).dt.normalize()
        if dates.dt.tz
        else dates.dt.normalize()
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
    cutoff = pd.Timestamp(cutoff).normalize()
    days = _days(log, date_col)
    end = days.max() if holdout_end is None else pd.Timestamp(holdout_end).normalize()
    if end <= cutoff:
        raise ValueError(
            f"holdout_end ({end.date()}) must be after the cutoff ({cutoff.date()})."
        )
    calibration = (days <= cutoff).to_numpy()
    if not calibration.any():
        raise ValueError(
            f"No transaction on or before the cutoff {cutoff.date()}: the "
            f"log starts on {days.min().date()}."
        )
    later = (days > end).to_numpy()
    if later.any():
        warnings.warn(
            f"{int(later.sum())} transactions after holdout_end ({end.date()}) "
            "were excluded.",
            UserWarning,
            stacklevel=2,
        )
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
