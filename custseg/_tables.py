"""Conversions between the customer-table containers custseg accepts.

Customer tables (one row per customer) arrive as pandas or polars DataFrames or
as numpy arrays.  Everything after the aggregation step works on them row for
row, so this module only has to turn them into a pandas DataFrame with named
columns, without copying or modifying the caller's object more than needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "as_pandas_table",
    "category_modes",
    "check_numeric_columns",
    "feature_names_of",
    "looks_like_id",
]

_ID_NAMES = {"id", "customer", "customerid", "userid", "clientid", "accountid"}


def looks_like_id(name):
    """Whether a column name looks like an identifier (``id``, ``*_id``, ``CustomerID``).

    Examples
    --------
    >>> [looks_like_id(c) for c in ("customer_id", "CustomerID", "age")]
    [True, True, False]
    """
    lower = str(name).lower()
    return lower.replace("_", "") in _ID_NAMES or lower.endswith("_id")


def check_numeric_columns(table, columns, *, owner=None, hint=""):
    """Check that named columns exist, are numeric and finite; return them as floats.

    Parameters
    ----------
    table : pandas.DataFrame
        A customer table (see :func:`as_pandas_table`).
    columns : sequence of str
        The columns to read.
    owner : str, optional
        Estimator or function name that prefixes the error messages.
    hint : str, optional
        Advice appended to the message about missing columns.

    Returns
    -------
    ndarray of float64, shape (n_rows, len(columns))

    Raises
    ------
    ValueError
        A column is missing, or holds missing (NaN, null, ``pd.NA``) or
        infinite values.
    TypeError
        A column is not numeric (booleans count as numeric; an object column
        passes when all its values convert to float).

    Examples
    --------
    >>> import pandas as pd
    >>> check_numeric_columns(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), ["a"])
    array([[1.],
           [2.]])
    """
    prefix = f"{owner}: " if owner else ""
    columns = [str(c) for c in columns]
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{prefix}column(s) {missing} not found in X; its columns are "
            f"{list(table.columns)}.{' ' + hint if hint else ''}"
        )
    out = np.empty((len(table), len(columns)), dtype=np.float64)
    for j, col in enumerate(columns):
        series = table[col]
        if pd.api.types.is_object_dtype(series):  # numbers held as objects pass
            try:
                values = series.to_numpy(dtype=np.float64, na_value=np.nan)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"{prefix}column {col!r} must be numeric, got dtype object ({exc})."
                ) from exc
        elif pd.api.types.is_numeric_dtype(series):
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            raise TypeError(
                f"{prefix}column {col!r} must be numeric, got dtype {series.dtype}."
            )
        n_bad = int((~np.isfinite(values)).sum())
        if n_bad:
            raise ValueError(
                f"{prefix}column {col!r} has {n_bad} missing or infinite value(s) "
                "(NaN or infinite); fill or drop them first."
            )
        out[:, j] = values
    return out


def feature_names_of(X):
    """Return the column names of a table-like ``X`` or ``None`` for arrays."""
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    return np.asarray([str(c) for c in columns], dtype=object)


def as_pandas_table(X, *, columns=None):
    """Return ``X`` as a pandas DataFrame with string column names.

    Parameters
    ----------
    X : pandas.DataFrame, polars.DataFrame, pyarrow.Table or array-like
        A customer table.  Arrays get the column names ``x0, x1, ...`` unless
        ``columns`` is given.
    columns : sequence of str, optional
        Names to use for an array input.

    Returns
    -------
    pandas.DataFrame
        A new frame (the caller's object is never modified).  A pandas input
        keeps its index, so customer ids survive.

    Examples
    --------
    >>> import numpy as np
    >>> as_pandas_table(np.array([[1.0, 2.0]])).columns.tolist()
    ['x0', 'x1']
    """
    if isinstance(X, pd.DataFrame):
        out = X.copy(deep=False)
        out.columns = [str(c) for c in out.columns]
        return out
    if isinstance(X, pd.Series):
        return X.to_frame(name=str(X.name) if X.name is not None else "x0")
    if hasattr(X, "to_pandas") and hasattr(X, "columns"):
        # polars.DataFrame, pyarrow.Table
        out = X.to_pandas()
        out.columns = [str(c) for c in out.columns]
        return out
    if hasattr(X, "__dataframe__") and not isinstance(X, np.ndarray):
        out = pd.api.interchange.from_dataframe(X)
        out.columns = [str(c) for c in out.columns]
        return out
    array = np.asarray(X)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise ValueError(
            f"Expected a 2-D customer table, got an array with {array.ndim} dimensions."
        )
    if columns is None:
        columns = [f"x{i}" for i in range(array.shape[1])]
    return pd.DataFrame(array, columns=list(columns))


def category_modes(table, columns, labels, n_segments):
    """Most common level of each categorical column per segment, and its share.

    A missing value counts as a level of its own, ``"(missing)"``; ties go to
    the level that sorts first as text, so the result does not depend on the
    row order.

    Parameters
    ----------
    table : pandas.DataFrame
        The customer table.
    columns : sequence of str
        Its categorical columns.
    labels : ndarray of int, shape (n_rows,)
        Segment of each row.
    n_segments : int
        Number of segments (rows of the result; empty segments get NaN).

    Returns
    -------
    pandas.DataFrame
        Indexed by segment: ``<column>`` (the level, as text) and
        ``<column>_share`` (share of the segment's customers at that level).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> table = pd.DataFrame({"country": ["UK", "UK", "FR", "DE", "DE", "DE"]})
    >>> category_modes(table, ["country"], np.array([0, 0, 0, 1, 1, 1]), 2)
      country  country_share
    0      UK       0.666667
    1      DE       1.000000
    """
    out = pd.DataFrame(index=pd.RangeIndex(n_segments))
    for col in columns:
        values = table[col].astype(object)
        values = values.where(values.notna(), "(missing)").map(str).to_numpy()
        counts = pd.crosstab(labels, values).reindex(range(n_segments), fill_value=0)
        counts = counts.reindex(sorted(counts.columns), axis=1)
        totals = counts.sum(axis=1).to_numpy()
        best = counts.to_numpy().argmax(axis=1)  # first of the sorted levels on ties
        top = counts.to_numpy()[np.arange(n_segments), best]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(totals > 0, top / totals, np.nan)
        out[col] = np.where(totals > 0, counts.columns.to_numpy()[best], None)
        out[f"{col}_share"] = share
    return out
