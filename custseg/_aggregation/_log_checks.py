"""Checks and policies for transaction logs, shared by every engine path.

The engine paths (:mod:`custseg._aggregation._narwhals_engine` for narwhals frames and
:mod:`custseg._aggregation._pandas_engine` for pandas) count what is wrong or excluded;
this module turns those counts into errors or warnings with the same words
whatever the engine.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from custseg._warnings import warn

__all__ = [
    "LogAudit",
    "apply_policies",
    "check_columns_present",
    "date_format_hint",
    "day_number",
    "ordinal_to_timestamp",
]

# Proleptic Gregorian ordinal of 1970-01-01 (datetime.date(1970, 1, 1).toordinal()).
EPOCH_ORDINAL = 719163


def day_number(value, *, name="reference_date"):
    """Return the proleptic Gregorian day ordinal of a date-like value.

    Strings must be ISO 8601 (year first): ``"01/02/2011"`` could be
    1 February or 2 January, and pandas would silently pick one.
    """
    if isinstance(value, str):
        try:
            value = pd.to_datetime(value, format="ISO8601")
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{name}={value!r} is not an ISO-8601 date string (YYYY-MM-DD, "
                "optionally with a time); a string such as '01/02/2011' could be "
                "1 February or 2 January. Pass an ISO date such as '2011-02-01' "
                "or a pandas.Timestamp."
            ) from exc
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name}={value!r} is not a date: pass a date, datetime or ISO-8601 string."
        ) from exc
    if stamp is pd.NaT:
        raise ValueError(f"{name} is missing (NaT); pass a date or None.")
    return stamp.date().toordinal()


# Common non-ISO layouts, tried on one value to suggest a format; both the
# month-first and the day-first reading are listed when both fit.
_DATE_LAYOUTS = (
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m/%d/%y",
    "%d/%m/%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%m-%d-%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%d %b %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%B %d %Y",
)
_TIME_LAYOUTS = ("", " %H:%M", " %H:%M:%S")


def date_format_hint(column, example):
    """How to convert a date column of non-ISO strings, for an error message.

    ``example`` is one of the column's strings that is not ISO 8601; the
    formats among a few common layouts that read it are suggested (both
    readings when it could be month first or day first).
    """
    example = str(example).strip()
    fits = [
        date + time
        for date in _DATE_LAYOUTS
        for time in _TIME_LAYOUTS
        if _parses(example, date + time)
    ]
    if not fits:
        fits = ["..."]
    other = (
        f' (or format="{fits[1]}": check whether your dates are month first or '
        "day first)"
        if len(fits) > 1
        else ""
    )
    return (
        f"The first such value is {example!r}. Convert the column to datetimes "
        f'first, e.g. df["{column}"] = pd.to_datetime(df["{column}"], '
        f'format="{fits[0]}"){other}, or pass ISO-8601 strings (YYYY-MM-DD).'
    )


def _parses(text, fmt):
    try:
        datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def ordinal_to_timestamp(ordinal):
    """The midnight timestamp of a proleptic Gregorian day ordinal."""
    return pd.Timestamp.fromordinal(int(ordinal))


def check_columns_present(available, required):
    """Raise ``ValueError`` naming every required column that is missing.

    Parameters
    ----------
    available : sequence of str
        Columns of the frame.
    required : dict
        Maps a parameter name (``"customer_col"``) to the column it names.
    """
    available = [str(c) for c in available]
    problems = []
    for param, column in required.items():
        if column is None:
            continue
        if not isinstance(column, str):
            raise TypeError(
                f"{param} must be a column name (str), got {type(column).__name__}: {column!r}."
            )
        if column not in available:
            close = difflib.get_close_matches(column, available, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            problems.append(
                f"{param}={column!r} is not a column of the transactions.{hint}"
            )
    if problems:
        raise ValueError(" ".join(problems) + f" Available columns: {available}.")


@dataclass
class LogAudit:
    """Counts of a transaction log's rows, by what is wrong with them."""

    rows: int
    missing_customer: int = 0
    missing_date: int = 0
    missing_amount: int = 0
    missing_order: int = 0
    negative_amount: int = 0
    infinite_amount: int = 0
    # 1 when the absolute total of the amounts overflows float64
    amount_overflow: int = 0
    # non-missing date strings that the engine could not parse (read as null)
    unparseable_date: int = 0
    after_reference: int = 0
    # rows with none of the problems above and not excluded by policy
    kept: int = 0
    returns_only_customers: int = 0


def apply_policies(
    audit,
    *,
    columns,
    missing,
    returns,
    reference_day=None,
    part="",
    reference_name="the reference date",
    allow_empty=False,
):
    """Raise or warn, according to the policies, about what ``audit`` counts.

    Parameters
    ----------
    audit : LogAudit
    columns : LogColumns
    missing : {"drop", "raise"}
    returns : {"net", "ignore", "raise"}
    reference_day : int, optional
        Day ordinal of a reference date given by the caller, named in the
        error when every transaction is dated after it.
    part : str
        Which part of the log was audited (e.g. "Holdout period: "), put
        before every message.
    reference_name : str
        What the reference date is called in the messages.
    allow_empty : bool
        Whether a part with no transaction left is fine (a holdout period
        in which nobody bought) instead of an error.
    """
    columns = columns.by_role()
    if allow_empty and audit.rows == 0:
        return
    if audit.rows == 0:
        raise ValueError(
            part + "The transaction log is empty: there is no row to aggregate."
        )
    if audit.unparseable_date:
        raise ValueError(
            part
            + f"date column {columns['date']!r} has {audit.unparseable_date} values "
            "that are not ISO-8601 dates (YYYY-MM-DD); convert the column to "
            "datetimes with its format first (e.g. polars "
            '.str.to_datetime(format="%m/%d/%Y %H:%M"), pandas.to_datetime('
            "..., format=...)) or drop those rows."
        )
    if audit.infinite_amount:
        raise ValueError(
            part
            + f"amount column {columns['amount']!r} has {audit.infinite_amount} infinite "
            "values; replace or drop them before aggregating."
        )
    if audit.amount_overflow:
        raise ValueError(
            part
            + f"amount column {columns['amount']!r} has values so large that their "
            "total overflows float64 (beyond 1.8e308); rescale the amounts (for "
            "example to thousands) before aggregating."
        )
    missing_parts = [
        (audit.missing_customer, "customer", "customer id"),
        (audit.missing_date, "date", "date"),
        (audit.missing_amount, "amount", "amount"),
        (audit.missing_order, "order", "order id"),
    ]
    missing_parts = [(n, columns[key], what) for n, key, what in missing_parts if n]
    if missing_parts:
        detail = ", ".join(
            f"{n} with a missing {what} (column {col!r})"
            for n, col, what in missing_parts
        )
        if missing == "raise":
            raise ValueError(
                part + f"The transaction log has rows with missing values: {detail}."
            )
        warn(
            part
            + f"Dropped rows with missing values: {detail}. Pass missing='raise' to "
            "get an error instead."
        )
    if audit.negative_amount:
        col = columns["amount"]
        if returns == "raise":
            raise ValueError(
                part
                + f"amount column {col!r} has {audit.negative_amount} negative values "
                "(returns); pass returns='net' or returns='ignore' to handle them."
            )
        if returns == "ignore":
            warn(
                part
                + f"Ignored {audit.negative_amount} rows with a negative amount in column "
                f"{col!r} (returns='ignore')."
            )
        else:
            warn(
                part
                + f"{audit.negative_amount} rows with a negative amount in column {col!r} "
                "were treated as returns: subtracted from the monetary value, not "
                "counted as orders or purchase dates (returns='net')."
            )
    if (
        audit.kept == 0
        and audit.after_reference
        and reference_day is not None
        and not allow_empty
    ):
        raise ValueError(
            part + f"reference_date {ordinal_to_timestamp(reference_day):%Y-%m-%d} is "
            f"before every transaction: all {audit.after_reference} transactions "
            "left after the missing-value and returns policies are dated after it."
        )
    if audit.after_reference:
        warn(
            part + f"Excluded {audit.after_reference} transactions dated after "
            f"{reference_name}."
        )
    if audit.kept == 0 and not allow_empty:
        raise ValueError(
            part
            + "No transaction is left to aggregate once missing values, returns and "
            "transactions after the reference date are excluded."
        )


def warn_returns_only(count, part=""):
    """Warn that customers whose only rows are returns are left out."""
    if count:
        fate = (
            "they count as buying nothing (spend 0, 0 orders)"
            if part
            else "they are not in the customer table"
        )
        warn(
            part + f"{count} customers have only returns (negative amounts) and "
            f"no purchase; {fate}."
        )
