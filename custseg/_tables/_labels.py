"""Values given beside a customer table, aligned with its rows (one helper).

A pandas Series is aligned by index (customer id) when it holds the same
customers as the table, and taken in row order when either index is a plain
range; anything else is taken in row order.  Segment labels are then checked:
whole, non-negative numbers, none missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg._tables._columns import is_numeric_column

__all__ = ["align_labels", "align_to_table"]


def align_to_table(values, table, what):
    """Return one value per row of ``table``, in its row order, as a pandas Series.

    A pandas Series (or DataFrame) is aligned by index when its index holds
    the same customers as ``table``'s, and taken in row order when either
    index is a plain range (a numpy or polars customer table, for example);
    anything else is taken in row order and must have one value per row.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"x": [1, 2]}, index=["a", "b"])
    >>> align_to_table(pd.Series([5, 6], index=["b", "a"]), table, "labels").tolist()
    [6, 5]
    """
    if isinstance(values, str | bytes | dict) or np.ndim(values) == 0:
        raise TypeError(
            f"{what} must be array-like with one value per customer, got "
            f"{type(values).__name__}."
        )
    if isinstance(values, pd.Series | pd.DataFrame):
        if not values.index.equals(table.index):
            same = not values.index.has_duplicates and set(values.index) == set(
                table.index
            )
            positional = isinstance(values.index, pd.RangeIndex) or isinstance(
                table.index, pd.RangeIndex
            )
            if same:
                values = values.reindex(table.index)
            elif not (positional and len(values) == len(table)):
                raise ValueError(
                    f"{what} is indexed by other customers than X: align it with "
                    "X's index, or pass a plain array in X's row order."
                )
        series = values.iloc[:, 0] if isinstance(values, pd.DataFrame) else values
        series = series.set_axis(table.index)
    else:
        if hasattr(values, "to_numpy") and not isinstance(values, np.ndarray):
            values = values.to_numpy()  # polars Series: row order
        array = np.asarray(values)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1:
            raise ValueError(
                f"{what} must be one-dimensional, got an array of shape {array.shape}."
            )
        series = pd.Series(array)
    if isinstance(values, pd.DataFrame) and values.shape[1] != 1:
        raise ValueError(f"{what} must be one column, got {values.shape[1]}.")
    if len(series) != len(table):
        raise ValueError(
            f"{what} has {len(series)} entries but X has {len(table)} rows."
        )
    return series


def align_labels(labels, table, *, what="labels"):
    """Integer segment labels (``>= 0``), one per row of ``table``, in its row order.

    Parameters
    ----------
    labels : array-like or pandas Series
        Aligned like :func:`align_to_table`.
    table : pandas.DataFrame
    what : str
        The argument's name, used in error messages.

    Returns
    -------
    ndarray of int64

    Raises
    ------
    TypeError
        Text (or other non-numeric) labels.
    ValueError
        Missing, negative or fractional labels, or labels not aligned with X.

    Examples
    --------
    >>> import pandas as pd
    >>> align_labels([1, 0, 1.0], pd.DataFrame({"x": [1, 2, 3]}))
    array([1, 0, 1])
    """
    series = align_to_table(labels, table, what)
    n_missing = int(series.isna().sum())
    if n_missing:
        raise ValueError(
            f"{what} has {n_missing} missing label(s); every customer needs a segment."
        )
    if not is_numeric_column(series) or pd.api.types.is_bool_dtype(series):
        sample = series.iloc[0] if len(series) else None
        raise TypeError(
            f"{what} must be integer segment labels 0, 1, ..., got dtype "
            f"{series.dtype} (e.g. {sample!r}); map names to integers first."
        )
    values = series.to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values) | (values != np.round(values))
    if bad.any():
        raise ValueError(
            f"{what} has {int(bad.sum())} value(s) that are not whole numbers "
            f"(e.g. {values[bad][0]!r})."
        )
    if (values < 0).any():
        raise ValueError(
            f"{what} has {int((values < 0).sum())} negative label(s); labels are "
            "0, 1, ... (noise labels such as -1 are not segments)."
        )
    if (values >= 2.0**62).any():
        raise ValueError(f"{what} has a label too large to be a segment number.")
    if series.dtype.kind in "iu":
        return series.to_numpy(dtype=np.int64)
    return values.astype(np.int64)
