"""Any customer-table container to a pandas DataFrame with string column names.

Lazy frames are collected once through narwhals (the row count is logged on
the ``custseg`` logger); duplicate column names are refused; the caller's
object is never modified.
"""

from __future__ import annotations

import logging
from collections import Counter

import numpy as np
import pandas as pd

__all__ = [
    "as_pandas_table",
    "duplicated_names",
    "is_dataframe_library_object",
    "looks_like_id",
]

logger = logging.getLogger("custseg")

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


def duplicated_names(columns):
    """Column names that occur more than once (after conversion to ``str``).

    Examples
    --------
    >>> duplicated_names(["a", "b", "a", 1, "1"])
    ['a', '1']
    """
    counts = Counter(str(c) for c in columns)
    return [name for name, n in counts.items() if n > 1]


def _refuse_duplicates(columns, what="X"):
    dup = duplicated_names(columns)
    if dup:
        raise ValueError(
            f"{what} has duplicate column names {dup}: a column must be "
            "identified by its name; rename or drop the copies."
        )


def _from_dataframe_library(X):
    """A pandas frame from any dataframe narwhals knows, lazy ones collected once."""
    import narwhals as nw

    module = type(X).__module__.split(".")[0]
    if module == "dask":  # compute directly: keeps the index, no narwhals warning
        out = X.compute()
        logger.info("Collected a Dask customer table: %d rows.", len(out))
        return out
    try:
        frame = nw.from_native(X)
    except nw.exceptions.DuplicateError as exc:
        raise ValueError(f"X has duplicate column names: {exc}") from exc
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
        logger.info("Collected a lazy %s customer table: %d rows.", module, len(frame))
    return frame.to_pandas()


def is_dataframe_library_object(X):
    """Whether narwhals reads ``X`` (a pandas, polars, pyarrow, DuckDB, ... frame)."""
    if isinstance(X, np.ndarray | list | tuple | pd.Series | pd.DataFrame):
        return False
    import narwhals as nw

    try:
        nw.from_native(X)
    except nw.exceptions.DuplicateError:  # a frame, refused later by name
        return True
    except TypeError:
        return False
    return True


def as_pandas_table(X, *, columns=None):
    """Return ``X`` as a pandas DataFrame with string column names.

    Parameters
    ----------
    X : DataFrame, lazy frame or array-like
        A customer table: pandas, polars (eager or lazy), pyarrow, DuckDB,
        Dask, Spark (anything narwhals reads; lazy frames are collected once,
        with the row count logged on the ``custseg`` logger), or a 2-D array,
        whose columns are named ``x0, x1, ...`` unless ``columns`` is given.
    columns : sequence of str, optional
        Names to use for an array input.

    Returns
    -------
    pandas.DataFrame
        A new frame (the caller's object is never modified).  A pandas input
        keeps its index, so customer ids survive.

    Raises
    ------
    ValueError
        Duplicate column names (after conversion to ``str``), or an array that
        is not 2-D.

    Examples
    --------
    >>> import numpy as np
    >>> as_pandas_table(np.array([[1.0, 2.0]])).columns.tolist()
    ['x0', 'x1']
    """
    if isinstance(X, pd.DataFrame):
        _refuse_duplicates(X.columns)
        out = X.copy(deep=False)
        out.columns = [str(c) for c in out.columns]
        return out
    if isinstance(X, pd.Series):
        return X.to_frame(name=str(X.name) if X.name is not None else "x0")
    names = getattr(X, "column_names", None)  # pyarrow allows duplicate names
    if isinstance(names, list):
        _refuse_duplicates(names)
    if is_dataframe_library_object(X):
        out = _from_dataframe_library(X)
        _refuse_duplicates(out.columns)
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
