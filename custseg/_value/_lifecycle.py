"""lifecycle_stages: new / repeat / reactivated / lapsed per customer and period."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from custseg._evaluation import SegmentMigration, segment_migration
from custseg._sklearn_compat import validate_params
from custseg._tables import DateLike, TableLike
from custseg._value._periods import (
    PERIOD_LOG_CONSTRAINTS,
    customer_periods,
    period_completeness,
)

__all__ = ["STAGES", "LifecycleStages", "lifecycle_stages"]

STAGES = ("new", "repeat", "reactivated", "lapsed")
_NEW, _REPEAT, _REACTIVATED, _LAPSED = range(4)


@dataclass(frozen=True)
class LifecycleStages:
    """Lifecycle stage of every customer in every period from their first purchase.

    Attributes
    ----------
    stages : pandas.DataFrame
        One row per customer (sorted ids), one column per period
        (``pandas.Period``); categorical values ``new``, ``repeat``,
        ``reactivated``, ``lapsed``; missing before the first purchase.
    counts : pandas.DataFrame
        Customers per period (rows) and stage (columns); each row sums to
        the customers who had made their first purchase by that period.
    revenue : pandas.DataFrame
        Net revenue per period and stage (``lapsed`` holds only returns).
    complete : pandas.Series of bool
        Per period: False for a last period the data end before the end of
        (then ``lapsed`` holds customers who may still buy in it).

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg import lifecycle_stages
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b", "a"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-20",
    ...                             "2024-03-02", "2024-04-10"]),
    ...     "amount": [10.0, 5.0, 7.0, 3.0, 4.0]})
    >>> result = lifecycle_stages(log, periods="M")
    >>> result.counts
    stage    new  repeat  reactivated  lapsed
    period
    2024-01    2       0            0       0
    2024-02    0       1            0       1
    2024-03    0       0            1       1
    2024-04    0       0            1       1
    >>> result.transitions("2024-02", "2024-03").counts
    after        new  repeat  reactivated  lapsed  (gone)
    before
    new            0       0            0       0       0
    repeat         0       0            0       1       0
    reactivated    0       0            0       0       0
    lapsed         0       0            1       0       0
    (new)          0       0            0       0       0
    """

    stages: pd.DataFrame
    counts: pd.DataFrame
    revenue: pd.DataFrame
    complete: pd.Series | None = None

    def transitions(
        self, before: pd.Period | str, after: pd.Period | str
    ) -> SegmentMigration:
        """Transition table between the stages of two periods.

        Parameters
        ----------
        before, after : period-like
            Two periods of ``stages`` (a ``pandas.Period`` or its string,
            e.g. ``"2011Q2"``).

        Returns
        -------
        SegmentMigration
            Customers per (stage before, stage after); customers whose first
            purchase is after ``before`` are the ``"(new)"`` row.
        """
        columns = {str(p): p for p in self.stages.columns}
        picked = []
        for name, value in (("before", before), ("after", after)):
            key = str(value)
            if key not in columns:
                raise ValueError(
                    f"{name}={value!r} is not a period of the stages; periods "
                    f"run from {self.stages.columns[0]} to {self.stages.columns[-1]}."
                )
            column = self.stages[columns[key]].dropna()
            picked.append(pd.Series(column.cat.codes.astype(int), index=column.index))
        return segment_migration(
            picked[0], picked[1], names_before=STAGES, names_after=STAGES
        )


def stage_codes(bought):
    """Stage code per customer and period from the purchase matrix.

    ``-1`` before the first purchase, then ``0`` new (first purchase in the
    period), ``1`` repeat (bought in this and the previous period), ``2``
    reactivated (bought now after at least one empty period), ``3`` lapsed
    (no purchase in the period).

    Examples
    --------
    >>> import numpy as np
    >>> stage_codes(np.array([[False, True, True, False, True]])).tolist()
    [[-1, 0, 1, 3, 2]]
    """
    n_customers, n_periods = bought.shape
    first = np.argmax(bought, axis=1)
    previous = np.zeros_like(bought)
    previous[:, 1:] = bought[:, :-1]
    codes = np.where(bought, np.where(previous, _REPEAT, _REACTIVATED), _LAPSED).astype(
        np.int8
    )
    column = np.arange(n_periods)[None, :]
    codes[column == first[:, None]] = _NEW
    codes[column < first[:, None]] = -1
    return codes


@validate_params(PERIOD_LOG_CONSTRAINTS, prefer_skip_nested_validation=True)
def lifecycle_stages(
    transactions: TableLike,
    *,
    periods: Literal["D", "W", "M", "Q", "Y"] = "Q",
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    reference_date: DateLike | None = None,
    returns: Literal["net", "ignore", "raise"] = "net",
    missing: Literal["drop", "raise"] = "drop",
) -> LifecycleStages:
    """Where each customer stands in their lifecycle, period by period.

    For every customer and every calendar period from their first purchase
    to the period of the reference date, exactly one stage:

    - ``new``: the first purchase is in this period;
    - ``repeat``: bought in this period and in the previous one;
    - ``reactivated``: bought in this period after at least one period
      without a purchase;
    - ``lapsed``: bought in an earlier period, not in this one.

    A purchase is a transaction with an amount >= 0 (returns are not
    purchases; with ``returns="net"`` they count in the revenue only).  The
    work runs on the log's own engine (any frame :func:`rfm_table` accepts,
    through narwhals); the missing-value and returns policies and their
    warnings are those of :func:`rfm_table`.

    openretailscience's New / Repeating / Lapsed between two consecutive
    periods map onto these stages: its Repeating is ``repeat``; its New (no
    purchase in the earlier period) is ``new`` + ``reactivated``; its Lapsed
    is ``lapsed`` among the customers who bought in the earlier period.

    Parameters
    ----------
    transactions : DataFrame
        pandas, polars (eager or lazy), pyarrow, DuckDB, Dask or Spark.
        Never modified.
    periods : {"D", "W", "M", "Q", "Y"}, default="Q"
        Calendar periods: days, weeks starting on Monday, months, quarters,
        years.
    customer_col, date_col, amount_col : str
        As in :func:`rfm_table`.
    reference_date : date-like, optional
        Last day considered (later transactions are excluded with a
        warning); the last period is the one holding it.  Default: the
        latest transaction day.
    returns : {"net", "ignore", "raise"}, default="net"
    missing : {"drop", "raise"}, default="drop"
        As in :func:`rfm_table`.

    Returns
    -------
    LifecycleStages
        ``stages`` (customer x period), ``counts`` and ``revenue`` (period x
        stage), ``complete`` (per period) and ``transitions(before, after)``.
        The last period is incomplete when the reference date (by default
        the log's last day) is before its last day: a warning says which
        period and how many of its days the data cover, and ``complete`` is
        False for it.

    Warns
    -----
    UserWarning
        An incomplete last period; the missing-value and returns policies.

    Examples
    --------
    >>> from custseg import lifecycle_stages
    >>> from custseg.datasets import make_transactions
    >>> log, _ = make_transactions(300, random_state=0)
    >>> result = lifecycle_stages(log, periods="Q")
    >>> result.counts.tail(2)
    stage   new  repeat  reactivated  lapsed
    period
    2025Q3   10      95           17     130
    2025Q4   48      65            5     182
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
        "lifecycle_stages",
        "customers who will still buy in it count as lapsed",
    )
    codes = stage_codes(table.bought())
    labels = table.labels.rename("period")
    index = pd.Index(table.customers, name=customer_col)
    categories = pd.CategoricalDtype(list(STAGES))
    stages = pd.DataFrame(
        {
            label: pd.Categorical.from_codes(codes[:, j], dtype=categories)
            for j, label in enumerate(labels)
        },
        index=index,
    )
    stages.columns = labels
    counts = np.stack([(codes == k).sum(axis=0) for k in range(len(STAGES))], axis=1)
    revenue_grid = table.revenue_grid()
    revenue = np.stack(
        [
            np.where(codes == k, revenue_grid, 0.0).sum(axis=0)
            for k in range(len(STAGES))
        ],
        axis=1,
    )
    stage_index = pd.Index(list(STAGES), name="stage")
    return LifecycleStages(
        stages=stages,
        counts=pd.DataFrame(counts, index=labels, columns=stage_index),
        revenue=pd.DataFrame(revenue, index=labels, columns=stage_index),
        complete=complete,
    )
