"""cohort_retention: first-purchase cohorts x periods since, share buying and revenue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from custseg._sklearn_compat import validate_params
from custseg._tables import DateLike, TableLike
from custseg._value._periods import (
    PERIOD_LOG_CONSTRAINTS,
    customer_periods,
    period_completeness,
)

__all__ = ["CohortRetention", "cohort_retention"]


@dataclass(frozen=True)
class CohortRetention:
    """Retention of first-purchase cohorts, period by period.

    Rows are cohorts (the period of the first purchase), columns the number
    of periods since it (``0`` is the cohort's first period, where the
    share is 1 by definition).  Cells a cohort has not reached yet are
    missing.  Periods in which no customer made a first purchase have no
    cohort row.

    Attributes
    ----------
    sizes : pandas.Series
        Customers per cohort.
    active : pandas.DataFrame
        Customers of the cohort who bought in the period.
    retention : pandas.DataFrame
        ``active`` divided by the cohort size.
    revenue : pandas.DataFrame
        Net revenue of the cohort's customers in the period.
    complete : pandas.Series of bool
        Per calendar period (``period``): False for a last period the data
        end before the end of; each cohort's last reached cell falls in it.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg import cohort_retention
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "c", "c"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-20",
    ...                             "2024-02-02", "2024-03-09"]),
    ...     "amount": [10.0, 5.0, 7.0, 3.0, 4.0]})
    >>> result = cohort_retention(log, periods="M")
    >>> result.retention
    periods_since    0    1    2
    cohort
    2024-01        1.0  0.5  0.0
    2024-02        1.0  1.0  NaN
    >>> result.sizes.tolist()
    [2, 1]
    """

    sizes: pd.Series
    active: pd.DataFrame
    retention: pd.DataFrame
    revenue: pd.DataFrame
    complete: pd.Series | None = None


@validate_params(PERIOD_LOG_CONSTRAINTS, prefer_skip_nested_validation=True)
def cohort_retention(
    transactions: TableLike,
    *,
    periods: Literal["D", "W", "M", "Q", "Y"] = "M",
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    reference_date: DateLike | None = None,
    returns: Literal["net", "ignore", "raise"] = "net",
    missing: Literal["drop", "raise"] = "drop",
) -> CohortRetention:
    """Cohort retention table: who keeps buying after their first purchase.

    Customers are grouped by the calendar period of their first purchase;
    for each cohort and each number of periods since, the share of the
    cohort who bought in that period and the cohort's net revenue.  Runs on
    any engine :func:`rfm_table` accepts, with the same missing-value and
    returns policies; a purchase is a transaction with an amount >= 0.

    Parameters
    ----------
    transactions : DataFrame
        pandas, polars (eager or lazy), pyarrow, DuckDB, Dask or Spark.
    periods : {"D", "W", "M", "Q", "Y"}, default="M"
    customer_col, date_col, amount_col : str
    reference_date : date-like, optional
        Last day considered; the last period is the one holding it (it may
        be incomplete).
    returns : {"net", "ignore", "raise"}, default="net"
    missing : {"drop", "raise"}, default="drop"

    Returns
    -------
    CohortRetention
        ``sizes``, ``active``, ``retention`` and ``revenue``, one row per
        period in which at least one customer first bought (a period without
        any first purchase has no cohort, so no row), and ``complete``; plot
        it with :class:`~custseg.CohortDisplay`.

    Warns
    -----
    UserWarning
        An incomplete last period (the reference date, by default the log's
        last day, before its end): its retention is understated.  Also the
        missing-value and returns policies.

    Examples
    --------
    >>> from custseg import cohort_retention
    >>> from custseg.datasets import make_transactions
    >>> log, _ = make_transactions(300, random_state=0)
    >>> result = cohort_retention(log, periods="Q")
    >>> result.retention.iloc[:2, :3].round(2)
    periods_since     0     1     2
    cohort
    2023Q4          1.0  1.00  0.00
    2024Q1          1.0  0.46  0.29
    """
    table = customer_periods(
        transactions,
        period=periods,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        reference_date=reference_date,
        returns=returns,
        missing=missing,
    )
    complete = period_completeness(
        table,
        "cohort_retention",
        "each cohort's retention in it is understated",
    )
    bought = table.bought()
    n_customers, n_periods = bought.shape
    cohort = np.argmax(bought, axis=1)
    since = np.arange(n_periods)[None, :] - cohort[:, None]
    reached = since >= 0
    cohort_rows = np.broadcast_to(cohort[:, None], bought.shape)
    active = np.zeros((n_periods, n_periods))
    revenue = np.zeros((n_periods, n_periods))
    np.add.at(active, (cohort_rows[reached], since[reached]), bought[reached])
    np.add.at(
        revenue, (cohort_rows[reached], since[reached]), table.revenue_grid()[reached]
    )
    sizes = np.bincount(cohort, minlength=n_periods)
    # a cohort starting in period c reaches n_periods - c periods
    unreached = (
        np.arange(n_periods)[None, :] >= (n_periods - np.arange(n_periods))[:, None]
    )
    active[unreached] = np.nan
    revenue[unreached] = np.nan
    columns = pd.RangeIndex(n_periods, name="periods_since")
    started = sizes > 0  # a period without a first purchase has no cohort
    index = table.labels.rename("cohort")[started]
    sizes, active, revenue = sizes[started], active[started], revenue[started]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = active / sizes[:, None]
    return CohortRetention(
        sizes=pd.Series(sizes, index=index, name="customers"),
        active=pd.DataFrame(active, index=index, columns=columns),
        retention=pd.DataFrame(share, index=index, columns=columns),
        revenue=pd.DataFrame(revenue, index=index, columns=columns),
        complete=complete,
    )
