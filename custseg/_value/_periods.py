"""Purchases and revenue per customer and calendar period, on any engine.

The transaction log is opened, audited and filtered by the aggregation
stage's own reader (``NarwhalsLog``: column checks, ISO-8601 dates, the
missing-value and returns policies with their warnings), so lifecycle stages
and cohorts see exactly the transactions that ``rfm_table`` counts.  The
engine computes the calendar period of each day ordinal with integer
arithmetic (portable to every backend) and aggregates per customer and
period; only that table is collected.
"""

from __future__ import annotations

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from custseg._aggregation import (
    AGG,
    NarwhalsLog,
    apply_policies,
    day_number,
    kept_rows,
    ordinal_to_timestamp,
    warn_returns_only,
)

__all__ = ["PERIODS", "CustomerPeriods", "customer_periods"]

PERIODS = ("D", "W", "M", "Q", "Y")
_PERIOD, _BUYS, _REVENUE = "__cs_period", "__cs_buys", "__cs_revenue"
# Gregorian ordinal of 0000-03-01 is -306: day ordinals shifted by this count
# days from that date, the start of the 400-year cycle of the civil calendar
_MARCH_0000 = 306


def _year_month(day):
    """Calendar year and month (1..12) of a day-ordinal expression.

    Howard Hinnant's ``civil_from_days`` with floor divisions only, for
    dates after year 0.
    """
    z = day + _MARCH_0000 - 1
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153  # 0 = March .. 11 = February
    january_or_february = mp // 10
    month = mp + 3 - 12 * january_or_february
    year = yoe + era * 400 + january_or_february
    return year, month


def period_number(day, period):
    """Integer period index of a day ordinal (expression or array)."""
    if period == "D":
        return day
    if period == "W":
        return (day - 1) // 7  # ordinal 1 is a Monday: weeks start on Monday
    year, month = _year_month(day)
    if period == "M":
        return year * 12 + month - 1
    if period == "Q":
        return year * 4 + (month - 1) // 3
    return year


def period_labels(numbers, period):
    """pandas Periods of integer period indices.

    Examples
    --------
    >>> import datetime
    >>> day = datetime.date(2011, 12, 9).toordinal()
    >>> period_labels([period_number(day, "Q")], "Q").tolist()
    [Period('2011Q4', 'Q-DEC')]
    """
    numbers = np.asarray(numbers, dtype=np.int64)
    if period == "D":
        starts = [ordinal_to_timestamp(n) for n in numbers]
        return pd.PeriodIndex(starts, freq="D")
    if period == "W":
        starts = [ordinal_to_timestamp(n * 7 + 1) for n in numbers]
        return pd.PeriodIndex(starts, freq="W-SUN")
    if period == "M":
        return pd.PeriodIndex.from_fields(
            year=numbers // 12, month=numbers % 12 + 1, freq="M"
        )
    if period == "Q":
        return pd.PeriodIndex.from_fields(
            year=numbers // 4, quarter=numbers % 4 + 1, freq="Q"
        )
    return pd.PeriodIndex.from_fields(year=numbers, freq="Y")


class CustomerPeriods:
    """Per customer and period: purchases and net revenue.

    Attributes
    ----------
    customers : ndarray
        Sorted customer ids.
    codes : ndarray of int
        Row of each (customer, period) pair in ``customers``.
    periods : ndarray of int
        Period offset of each pair from ``first_period``.
    purchases, revenue : ndarray
        Purchase rows (amount >= 0) and net amount of each pair.
    first_period, n_periods : int
    labels : pandas.PeriodIndex
        Label of each period offset.
    """

    def __init__(self, table, *, last_period, period):
        customers = table["customer"].to_numpy()
        order = np.argsort(customers, kind="stable")
        table = table.iloc[order]
        self.customers, self.codes = np.unique(
            table["customer"].to_numpy(), return_inverse=True
        )
        numbers = table["period"].to_numpy(dtype=np.int64)
        self.first_period = int(numbers.min())
        self.n_periods = int(last_period - self.first_period + 1)
        self.periods = numbers - self.first_period
        self.purchases = table["purchases"].to_numpy(dtype=np.int64)
        self.revenue = table["revenue"].to_numpy(dtype=np.float64)
        self.labels = period_labels(
            np.arange(self.first_period, last_period + 1), period
        )

    def bought(self):
        """Boolean matrix (customers x periods): at least one purchase."""
        grid = np.zeros((self.customers.size, self.n_periods), dtype=bool)
        buys = self.purchases > 0
        grid[self.codes[buys], self.periods[buys]] = True
        return grid

    def revenue_grid(self):
        """Net revenue matrix (customers x periods)."""
        grid = np.zeros((self.customers.size, self.n_periods))
        np.add.at(grid, (self.codes, self.periods), self.revenue)
        return grid


def customer_periods(
    transactions,
    *,
    period,
    customer_col,
    date_col,
    amount_col,
    reference_date,
    returns,
    missing,
):
    """Aggregate a log per customer and calendar period (see module docstring).

    Customers whose kept rows are all returns are dropped with a warning
    that counts them (they never bought, so they have no first purchase).

    Returns
    -------
    CustomerPeriods
    """
    if period not in PERIODS:
        raise ValueError(f"periods must be one of {list(PERIODS)}, got {period!r}.")
    columns = {
        "customer": customer_col,
        "date": date_col,
        "amount": amount_col,
        "order": None,
    }
    log = NarwhalsLog(
        transactions,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
    )
    reference_day = None if reference_date is None else day_number(reference_date)
    audit, day = log.audit(reference_day=reference_day, returns=returns)
    apply_policies(
        audit,
        columns=columns,
        missing=missing,
        returns=returns,
        reference_day=reference_day,
        stacklevel=4,  # the caller of lifecycle_stages / cohort_retention
    )
    kept = kept_rows(log.prepared, reference_day=day, returns=returns)
    amount = nw.col(AGG["amount"])
    grouped = (
        kept.with_columns(
            period_number(nw.col(AGG["day"]), period).alias(_PERIOD),
            (amount >= 0).cast(nw.Int64).alias(_BUYS),
        )
        # plain column sums: every engine aggregates them natively
        .group_by(AGG["customer"], _PERIOD)
        .agg(nw.col(_BUYS).sum(), amount.sum().alias(_REVENUE))
    )
    if isinstance(grouped, nw.LazyFrame):
        grouped = grouped.collect()
    table = grouped.to_pandas()
    table.columns = ["customer", "period", "purchases", "revenue"]
    buyers = table.loc[table["purchases"] > 0, "customer"].unique()
    only_returns = ~table["customer"].isin(buyers)
    if only_returns.any():
        warn_returns_only(
            int(table.loc[only_returns, "customer"].nunique()), stacklevel=4
        )
        table = table.loc[~only_returns]
    return CustomerPeriods(
        table, last_period=int(period_number(day, period)), period=period
    )
