"""Reading and checking a BTYD customer table (frequency, recency, T, monetary_value)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg._tables import column_as_float, read_table_for

__all__ = ["BTYD_COLUMNS", "read_btyd_table"]

BTYD_COLUMNS = ("frequency", "recency", "T")
_HINT = (
    "value models need a buy-till-you-die table as rfm_table(..., "
    'definition="btyd") returns: one row per customer with frequency (repeat '
    "periods), recency (periods from first to last purchase) and T (periods "
    "from first purchase to the reference date)"
)


def _column(table, name):
    try:  # the reader's numeric policy: text, even "12", is not a number
        values = column_as_float(table[name], name, "")
    except TypeError as exc:
        raise TypeError(f"{exc} {_HINT[0].upper()}{_HINT[1:]}.") from exc
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(
            f"column {name!r} has {int(bad.sum())} missing or infinite values; "
            "a BTYD table has a number for every customer."
        )
    negative = values < 0
    if negative.any():
        raise ValueError(
            f"column {name!r} has {int(negative.sum())} negative values; "
            "counts and durations are >= 0 in a BTYD table."
        )
    return values


def read_btyd_table(X, *, monetary=False):
    """Return ``(index, columns)`` of a checked BTYD table.

    Parameters
    ----------
    X : DataFrame (pandas or polars)
        Customer table with ``frequency``, ``recency`` and ``T`` (and
        ``monetary_value`` when ``monetary=True``).
    monetary : bool
        Whether ``monetary_value`` is required.

    Returns
    -------
    index : pandas.Index
        The customer ids of a pandas input, else a RangeIndex.
    columns : dict of str to ndarray of float64

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"frequency": [0, 2], "recency": [0, 5.0], "T": [9, 9]})
    >>> read_btyd_table(X)[1]["recency"].tolist()
    [0.0, 5.0]
    """
    if isinstance(X, np.ndarray) or not hasattr(X, "columns"):
        raise TypeError(
            f"X must be a DataFrame with named columns, got {type(X).__name__}; "
            f"{_HINT}."
        )
    table = read_table_for(X, "value model", min_rows=0)  # one row per customer
    required = [*BTYD_COLUMNS, *(["monetary_value"] if monetary else [])]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise ValueError(
            f"X has no column {missing}; its columns are {list(table.columns)}; "
            f"{_HINT}."
        )
    if len(table) == 0:
        raise ValueError("X has no rows: a value model needs at least one customer.")
    cols = {name: _column(table, name) for name in required}
    freq, rec, T = cols["frequency"], cols["recency"], cols["T"]
    fractional = freq != np.round(freq)
    if fractional.any():
        raise ValueError(
            f"column 'frequency' has {int(fractional.sum())} non-integer values; "
            "it counts repeat purchase periods."
        )
    checks = [
        (
            (freq > 0) & (rec == 0),
            "have frequency > 0 but recency 0 (repeat purchases need time "
            "between the first and the last purchase; is recency measured as "
            "days since the last purchase, the classic RFM definition?)",
        ),
        ((freq == 0) & (rec > 0), "have frequency 0 but recency > 0"),
        (rec > T, "have recency > T (the last purchase after the reference date)"),
    ]
    for mask, problem in checks:
        if mask.any():
            raise ValueError(f"{int(mask.sum())} customers {problem}; {_HINT}.")
    index = table.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(table))
    return index, cols
