"""Reading named columns as numbers, with one policy for every entry point.

Booleans and numbers (also held as objects) pass; text, even numeric-looking
text such as ``"12"``, complex numbers, dates and durations are refused with a
TypeError that names the column; missing or infinite values with a ValueError
that counts them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "check_numeric_columns",
    "column_as_float",
    "finite_floats",
    "is_numeric_column",
]


def _text_sample(series):
    """The first text (str or bytes) value of an object column, or None."""
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind in ("integer", "floating", "mixed-integer-float", "decimal", "boolean"):
        return None
    for value in series:
        if isinstance(value, str | bytes):
            return value
    return None


def is_numeric_column(series):
    """Whether a column holds numbers: numeric or boolean dtype, or objects that are.

    Text is never a number here, even when it looks like one (``"12"``); nor
    are complex numbers, dates or durations.

    Examples
    --------
    >>> import pandas as pd
    >>> [is_numeric_column(pd.Series(v)) for v in ([1, 2], ["1", "2"], [1j, 2j])]
    [True, False, False]
    """
    if pd.api.types.is_complex_dtype(series):
        return False
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return not pd.api.types.is_timedelta64_dtype(series)
    if pd.api.types.is_object_dtype(series):
        if _text_sample(series) is not None:
            return False
        try:
            series.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            return False
        return True
    return False


def column_as_float(series, col, prefix):
    """One column as float64, or a TypeError that names it and its problem."""
    dtype = series.dtype
    if pd.api.types.is_complex_dtype(series):
        raise TypeError(
            f"{prefix}column {col!r} must be numeric, got complex numbers "
            f"(dtype {dtype}); keep the real part explicitly if that is meant."
        )
    if pd.api.types.is_object_dtype(series):
        text = _text_sample(series)
        if text is not None:
            raise TypeError(
                f"{prefix}column {col!r} must be numeric, got dtype object holding "
                f"text (e.g. {text!r}); convert it first, e.g. with pd.to_numeric."
            )
        if pd.api.types.infer_dtype(series, skipna=True) == "complex":
            raise TypeError(f"{prefix}column {col!r} must be numeric, got complex.")
        try:
            return series.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{prefix}column {col!r} must be numeric, got dtype object ({exc})."
            ) from exc
    if is_numeric_column(series):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    hint = ""
    if pd.api.types.is_string_dtype(series):
        first = series.dropna()
        if len(first):
            hint = f" holding text (e.g. {first.iloc[0]!r}); convert it first"
    raise TypeError(f"{prefix}column {col!r} must be numeric, got dtype {dtype}{hint}.")


def finite_floats(table, columns, prefix=""):
    """Numeric columns as float Series with infinite values made missing.

    For descriptions that leave missing values out (medians, totals) rather
    than refuse them.

    Returns
    -------
    floats : dict of str to pandas.Series
        One float Series (positional index) per column.
    infinite : dict of str to int
        How many infinite values each column had (only those that had some).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> floats, infinite = finite_floats(pd.DataFrame({"a": [1.0, np.inf]}), ["a"])
    >>> floats["a"].tolist(), infinite
    ([1.0, nan], {'a': 1})
    """
    floats, infinite = {}, {}
    for col in dict.fromkeys(columns):
        values = column_as_float(table[col], col, prefix)
        bad = np.isinf(values)
        if bad.any():
            infinite[col] = int(bad.sum())
            values = np.where(bad, np.nan, values)
        floats[col] = pd.Series(values)
    return floats, infinite


def check_numeric_columns(table, columns, *, owner=None, hint=""):
    """Check that named columns exist, are numeric and finite; return them as floats.

    Parameters
    ----------
    table : pandas.DataFrame
        A customer table (see :func:`as_pandas_table`).
    columns : sequence of str
        The columns to read; no other column is looked at.
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
        A column is missing or duplicated, or holds missing (NaN, null,
        ``pd.NA``) or infinite values.
    TypeError
        A column is not numeric: text (even ``"12"``), complex numbers, dates.
        Booleans count as numeric; an object column of numbers passes.

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
    dup = [c for c in dict.fromkeys(columns) if int((table.columns == c).sum()) > 1]
    if dup:
        raise ValueError(f"{prefix}X has duplicate column names {dup}.")
    out = np.empty((len(table), len(columns)), dtype=np.float64)
    for j, col in enumerate(columns):
        values = column_as_float(table[col], col, prefix)
        with np.errstate(invalid="ignore"):
            n_bad = int((~np.isfinite(values)).sum())
        if n_bad:
            raise ValueError(
                f"{prefix}column {col!r} has {n_bad} missing or infinite value(s) "
                "(NaN or infinite); fill or drop them first."
            )
        out[:, j] = values
    return out
