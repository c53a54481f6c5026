"""Reading a transaction log through narwhals: wrapping, dtypes, day numbers.

:func:`prepare_log` selects the log's columns under internal names, with one
flag per kind of missing value, in plain expressions every engine runs.  The
audit and the aggregation (``_narwhals_engine``) start from its result.
"""

from __future__ import annotations

import warnings

import narwhals.stable.v2 as nw

from custseg._aggregation._attributes import attribute_column
from custseg._aggregation._log_checks import EPOCH_ORDINAL
from custseg._aggregation._schema import AGG

__all__ = [
    "BAD_DATE",
    "MISS",
    "count_true",
    "day_ordinal",
    "from_native",
    "log_columns",
    "prepare_log",
    "valid_rows",
]

_C, _O, _DAY, _A = AGG["customer"], AGG["order"], AGG["day"], AGG["amount"]
BAD_DATE = "__cs_bad_date"
MISS = {
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
        missing(customer_col).alias(MISS["customer"]),
        nw.col(date_col).is_null().alias(MISS["date"]),
        missing(amount_col).alias(MISS["amount"]),
        # a string the engine read as null (Spark without ANSI mode) is not
        # a missing date but an unparseable one: counted, then an error
        (~nw.col(date_col).is_null() & date.is_null()).alias(BAD_DATE),
    ]
    if order_col is not None:
        selected += [
            nw.col(order_col).alias(_O),
            missing(order_col).alias(MISS["order"]),
        ]
    else:
        selected.append(nw.lit(False).alias(MISS["order"]))
    for i, name in enumerate(attributes):
        expr = nw.col(name)
        if isinstance(schema[name], (nw.Categorical, nw.Enum)):
            expr = expr.cast(nw.String)
        selected.append(expr.alias(attribute_column(i)))
    return frame.select(selected)


def valid_rows():
    return ~(
        nw.col(MISS["customer"])
        | nw.col(MISS["date"])
        | nw.col(MISS["amount"])
        | nw.col(MISS["order"])
    )


def count_true(expr):
    return expr.cast(nw.Int64).sum()
