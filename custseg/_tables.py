"""Conversions between the customer-table containers custseg accepts.

Customer tables (one row per customer) arrive as pandas or polars DataFrames or
as numpy arrays.  Everything after the aggregation step works on them row for
row, so this module only has to turn them into a pandas DataFrame with named
columns, without copying or modifying the caller's object more than needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["as_pandas_table", "feature_names_of"]


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
