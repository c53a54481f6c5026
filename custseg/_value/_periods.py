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
    LogColumns,
    NarwhalsLog,
    apply_policies,
    day_number,
    kept_rows,
    ordinal_to_timestamp,
    warn_returns_only,
)
from custseg._sklearn_compat import StrOptions
from custseg._warnings import warn

__all__ = [
    "PERIODS",
    "PERIOD_LOG_CONSTRAINTS",
    "CustomerPeriods",
    "customer_periods",
    "period_completeness",
]

PERIODS = ("D", "W", "M", "Q", "Y")
# the parameters every per-period view of the log takes (lifecycle, cohorts)
PERIOD_LOG_CONSTRAINTS = {
    "transactions": "no_validation",
    "periods": [StrOptions(set(PERIODS))],
    "customer_col": [str],
    "date_col": [str],
    "amount_col": [str],
    "reference_date": "no_validation",
    "returns": [StrOptions({"net", "ignore", "raise"})],
    "missing": [StrOptions({"drop", "raise"})],
}
_PERIOD, _BUYS, _REVENUE = "__cs_period", "__cs_buys", "__cs_revenue"
# Gregorian ordinal of 0000-03-01 is -306: day ordinals shifted by this count
# days from that date, the start of the 400-year cycle of the civil calendar
_MARCH_0000 = 306


# Howard Hinnant's civil_from_days with floor divisions only (dates after
# year 0), one step per column: an engine that inlines expressions (DuckDB,
# Spark SQL) would otherwise repeat each subexpression many times over
_CIVIL_STEPS = (
    ("z", lambda c: c("day") + _MARCH_0000 - 1),
    ("era", lambda c: c("z") // 146097),
    ("doe", lambda c: c("z") - c("era") * 146097),
    (
        "yoe",
        lambda c: (
            (c("doe") - c("doe") // 1460 + c("doe") // 36524 - c("doe") // 146096)
            // 365
        ),
    ),
    ("doy", lambda c: c("doe") - (365 * c("yoe") + c("yoe") // 4 - c("yoe") // 100)),
    ("mp", lambda c: (5 * c("doy") + 2) // 153),  # 0 = March .. 11 = February
    ("jf", lambda c: c("mp") // 10),  # 1 for January and February
    ("month", lambda c: c("mp") + 3 - 12 * c("jf")),
    ("year", lambda c: c("yoe") + c("era") * 400 + c("jf")),
)


def _from_year_month(c, period):
    if period == "M":
        return c("year") * 12 + c("month") - 1
    if period == "Q":
        return c("year") * 4 + (c("month") - 1) // 3
    return c("year")


def period_number(day, period):
    """Integer period index of a day ordinal (int or array).

    Examples
    --------
    >>> import datetime
    >>> period_number(datetime.date(2024, 2, 29).toordinal(), "M") == 2024 * 12 + 1
    True
    """
    if period == "D":
        return day
    if period == "W":
        return (day - 1) // 7  # ordinal 1 is a Monday: weeks start on Monday
    values = {"day": day}
    for name, step in _CIVIL_STEPS:
        values[name] = step(values.__getitem__)
    return _from_year_month(values.__getitem__, period)


def with_period_column(frame, day_col, name, period):
    """Add the period index of ``day_col`` to a narwhals frame as ``name``."""
    if period in ("D", "W"):
        return frame.with_columns(period_number(nw.col(day_col), period).alias(name))
    prefix = "__cs_civil_"

    def col(step):
        return nw.col(day_col) if step == "day" else nw.col(prefix + step)

    for step_name, step in _CIVIL_STEPS:
        frame = frame.with_columns(step(col).alias(prefix + step_name))
    frame = frame.with_columns(_from_year_month(col, period).alias(name))
    return frame.drop([prefix + step_name for step_name, _ in _CIVIL_STEPS])


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
    return pd.PeriodIndex([str(year) for year in numbers], freq="Y")


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
    last_day : int
        Day ordinal of the last day considered (the reference date).
    """

    def __init__(self, table, *, last_period, period, last_day):
        self.last_day = int(last_day)
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
    columns = LogColumns(customer=customer_col, date=date_col, amount=amount_col)
    log = NarwhalsLog(transactions, columns)
    reference_day = None if reference_date is None else day_number(reference_date)
    audit, day = log.audit(reference_day=reference_day, returns=returns)
    apply_policies(
        audit,
        columns=columns,
        missing=missing,
        returns=returns,
        reference_day=reference_day,
    )
    kept = kept_rows(log.prepared, reference_day=day, returns=returns)
    amount = nw.col(AGG["amount"])
    grouped = (
        with_period_column(kept, AGG["day"], _PERIOD, period)
        .with_columns((amount >= 0).cast(nw.Int64).alias(_BUYS))
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
        warn_returns_only(int(table.loc[only_returns, "customer"].nunique()))
        table = table.loc[~only_returns]
    return CustomerPeriods(
        table, last_period=int(period_number(day, period)), period=period, last_day=day
    )


def period_completeness(table, what, consequence):
    """Whether each period is complete; warns when the last one is not.

    The last period is incomplete when the last day considered (the
    reference date, by default the log's last day) is before its last day:
    its counts are then not comparable with those of full periods.

    Parameters
    ----------
    table : CustomerPeriods
    what : str
        The function's name, to start the warning.
    consequence : str
        What the reader would misread in that period.

    Returns
    -------
    pandas.Series of bool
        Indexed by period (``period``), named ``complete``.
    """
    label = table.labels[-1]
    start = label.start_time.normalize()
    days = (label.end_time.normalize() - start).days + 1
    end = ordinal_to_timestamp(table.last_day)
    covered = (end - start).days + 1
    complete = pd.Series(True, index=table.labels.rename("period"), name="complete")
    if covered < days:
        complete.iloc[-1] = False
        warn(
            f"{what}: the last period, {label}, is incomplete: the data end on "
            f"{end:%Y-%m-%d}, {covered} of its {days} days, so {consequence}. "
            "The result's `complete` flags it; a reference_date on the last "
            "day of the previous period leaves it out."
        )
    return complete
