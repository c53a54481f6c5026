"""Values given beside a customer table, aligned with its rows (one rule, one place).

Every entry point that takes labels or outcomes beside a table reads them
here, so the rules and the messages are the same everywhere:

- a pandas Series (or DataFrame) is aligned by index (customer id) when it
  holds the same customers as the table, and taken in row order when either
  index is a plain range (a numpy or polars customer table, for example);
  any other index is refused;
- anything else (a list, an array, a polars Series or DataFrame) is taken in
  row order; a column vector of shape ``(n, 1)`` is read as a vector;
- the length must be the table's; a scalar, a string or a dict is refused;
- missing labels are refused: every customer needs a segment.

Segment labels are then read either as integer segment numbers
(:func:`align_labels`: whole, non-negative numbers) or as any hashable
values, numbers or names (:func:`encode_labels`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg._tables._columns import is_numeric_column
from custseg._tables._convert import as_pandas_table, is_dataframe_library_object

__all__ = [
    "align_labels",
    "align_rows",
    "align_to_table",
    "encode_labels",
    "label_series",
    "refuse_missing_labels",
]


def _refuse_scalar(values, what, kind):
    if isinstance(values, str | bytes | dict) or np.ndim(values) == 0:
        raise TypeError(
            f"{what} must be {kind} with one value per customer, got "
            f"{type(values).__name__}."
        )


def _in_row_order(values, what):
    """A non-pandas input as a pandas Series (1-D) or DataFrame (2-D), in row order."""
    if is_dataframe_library_object(values):  # a polars / pyarrow frame keeps names
        return as_pandas_table(values)
    if hasattr(values, "to_numpy") and not isinstance(values, np.ndarray):
        values = values.to_numpy()  # polars Series
    array = np.asarray(values)
    if array.ndim == 1:
        return pd.Series(array)
    if array.ndim == 2:
        return pd.DataFrame(array)
    raise ValueError(
        f"{what} must be one value (or one row) per customer, got an array of "
        f"shape {array.shape}."
    )


def align_rows(values, table, what, *, kind="array-like"):
    """Values beside ``table`` as a pandas Series or DataFrame indexed like ``table``.

    Parameters
    ----------
    values : array-like, pandas or polars Series or DataFrame
        One value (or one row of values) per customer.
    table : pandas.DataFrame
        The customer table (see :func:`as_pandas_table`).
    what : str
        The argument's name, used in error messages.
    kind : str, optional
        What the argument may be, for the message refusing a scalar.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        A new object in ``table``'s row order, with ``table``'s index.

    Raises
    ------
    TypeError
        A scalar, a string or a dict.
    ValueError
        A pandas object indexed by other customers, or another length.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"x": [1, 2]}, index=["a", "b"])
    >>> align_rows(pd.Series([5, 6], index=["b", "a"]), table, "labels").tolist()
    [6, 5]
    """
    _refuse_scalar(values, what, kind)
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
    else:
        values = _in_row_order(values, what)
    if len(values) != len(table):
        raise ValueError(
            f"{what} has {len(values)} entries but X has {len(table)} rows."
        )
    return values.set_axis(table.index)


def _one_column(values, what, unit):
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ValueError(
                f"{what} must be one-dimensional, one {unit} per customer, got "
                f"shape {values.shape}."
            )
        values = values.iloc[:, 0]
    return values


def align_to_table(values, table, what, *, kind="array-like", unit="value"):
    """One value per row of ``table``, in its row order, as a pandas Series.

    Aligned like :func:`align_rows`; a DataFrame or a 2-D array must have
    one column (``unit`` names what each customer has one of).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> table = pd.DataFrame({"x": [1, 2]}, index=["a", "b"])
    >>> align_to_table(np.array([[5], [6]]), table, "labels").to_dict()
    {'a': 5, 'b': 6}
    """
    if np.ndim(values) > 1 and np.shape(values)[1] != 1:
        # refused before alignment, so the message names the shape
        raise ValueError(
            f"{what} must be one-dimensional, one {unit} per customer, got "
            f"shape {np.shape(values)}."
        )
    return _one_column(align_rows(values, table, what, kind=kind), what, unit)


def label_series(values, what):
    """Labels without a table: a pandas Series as given, anything else in row order.

    Used where labels are matched by customer id rather than against a table
    (:func:`custseg.segment_migration`); missing labels are refused.

    Examples
    --------
    >>> label_series([[0], [1]], "labels").tolist()
    [0, 1]
    """
    _refuse_scalar(values, what, "array-like")
    if not isinstance(values, pd.Series):
        values = _one_column(_in_row_order(values, what), what, "label")
    refuse_missing_labels(values, what)
    return values


def refuse_missing_labels(series, what):
    """``ValueError`` counting missing labels: every customer needs a segment."""
    n_missing = int(pd.isna(series).sum())
    if n_missing:
        raise ValueError(
            f"{what} has {n_missing} missing label{'s' if n_missing > 1 else ''}; "
            "every customer needs a segment."
        )


def align_labels(labels, table, *, what="labels"):
    """Integer segment labels (``>= 0``), one per row of ``table``, in its row order.

    Parameters
    ----------
    labels : array-like or pandas Series
        Aligned like :func:`align_rows`.
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
    series = align_to_table(labels, table, what, unit="label")
    refuse_missing_labels(series, what)
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


def _number(value):
    return int(value) if float(value).is_integer() else value


def encode_labels(labels, table, *, what="labels", kind="array-like"):
    """Labels of any kind (numbers or names) as codes ``0 .. k - 1`` and names.

    Aligned like :func:`align_rows`.  Labels mixing numbers and text are
    compared as text (``1`` and ``"1"`` are the same segment); numbers are
    named ``"segment <n>"``.

    Returns
    -------
    codes : ndarray of int64
        The rank of each customer's label among the sorted distinct labels.
    names : list of str
        The name of each code.

    Examples
    --------
    >>> import pandas as pd
    >>> encode_labels(["b", "a", "b"], pd.DataFrame({"x": [1, 2, 3]}))
    (array([1, 0, 1]), ['a', 'b'])
    """
    series = align_to_table(labels, table, what, kind=kind, unit="label")
    refuse_missing_labels(series, what)
    values = pd.Series(series.to_numpy(dtype=object))
    inferred = pd.api.types.infer_dtype(values, skipna=False)
    numeric = inferred in ("integer", "floating", "mixed-integer-float", "decimal")
    raw = values.to_numpy(dtype=float) if numeric else values.astype(str).to_numpy()
    uniques, codes = np.unique(raw, return_inverse=True)
    if numeric:
        names = [f"segment {_number(u)}" for u in uniques]
    else:
        names = [str(u) for u in uniques]
    return codes.astype(np.int64).reshape(-1), names
