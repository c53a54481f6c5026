"""The one module that talks to dataframe engines, through narwhals.

The transaction log can be any frame narwhals supports: pandas, polars (eager
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
import warnings

import narwhals.stable.v2 as nw

from custseg._aggregation._attributes import (
    attribute_column,
    attribute_values,
    count_rows,
)
from custseg._aggregation._log_checks import (
    EPOCH_ORDINAL,
    LogAudit,
    check_columns_present,
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
_BAD_DATE = "__cs_bad_date"
_MISS = {
    "customer": "__cs_miss_customer",
    "date": "__cs_miss_date",
    "amount": "__cs_miss_amount",
    "order": "__cs_miss_order",
}


def from_native(obj):
    """Wrap a native frame in narwhals, with a clear error for anything else."""
    if isinstance(obj, (nw.DataFrame, nw.LazyFrame)):
        return obj
    try:
        if type(obj).__module__.startswith("dask"):
            return _from_dask(obj)
        return nw.from_native(obj)
    except TypeError as exc:
        raise TypeError(
            "transactions must be a DataFrame (pandas, polars, pyarrow, DuckDB, Dask "
            f"or Spark), got {type(obj).__module__}.{type(obj).__name__}."
        ) from exc


_DASK_PLUGIN_NOTICE = "Dask support is moving out of Narwhals"


def _from_dask(obj):
    """Wrap a Dask frame, without narwhals' notice about its Dask plugin.

    narwhals announces, once per Dask frame it wraps, that its Dask support
    moves to the ``narwhals-dask`` package.  The notice is addressed to
    narwhals' users, not to custseg's: it says nothing about the data, and
    once ``narwhals-dask`` is installed narwhals uses it and stays silent
    (see the scaling guide).  It is silenced here, around the one call that
    raises it; rfm_table never runs in custseg's worker threads, where
    ``catch_warnings`` would not be safe.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=_DASK_PLUGIN_NOTICE, category=FutureWarning
        )
        return nw.from_native(obj)


def log_columns(frame):
    """Names of the columns of a narwhals frame."""
    return [str(c) for c in frame.collect_schema().names()]


def _is_float(dtype):
    return isinstance(dtype, (nw.Float32, nw.Float64))


def day_ordinal(expr, implementation=None):
    """Proleptic Gregorian day ordinal (``date.toordinal()``) of a date expression.

    Built from year and day of year with integer arithmetic, so every backend
    computes it the same way and the time of day is dropped (floored to the day).
    polars, whose date cast is exact and about twenty times faster, counts days
    from the epoch instead.
    """
    if implementation is not None and implementation.is_polars():
        return expr.cast(nw.Date).cast(nw.Int64) + EPOCH_ORDINAL
    # missing dates are flagged and dropped elsewhere; filling their year and
    # day keeps the integer casts valid on engines where they are NaN (Dask)
    year = expr.dt.year().fill_null(1970).cast(nw.Int64) - 1
    return (
        year * 365
        + year // 4
        - year // 100
        + year // 400
        + expr.dt.ordinal_day().fill_null(1).cast(nw.Int64)
    )


def _date_expr(schema, date_col, implementation=None):
    """The date column as a datetime expression (ISO-8601 strings parsed).

    polars parses strings with ``str.to_datetime``; the other engines with a
    cast, which reads every ISO-8601 variant ("2024-01-05",
    "2024-01-05T10:30:00", "2024-01-05 10:30:00") without inferring one
    format from the first value (DuckDB cannot infer a format at all).
    """
    dtype = schema[date_col]
    if isinstance(dtype, (nw.Datetime, nw.Date)):
        return nw.col(date_col)
    if isinstance(dtype, nw.String):
        if implementation is not None and implementation.is_polars():
            return nw.col(date_col).str.to_datetime()
        return nw.col(date_col).cast(nw.Datetime("us"))
    raise TypeError(
        f"date column {date_col!r} has dtype {dtype}; expected datetime, date or "
        "ISO-8601 strings."
    )


def prepare_log(frame, columns, attributes=()):
    """Select the log's columns under internal names, with missing-value flags.

    Returns a narwhals frame with the customer id, the day ordinal, the amount
    (float), the order id when given, one boolean column per missing-value
    kind, and the attributes (categoricals as strings).
    """
    customer_col, date_col, amount_col = columns.customer, columns.date, columns.amount
    order_col = columns.order
    schema = frame.collect_schema()
    amount_dtype = schema[amount_col]
    if isinstance(amount_dtype, nw.Boolean) or not amount_dtype.is_numeric():
        raise TypeError(
            f"amount column {amount_col!r} has dtype {amount_dtype}; expected a numeric dtype."
        )
    date = _date_expr(schema, date_col, frame.implementation)

    def missing(col):
        expr = nw.col(col).is_null()
        if _is_float(schema[col]):
            expr = expr | nw.col(col).is_nan()
        return expr

    selected = [
        nw.col(customer_col).alias(_C),
        day_ordinal(date, frame.implementation).alias(_DAY),
        nw.col(amount_col).cast(nw.Float64).alias(_A),
        missing(customer_col).alias(_MISS["customer"]),
        nw.col(date_col).is_null().alias(_MISS["date"]),
        missing(amount_col).alias(_MISS["amount"]),
        # a string the engine read as null (Spark without ANSI mode) is not
        # a missing date but an unparseable one: counted, then an error
        (~nw.col(date_col).is_null() & date.is_null()).alias(_BAD_DATE),
    ]
    if order_col is not None:
        selected += [
            nw.col(order_col).alias(_O),
            missing(order_col).alias(_MISS["order"]),
        ]
    else:
        selected.append(nw.lit(False).alias(_MISS["order"]))
    for i, name in enumerate(attributes):
        expr = nw.col(name)
        if isinstance(schema[name], (nw.Categorical, nw.Enum)):
            expr = expr.cast(nw.String)
        selected.append(expr.alias(attribute_column(i)))
    return frame.select(selected)


def _valid():
    return ~(
        nw.col(_MISS["customer"])
        | nw.col(_MISS["date"])
        | nw.col(_MISS["amount"])
        | nw.col(_MISS["order"])
    )


def _count(expr):
    return expr.cast(nw.Int64).sum()


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
    valid = _valid()
    keep = valid & (nw.col(_A) >= 0) if returns == "ignore" else valid
    flags = {
        "rows": nw.lit(1),
        "missing_customer": nw.col(_MISS["customer"]),
        "missing_date": nw.col(_MISS["date"]),
        "missing_amount": nw.col(_MISS["amount"]),
        "missing_order": nw.col(_MISS["order"]),
        "negative_amount": valid & (nw.col(_A) < 0),
        "infinite_amount": valid & (nw.col(_A).abs() == float("inf")),
        "unparseable_date": nw.col(_BAD_DATE),
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
            *totals, _count(only_returns).alias("returns_only_customers")
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
        reference_day = None if max_day is None else int(max_day)
    return LogAudit(**counts), reference_day


def kept_rows(prepared, *, reference_day, returns):
    """The rows that enter the aggregation."""
    keep = _valid() & (nw.col(_DAY) <= reference_day)
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
        undated = nw.col(_MISS["date"]) | nw.col(_BAD_DATE)
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
