"""The one module that talks to dataframe engines, through narwhals.

Reading the log is ``_narwhals_prepare``'s job; this module audits and
aggregates it.  The transaction log can be any frame narwhals supports: pandas, polars (eager
or lazy), pyarrow, DuckDB, Dask or Spark.  The engine does only portable work:
row-wise integer arithmetic on dates (day ordinals from year and day of year,
which every backend implements), filters, group-by aggregates (max, min, len,
sum; no ``n_unique``, which is wrong on Dask) and joins.  Aggregating per
order first and per customer second counts distinct orders without
``n_unique``.  A lazy input stays lazy: nothing is collected but the one-row
audit of the log (counts of missing values, returns and so on), which the
warnings need.
"""

from __future__ import annotations

import copy
import math

import narwhals.stable.v2 as nw

from custseg._aggregation._attributes import attribute_values, count_rows
from custseg._aggregation._log_checks import LogAudit, check_columns_present
from custseg._aggregation._narwhals_prepare import (
    BAD_DATE,
    MISS,
    count_true,
    from_native,
    log_columns,
    prepare_log,
    valid_rows,
)
from custseg._aggregation._schema import AGG

__all__ = [
    "NarwhalsLog",
    "aggregate_customers",
    "audit_log",
    "from_native",
    "log_columns",
    "prepare_log",
    "to_native_output",
]

_C, _O, _DAY, _A = AGG["customer"], AGG["order"], AGG["day"], AGG["amount"]


def audit_log(prepared, *, reference_day, returns):
    """Count the log's rows by problem and find the reference day.

    One query, collected once.  Under ``returns="net"`` it also counts the
    customers whose kept rows are all returns (they are left out of the
    table): the rows are first summed per customer, so this count costs no
    second aggregation of the log.

    Returns
    -------
    audit : LogAudit
    reference_day : int or None
        The given ``reference_day``, or the latest day among kept rows.
    """
    valid = valid_rows()
    keep = valid & (nw.col(_A) >= 0) if returns == "ignore" else valid
    flags = {
        "rows": nw.lit(1),
        "missing_customer": nw.col(MISS["customer"]),
        "missing_date": nw.col(MISS["date"]),
        "missing_amount": nw.col(MISS["amount"]),
        "missing_order": nw.col(MISS["order"]),
        "negative_amount": valid & (nw.col(_A) < 0),
        "infinite_amount": valid & (nw.col(_A).abs() == float("inf")),
        "unparseable_date": nw.col(BAD_DATE),
    }
    in_range = keep
    if reference_day is not None:
        in_range = keep & (nw.col(_DAY) <= reference_day)
        flags["after_reference"] = keep & (nw.col(_DAY) > reference_day)
    flags["kept"] = in_range
    sums = {name: expr.cast(nw.Int64) for name, expr in flags.items()}
    sums["abs_total"] = nw.when(valid).then(nw.col(_A).abs())
    rows = prepared.select(
        nw.col(_C),
        *[expr.alias(name) for name, expr in sums.items()],
        nw.when(keep).then(nw.col(_DAY)).alias("max_day"),
    )
    totals = [nw.col(name).sum() for name in sums] + [nw.col("max_day").max()]
    if returns == "net":
        # the flags need the amount: computed on the prepared rows
        per_customer = (
            prepared.select(
                nw.col(_C),
                *[expr.alias(name) for name, expr in sums.items()],
                nw.when(keep).then(nw.col(_DAY)).alias("max_day"),
                (in_range & (nw.col(_A) >= 0)).cast(nw.Int64).alias("__cs_bought"),
                (in_range & (nw.col(_A) < 0)).cast(nw.Int64).alias("__cs_returned"),
            )
            .group_by(_C)
            .agg(
                *[nw.col(name).sum() for name in sums],
                nw.col("max_day").max(),
                nw.col("__cs_bought").sum(),
                nw.col("__cs_returned").sum(),
            )
        )
        only_returns = (nw.col("__cs_bought") == 0) & (nw.col("__cs_returned") > 0)
        row = per_customer.select(
            *totals, count_true(only_returns).alias("returns_only_customers")
        )
    else:
        row = rows.select(*totals)
    if isinstance(row, nw.LazyFrame):
        row = row.collect()
    values = {k: (v[0] if v else None) for k, v in row.to_dict(as_series=False).items()}
    max_day = values.pop("max_day")
    abs_total = values.pop("abs_total")
    values["amount_overflow"] = int(
        not values["infinite_amount"]
        and abs_total is not None
        and not math.isfinite(abs_total)
    )
    counts = {k: int(v or 0) for k, v in values.items()}
    if reference_day is None:
        # no dated row: pandas gives NaN, other engines None
        dated = max_day is not None and not math.isnan(max_day)
        reference_day = int(max_day) if dated else None
    return LogAudit(**counts), reference_day


def kept_rows(prepared, *, reference_day, returns):
    """The rows that enter the aggregation."""
    keep = valid_rows() & (nw.col(_DAY) <= reference_day)
    if returns == "ignore":
        keep = keep & (nw.col(_A) >= 0)
    return prepared.filter(keep)


def aggregate_customers(
    kept, *, definition, has_order, period="D", active_days=False, net_returns=False
):
    """Per-customer aggregates of the kept rows, on the frame's own engine.

    Returns
    -------
    customers : narwhals frame
        Columns ``AGG[...]``: customer, last, first, n (orders for the classic
        definition, purchase periods for BTYD), total (purchases), and when
        asked, first_total (BTYD), active (distinct days) and returned.
    returns_only : narwhals frame or None
        Customers with returns but no purchase (to count them), when
        ``net_returns``.
    """
    a = AGG
    purchases = kept.filter(nw.col(_A) >= 0) if net_returns else kept
    if definition == "btyd":
        period_expr = nw.col(_DAY) if period == "D" else (nw.col(_DAY) - 1) // 7
        per_period = (
            purchases.with_columns(period_expr.alias(a["period"]))
            .group_by(_C, a["period"])
            .agg(nw.col(_A).sum().alias(a["total"]))
        )
        customers = per_period.group_by(_C).agg(
            nw.col(a["period"]).max().alias(a["last"]),
            nw.col(a["period"]).min().alias(a["first"]),
            nw.len().alias(a["n"]),
            nw.col(a["total"]).sum(),
        )
        firsts = (
            per_period.join(customers.select(_C, a["first"]), on=_C)
            .filter(nw.col(a["period"]) == nw.col(a["first"]))
            .select(_C, nw.col(a["total"]).alias(a["first_total"]))
        )
        customers = customers.join(firsts, on=_C, how="left")
    else:
        if has_order:
            per_order = purchases.group_by(_C, _O).agg(
                nw.col(_DAY).max().alias(a["last"]),
                nw.col(_DAY).min().alias(a["first"]),
                nw.col(_A).sum().alias(a["total"]),
            )
            customers = per_order.group_by(_C).agg(
                nw.col(a["last"]).max(),
                nw.col(a["first"]).min(),
                nw.len().alias(a["n"]),
                nw.col(a["total"]).sum(),
            )
        else:
            customers = purchases.group_by(_C).agg(
                nw.col(_DAY).max().alias(a["last"]),
                nw.col(_DAY).min().alias(a["first"]),
                nw.len().alias(a["n"]),
                nw.col(_A).sum().alias(a["total"]),
            )
        if active_days:
            active = (
                purchases.group_by(_C, _DAY)
                .agg(nw.len().alias("__cs_rows"))
                .group_by(_C)
                .agg(nw.len().alias(a["active"]))
            )
            customers = customers.join(active, on=_C, how="left")
    returns_only = None
    if net_returns:
        returned = (
            kept.filter(nw.col(_A) < 0)
            .group_by(_C)
            .agg(nw.col(_A).sum().alias(a["returned"]))
        )
        returns_only = returned.join(customers.select(_C), on=_C, how="anti")
        customers = customers.join(returned, on=_C, how="left")
    return customers, returns_only


class NarwhalsLog:
    """A transaction log on any narwhals engine, ready to audit and aggregate.

    Implements :class:`custseg._aggregation._schema.TransactionLog`.
    """

    def __init__(self, native, columns, *, attributes=()):
        frame = from_native(native)
        check_columns_present(
            log_columns(frame),
            {
                **columns.as_params(),
                **{f"attributes[{i}]": a for i, a in enumerate(attributes)},
            },
        )
        self.columns = columns
        # Dask: the customer table gets as many partitions as the log, so
        # work mapped over it (predict) spreads like work over the log
        self.partitions = getattr(native, "npartitions", None)
        # an eager frame is planned lazily (polars optimises the whole plan,
        # instead of materialising every step) and collected at the end
        self.eager = isinstance(frame, nw.DataFrame)
        if self.eager:
            frame = frame.lazy()
        try:
            self.prepared = prepare_log(frame, columns, attributes)
        except TypeError:
            raise  # our own dtype errors, naming the column
        except Exception as exc:  # some engines parse dates while planning
            raise self._engine_error(exc) from exc

    def _engine_error(self, exc):
        return ValueError(
            f"Could not read the transaction log (check the date column "
            f"{self.columns.date!r} for values that are not ISO-8601 dates, and "
            f"the amount column {self.columns.amount!r}): "
            f"{type(exc).__name__}: {exc}"
        )

    def restrict(self, *, after_day=None, through_day=None):
        """The rows dated in ``(after_day, through_day]`` (see ``TransactionLog``)."""
        undated = nw.col(MISS["date"]) | nw.col(BAD_DATE)
        keep = nw.lit(True)
        if through_day is not None:
            # undated and unparseable rows stay, for the policies to count
            keep = keep & (undated | (nw.col(_DAY) <= through_day))
        if after_day is not None:
            keep = keep & ~undated & (nw.col(_DAY) > after_day)
        part = copy.copy(self)
        part.prepared = self.prepared.filter(keep)
        part._returns_only = None
        return part

    def audit(self, *, reference_day, returns):
        """See :func:`audit_log`; engine errors become a ``ValueError``.

        The audit is the first pass over the data, so an engine's own error
        about a value (an unparseable date string, a time-zone offset it
        cannot read) surfaces here, whatever its type, as a ``ValueError``
        naming the columns.
        """
        try:
            audit, day = audit_log(
                self.prepared, reference_day=reference_day, returns=returns
            )
        except Exception as exc:  # engines raise their own errors
            raise self._engine_error(exc) from exc
        # the aggregation as of that day reuses the count of returns-only
        # customers instead of aggregating the log a second time
        self._returns_only = (day, returns, audit.returns_only_customers)
        return audit, day

    def aggregate_customers(self, *, reference_day, returns, net_returns, **kwargs):
        """Per-customer aggregates and the number of returns-only customers."""
        kept = kept_rows(self.prepared, reference_day=reference_day, returns=returns)
        customers, returns_only = aggregate_customers(
            kept,
            has_order=self.columns.order is not None,
            net_returns=net_returns,
            **kwargs,
        )
        known = getattr(self, "_returns_only", None)
        if returns_only is None:
            n_returns_only = 0
        elif known is not None and known[:2] == (reference_day, returns):
            n_returns_only = known[2]
        else:
            n_returns_only = count_rows(returns_only)
        return customers, n_returns_only

    def customer_attributes(self, names, *, reference_day, returns, rule):
        """One value per customer and attribute (see ``attribute_values``)."""
        kept = kept_rows(self.prepared, reference_day=reference_day, returns=returns)
        if returns == "net":
            kept = kept.filter(nw.col(_A) >= 0)
        return attribute_values(kept, names, rule=rule)


def to_native_output(result, *, customer_col, eager, partitions=None):
    """Return the customer table in the caller's container.

    pandas gets the customer id as a sorted index; other eager frames are
    sorted by customer; lazy frames are returned lazy, unsorted.  A Dask
    table is split into ``partitions`` partitions (narwhals' group-by
    gathers it into one).
    """
    result = result.rename({_C: customer_col})
    if isinstance(result, nw.LazyFrame):
        if not eager:
            native = nw.to_native(result)
            if partitions and result.implementation.is_dask():
                native = native.repartition(npartitions=partitions)
            return native
        result = result.collect()
    result = result.sort(customer_col)
    native = nw.to_native(result)
    if result.implementation.is_pandas():
        native = native.set_index(customer_col)
    return native
