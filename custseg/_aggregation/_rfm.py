"""RFM aggregation: a transaction log becomes one row per customer.

:func:`rfm_table` is the function; ``RFMTransformer`` (in ``_transformer``)
is the same aggregation as the first step of a scikit-learn Pipeline.
"""

from __future__ import annotations

from typing import Literal

import narwhals.stable.v2 as nw

from custseg._aggregation import _narwhals_engine as _dataframe
from custseg._aggregation._log_checks import (
    apply_policies,
    day_number,
    warn_returns_only,
)
from custseg._aggregation._schema import (
    AGG,
    AGGREGATION_CONSTRAINTS,
    AGGREGATION_DEFAULTS,
    LogColumns,
    open_log,
)
from custseg._sklearn_compat import validate_parameter_constraints, validate_params
from custseg._tables import DateLike, TableLike
from custseg._warnings import warn

__all__ = [
    "EXTRA_FEATURES",
    "aggregate",
    "check_settings",
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

_RULE_WORDS = {
    "last": "the value on each customer's last purchase day",
    "mode": "each customer's most frequent value",
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


def feature_names(settings):
    """Names of the columns :func:`rfm_table` returns for ``settings``."""
    definition = settings.get("definition", "classic")
    if definition == "btyd":
        if settings.get("include_first_transaction"):
            names = ["frequency", "recency", "monetary_value"]
        else:
            names = ["frequency", "recency", "T", "monetary_value"]
    else:
        extras = _extra_features(settings.get("extra_features"), definition)
        names = ["recency", "frequency", "monetary", *extras]
    return [*names, *(settings.get("attributes") or ())]


def check_settings(settings, caller_name="rfm_table"):
    """Validate aggregation settings; return them complete (defaults filled in)."""
    unknown = sorted(set(settings) - set(AGGREGATION_DEFAULTS))
    if unknown:
        raise TypeError(
            f"{caller_name} got unknown aggregation settings {unknown}; "
            f"choose from {list(AGGREGATION_DEFAULTS)}."
        )
    settings = {**AGGREGATION_DEFAULTS, **settings}
    validate_parameter_constraints(
        AGGREGATION_CONSTRAINTS, settings, caller_name=caller_name
    )
    if settings["include_first_transaction"] and settings["definition"] != "btyd":
        raise ValueError(
            "include_first_transaction=True is a setting of definition='btyd' "
            "(PyMC-Marketing's RFM segmentation summary); the classic "
            "definition always counts the first purchase."
        )
    attributes = settings["attributes"] or ()
    taken = set(feature_names({**settings, "attributes": ()}))
    taken.add(settings["customer_col"])
    for name in attributes:
        if not isinstance(name, str):
            raise TypeError(
                f"attributes must be column names (str), got {type(name).__name__}: "
                f"{name!r}."
            )
        if name in taken:
            raise ValueError(
                f"attributes has {name!r}, which is also the name of an output "
                "column (customer id or feature); rename the column first."
            )
    if len(set(attributes)) != len(attributes):
        raise ValueError(f"attributes has repeated names: {list(attributes)}.")
    _extra_features(settings["extra_features"], settings["definition"])
    return settings


def _feature_exprs(settings, *, reference_day, net):
    definition, period = settings["definition"], settings["period"]
    time_scaler = settings["time_scaler"]
    a = {k: nw.col(v) for k, v in AGG.items()}
    returned = a["returned"].fill_null(0.0) if net else nw.lit(0.0)
    if definition == "btyd":
        ref = reference_day if period == "D" else (reference_day - 1) // 7
        if settings["include_first_transaction"]:
            # PyMC-Marketing's summary for RFM segmentation: every purchase
            # period counts, recency runs from the last purchase to the end
            return [
                a["n"].cast(nw.Float64).alias("frequency"),
                ((ref - a["last"]) / time_scaler).cast(nw.Float64).alias("recency"),
                ((a["total"] + returned) / a["n"])
                .cast(nw.Float64)
                .alias("monetary_value"),
            ]
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
        (total if settings["monetary"] == "sum" else total / a["n"]).alias("monetary"),
    ]
    extra_exprs = {
        "tenure": (reference_day - a["first"]).cast(nw.Int64),
        "avg_order_value": total / a["n"],
        "active_days": a["active"].cast(nw.Int64),
        "mean_days_between_orders": nw.when(a["n"] > 1).then(
            (a["last"] - a["first"]).cast(nw.Float64) / (a["n"] - 1)
        ),
    }
    extras = _extra_features(settings["extra_features"], definition)
    return exprs + [extra_exprs[name].alias(name) for name in extras]


def open_audited_log(transactions, settings, *, reference_day=None, window=None):
    """Open the log on its engine, count its problems and apply the policies.

    ``window`` is ``None`` (the whole log), or a ``(after_day, through_day)``
    pair with ``None`` for an open end (the holdout split's parts).

    Returns the log, its audit and the reference day (the given one, or the
    latest kept transaction day).
    """
    columns = LogColumns.from_params(settings)
    log = open_log(transactions, columns, attributes=settings["attributes"] or ())
    if window is not None:
        log = log.restrict(after_day=window[0], through_day=window[1])
    audit, day = log.audit(reference_day=reference_day, returns=settings["returns"])
    apply_policies(
        audit,
        columns=columns,
        missing=settings["missing"],
        returns=settings["returns"],
        reference_day=reference_day,
    )
    return log, audit, day


def latest_transaction_day(transactions, settings):
    """Day ordinal of the latest transaction kept by the policies."""
    _, _, day = open_audited_log(transactions, settings)
    return day


def aggregate(log, audit, settings, *, reference_day, part=""):
    """The customer table of an audited log, in the caller's kind of frame.

    ``part`` names the part of the log in the warnings (see ``apply_policies``).
    """
    returns = settings["returns"]
    net = returns == "net" and audit.negative_amount > 0
    extras = _extra_features(settings["extra_features"], settings["definition"])
    customers, returns_only = log.aggregate_customers(
        reference_day=reference_day,
        returns=returns,
        net_returns=net,
        definition=settings["definition"],
        period=settings["period"],
        active_days="active_days" in extras,
    )
    warn_returns_only(returns_only, part)
    customers = _dataframe.from_native(customers)
    attributes = settings["attributes"] or ()
    if attributes:
        values, several = log.customer_attributes(
            attributes,
            reference_day=reference_day,
            returns=returns,
            rule=settings["attribute_rule"],
        )
        for frame in values:
            if isinstance(customers, nw.LazyFrame) and isinstance(frame, nw.DataFrame):
                frame = frame.lazy()
            customers = customers.join(frame, on=AGG["customer"], how="left")
        _warn_several(several, settings["attribute_rule"])
    result = customers.select(
        nw.col(AGG["customer"]),
        *_feature_exprs(settings, reference_day=reference_day, net=net),
        *attributes,
    )
    return _dataframe.to_native_output(
        result,
        customer_col=settings["customer_col"],
        eager=log.eager,
        partitions=getattr(log, "partitions", None),
    )


def _warn_several(several, rule):
    for name, count in several.items():
        if count:
            warn(
                f"attribute {name!r}: {count} customers have several values; "
                f"kept {_RULE_WORDS[rule]} (attribute_rule={rule!r})."
            )


@validate_params(
    {"transactions": "no_validation", **AGGREGATION_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def rfm_table(
    transactions: TableLike,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    order_col: str | None = None,
    reference_date: DateLike | None = None,
    definition: Literal["classic", "btyd"] = "classic",
    monetary: Literal["sum", "mean"] = "sum",
    extra_features: list[str] | tuple[str, ...] | Literal["all"] | None = None,
    period: Literal["D", "W"] = "D",
    time_scaler: float = 1.0,
    include_first_transaction: bool = False,
    attributes: list[str] | tuple[str, ...] | None = None,
    attribute_rule: Literal["last", "mode"] = "last",
    returns: Literal["net", "ignore", "raise"] = "net",
    missing: Literal["drop", "raise"] = "drop",
) -> TableLike:
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

    ``recency`` and ``T`` are divided by ``time_scaler`` (lifetimes'
    ``freq_multiplier``): ``period="D", time_scaler=7`` gives weeks measured
    in days / 7, as in Fader and Hardie's CDNOW summaries.

    With ``include_first_transaction=True`` the BTYD table is PyMC-Marketing's
    ``rfm_summary(include_first_transaction=True)``, its summary for RFM
    segmentation: ``frequency`` = purchase periods, ``recency`` = periods
    from the last purchase period to the reference period, ``monetary_value``
    = mean of the per-period totals over all periods, and no ``T``.

    **Attributes** (``attributes=["country", ...]``): columns of the log
    carried into the customer table, one value per customer, chosen among
    the customer's purchases kept by the policies (missing values left out):
    with ``attribute_rule="last"`` the value on the last purchase day (when
    that day has several, the most frequent of them, then the smallest);
    with ``"mode"`` the most frequent value (ties: the one bought most
    recently, then the smallest).  "Smallest" is the engine's order of the
    values, so the result never depends on row order.  A warning counts the
    customers who have several values.  Attributes kept in a separate
    customer table are joined by customer id with a plain pandas or polars
    join (see the user guide).

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
    include_first_transaction : bool, default=False
        BTYD definition only: PyMC-Marketing's RFM-segmentation summary
        (see above).
    attributes : list of str, optional
        Columns of the log to carry into the customer table, one value per
        customer (see above).  They follow the feature columns.
    attribute_rule : {"last", "mode"}, default="last"
        Which value an attribute takes when a customer has several.
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
    settings = {k: v for k, v in locals().items() if k in AGGREGATION_DEFAULTS}
    settings = check_settings(settings)
    reference_day = None if reference_date is None else day_number(reference_date)
    log, audit, reference_day = open_audited_log(
        transactions, settings, reference_day=reference_day
    )
    return aggregate(log, audit, settings, reference_day=reference_day)
