"""RFM aggregation: a transaction log becomes one row per customer.

:func:`rfm_table` is the function; ``RFMTransformer`` (in ``_transformer``)
is the same aggregation as the first step of a scikit-learn Pipeline.
"""

from __future__ import annotations

from numbers import Real

import narwhals.stable.v2 as nw
import pandas as pd

from custseg._aggregation import _narwhals_engine as _dataframe
from custseg._aggregation import _pandas_engine as _aggregate_numpy
from custseg._aggregation._log_checks import (
    apply_policies,
    day_number,
    warn_returns_only,
)
from custseg._aggregation._narwhals_engine import AGG
from custseg._sklearn_compat import (
    Interval,
    StrOptions,
    validate_parameter_constraints,
    validate_params,
)

__all__ = [
    "EXTRA_FEATURES",
    "RFM_CONSTRAINTS",
    "feature_names",
    "latest_transaction_day",
    "rfm_table",
]

EXTRA_FEATURES = (
    "tenure",
    "avg_order_value",
    "active_days",
    "mean_days_between_orders",
)

RFM_CONSTRAINTS = {
    "customer_col": [str],
    "date_col": [str],
    "amount_col": [str],
    "order_col": [str, None],
    "reference_date": "no_validation",  # checked by day_number
    "definition": [StrOptions({"classic", "btyd"})],
    "monetary": [StrOptions({"sum", "mean"})],
    "extra_features": [list, tuple, StrOptions({"all"}), None],
    "period": [StrOptions({"D", "W"})],
    "time_scaler": [Interval(Real, 0, None, closed="neither")],
    "returns": [StrOptions({"net", "ignore", "raise"})],
    "missing": [StrOptions({"drop", "raise"})],
}


def _extra_features(extra_features, definition):
    if extra_features is None:
        return ()
    if isinstance(extra_features, str):
        return EXTRA_FEATURES
    unknown = [f for f in extra_features if f not in EXTRA_FEATURES]
    if unknown:
        raise ValueError(
            f"extra_features has unknown names {unknown}; choose from {list(EXTRA_FEATURES)}."
        )
    if definition == "btyd" and extra_features:
        raise ValueError("extra_features are only available with definition='classic'.")
    return tuple(f for f in EXTRA_FEATURES if f in extra_features)


def feature_names(definition, monetary="sum", extra_features=None):
    """Names of the feature columns :func:`rfm_table` returns."""
    if definition == "btyd":
        return ["frequency", "recency", "T", "monetary_value"]
    return [
        "recency",
        "frequency",
        "monetary",
        *_extra_features(extra_features, definition),
    ]


def _feature_exprs(
    definition, *, reference_day, monetary, extras, period, time_scaler, net
):
    a = {k: nw.col(v) for k, v in AGG.items()}
    returned = a["returned"].fill_null(0.0) if net else nw.lit(0.0)
    if definition == "btyd":
        ref = reference_day if period == "D" else (reference_day - 1) // 7
        repeat_total = a["total"] - a["first_total"] + returned
        return [
            (a["n"] - 1).cast(nw.Float64).alias("frequency"),
            ((a["last"] - a["first"]) / time_scaler).cast(nw.Float64).alias("recency"),
            ((ref - a["first"]) / time_scaler).cast(nw.Float64).alias("T"),
            nw.when(a["n"] > 1)
            .then(repeat_total / (a["n"] - 1))
            .otherwise(0.0)
            .cast(nw.Float64)
            .alias("monetary_value"),
        ]
    total = (a["total"] + returned).cast(nw.Float64)
    exprs = [
        (reference_day - a["last"]).cast(nw.Int64).alias("recency"),
        a["n"].cast(nw.Int64).alias("frequency"),
        (total if monetary == "sum" else total / a["n"]).alias("monetary"),
    ]
    extra_exprs = {
        "tenure": (reference_day - a["first"]).cast(nw.Int64),
        "avg_order_value": total / a["n"],
        "active_days": a["active"].cast(nw.Int64),
        "mean_days_between_orders": nw.when(a["n"] > 1).then(
            (a["last"] - a["first"]).cast(nw.Float64) / (a["n"] - 1)
        ),
    }
    return exprs + [extra_exprs[name].alias(name) for name in extras]


def _audited_log(transactions, columns, *, reference_day, returns, missing):
    """Open the log on its engine, count its problems and apply the policies.

    Returns the log, its audit and the reference day (the given one, or the
    latest kept transaction day).
    """
    kwargs = {f"{key}_col": name for key, name in columns.items()}
    if isinstance(transactions, pd.DataFrame):
        log = _aggregate_numpy.PandasLog(transactions, **kwargs)
    else:
        log = _dataframe.NarwhalsLog(transactions, **kwargs)
    audit, day = log.audit(reference_day=reference_day, returns=returns)
    apply_policies(
        audit,
        columns=columns,
        missing=missing,
        returns=returns,
        reference_day=reference_day,
        stacklevel=4,  # the caller of rfm_table
    )
    return log, audit, day


def latest_transaction_day(
    transactions,
    *,
    customer_col,
    date_col,
    amount_col,
    order_col=None,
    returns="net",
    missing="drop",
):
    """Day ordinal of the latest transaction kept by the policies."""
    columns = {
        "customer": customer_col,
        "date": date_col,
        "amount": amount_col,
        "order": order_col,
    }
    _, _, day = _audited_log(
        transactions, columns, reference_day=None, returns=returns, missing=missing
    )
    return day


@validate_params(
    {"transactions": "no_validation", **RFM_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def rfm_table(
    transactions,
    *,
    customer_col="customer_id",
    date_col="date",
    amount_col="amount",
    order_col=None,
    reference_date=None,
    definition="classic",
    monetary="sum",
    extra_features=None,
    period="D",
    time_scaler=1.0,
    returns="net",
    missing="drop",
):
    """Aggregate a transaction log into one row of RFM features per customer.

    The work runs on the frame's own engine (pandas, polars, pyarrow, DuckDB,
    Dask, Spark) and the result comes back in the same kind of frame: a lazy
    input gives a lazy output.

    **Classic definition** (``definition="classic"``, the default), per
    customer, as of the reference day (timestamps floored to the day):

    - ``recency``: whole days from the last purchase day to the reference day
      (0 for a purchase on the reference day);
    - ``frequency``: number of distinct orders: distinct ``order_col`` values
      if given, else rows;
    - ``monetary``: total amount (``monetary="sum"``) or average order value
      (``monetary="mean"``: total / frequency).

    Opt-in ``extra_features``: ``tenure`` (days from the first purchase day to
    the reference day), ``avg_order_value`` (total / orders),
    ``active_days`` (distinct purchase days) and ``mean_days_between_orders``
    ((last day - first day) / (orders - 1), missing for one-order customers).

    **BTYD definition** (``definition="btyd"``): the semantics of lifetimes'
    ``summary_data_from_transaction_data`` and PyMC-Marketing's
    ``rfm_summary``.  Purchases are bucketed per period (``period="D"`` days,
    ``"W"`` weeks starting on Monday), and per customer:

    - ``frequency``: purchase periods - 1 (repeat purchases);
    - ``recency``: periods from the first to the last purchase period;
    - ``T``: periods from the first purchase period to the reference period;
    - ``monetary_value``: mean of the per-period totals over repeat periods
      (the first period excluded), 0 without repeat purchases.

    All four are divided by ``time_scaler`` (lifetimes' ``freq_multiplier``):
    ``period="D", time_scaler=7`` gives weeks measured in days / 7, as in
    Fader and Hardie's CDNOW summaries.

    Parameters
    ----------
    transactions : DataFrame
        One row per transaction (or order line).  Never modified.
    customer_col, date_col, amount_col : str
        Columns of the customer id (int or str), the date (datetime, date or
        ISO-8601 strings) and the amount (numeric).
    order_col : str, optional
        Order id column; several rows of one order count as one order.
    reference_date : date-like, optional
        The "as of" day.  Defaults to the latest transaction day in the data.
        Transactions after it are excluded, with a warning that counts them.
    definition : {"classic", "btyd"}, default="classic"
    monetary : {"sum", "mean"}, default="sum"
        Classic definition only.
    extra_features : list of str or "all", optional
        Classic definition only; see above.
    period : {"D", "W"}, default="D"
        BTYD definition only: the purchase period.
    time_scaler : float, default=1.0
        BTYD definition only: divide recency and T by this.
    returns : {"net", "ignore", "raise"}, default="net"
        Rows with a negative amount are returns.  ``"net"``: they are
        subtracted from the customer's monetary value but are not orders and
        do not move purchase dates (BTYD: they lower the repeat-purchase
        mean); ``"ignore"``: they are dropped; ``"raise"``: a ``ValueError``.
        ``"net"`` and ``"ignore"`` warn with the number of rows.  Customers
        with only returns are left out, with a warning that counts them.
    missing : {"drop", "raise"}, default="drop"
        Rows with a missing customer id, date, amount or order id are dropped
        with a warning that counts them, or raise a ``ValueError``.

    Returns
    -------
    DataFrame
        One row per customer.  pandas: indexed by customer id (named
        ``customer_col``) and sorted; other eager frames: sorted, with the
        customer id as the first column; lazy frames: unsorted, lazy.

    Raises
    ------
    ValueError
        A named column does not exist, the log is empty, or a policy says so.
    TypeError
        A column has the wrong dtype (the message names it).

    See Also
    --------
    RFMTransformer : the same aggregation as a Pipeline step.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg import rfm_table
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-10 15:30", "2024-01-05"],
    ...                            format="ISO8601"),
    ...     "amount": [10.0, 30.0, 5.0],
    ... })
    >>> rfm_table(log)
                 recency  frequency  monetary
    customer_id
    a                  0          2      40.0
    b                  5          1       5.0
    >>> rfm_table(log, definition="btyd")
                 frequency  recency     T  monetary_value
    customer_id
    a                  1.0      9.0   9.0            30.0
    b                  0.0      0.0   5.0             0.0
    """
    params = dict(
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        reference_date=reference_date,
        definition=definition,
        monetary=monetary,
        extra_features=extra_features,
        period=period,
        time_scaler=time_scaler,
        returns=returns,
        missing=missing,
    )
    validate_parameter_constraints(RFM_CONSTRAINTS, params, caller_name="rfm_table")
    extras = _extra_features(extra_features, definition)
    reference_day = None if reference_date is None else day_number(reference_date)
    columns = {
        "customer": customer_col,
        "date": date_col,
        "amount": amount_col,
        "order": order_col,
    }

    log, audit, reference_day = _audited_log(
        transactions,
        columns,
        reference_day=reference_day,
        returns=returns,
        missing=missing,
    )
    net = returns == "net" and audit.negative_amount > 0
    customers, returns_only = log.aggregate_customers(
        reference_day=reference_day,
        returns=returns,
        net_returns=net,
        definition=definition,
        period=period,
        active_days="active_days" in extras,
    )
    warn_returns_only(returns_only)
    customers = nw.from_native(customers)
    result = customers.select(
        nw.col(AGG["customer"]),
        *_feature_exprs(
            definition,
            reference_day=reference_day,
            monetary=monetary,
            extras=extras,
            period=period,
            time_scaler=time_scaler,
            net=net,
        ),
    )
    return _dataframe.to_native_output(
        result, customer_col=customer_col, eager=log.eager
    )
