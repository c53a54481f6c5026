"""What :func:`custseg.validate_segmentation` does with imperfect inputs.

One policy, applied here and nowhere else:

- **Column names**: duplicate names in ``X`` or in ``outcome`` are refused
  (``ValueError`` naming them).  Columns named like customer ids are not
  tested unless listed in ``categorical``.
- **Infinite values** count as missing.
- **A column with no value at all** (a feature or an outcome) is skipped
  with a warning naming it.
- **Missing values in a tested column**: those customers are left out of
  that column's tests (and of its bootstrap intervals); the indices and the
  reference model use the column median.  One warning counts the customers
  concerned, per column.
- **Labels**: one per customer; a column vector of shape ``(n, 1)`` is read
  as a vector; missing labels are refused; labels mixing numbers and text
  are compared as text (``1`` and ``"1"`` are the same segment).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg._tables import as_pandas_table, looks_like_id
from custseg._warnings import warn

__all__ = [
    "aligned",
    "read_labels",
    "read_outcome",
    "read_table",
    "stratified_sample",
]


def _warn(message):
    warn(message, UserWarning)


def _refuse_duplicates(columns, what):
    names = pd.Index([str(c) for c in columns])
    duplicated = sorted(set(names[names.duplicated()]))
    if duplicated:
        raise ValueError(
            f"{what} has duplicate column names {duplicated}; rename them."
        )


def aligned(values, table, what):
    """Return ``values`` in the row order of ``table``.

    A pandas ``values`` is aligned by index when its index holds the same
    customers as ``table``'s, and taken in row order when either index is a
    plain range (a numpy customer table, for example).
    """
    if isinstance(values, (str, bytes, dict)) or np.ndim(values) == 0:
        raise TypeError(
            f"{what} must be a segmenter or array-like with one value per "
            f"customer, got {type(values).__name__}."
        )
    if isinstance(values, (pd.Series, pd.DataFrame)) and not values.index.equals(
        table.index
    ):
        if values.index.has_duplicates or set(values.index) != set(table.index):
            positional = isinstance(values.index, pd.RangeIndex) or (
                isinstance(table.index, pd.RangeIndex)
            )
            if len(values) == len(table) and positional:
                # one side has no customer ids (a numpy table or a plain range)
                return values.set_axis(table.index)
            raise ValueError(
                f"{what} is indexed by other customers than X: align it with "
                "X's index, or pass a plain array in X's row order."
            )
        values = values.reindex(table.index)
    if len(values) != len(table):
        raise ValueError(
            f"{what} has {len(values)} entries but X has {len(table)} rows."
        )
    return values


def _as_float(series):
    """A numeric column as float with infinite values as NaN."""
    values = series.to_numpy(dtype=float, na_value=np.nan, copy=True)
    values[np.isinf(values)] = np.nan
    return pd.Series(values, index=series.index, name=series.name)


def _clean_columns(frame, categorical, what):
    """Infinite → missing, empty columns skipped, missing values counted."""
    kept, skipped, missing = {}, [], {}
    for col in frame:
        series = frame[col]
        if col not in categorical and pd.api.types.is_numeric_dtype(series):
            if not pd.api.types.is_bool_dtype(series):
                series = _as_float(series)
        n_missing = int(series.isna().sum())
        if n_missing == len(series):
            skipped.append(col)
            continue
        if n_missing:
            missing[col] = n_missing
        kept[col] = series
    if skipped:
        _warn(
            f"validate_segmentation: {what} column(s) {skipped} have no value "
            "(all missing or infinite) and are not tested."
        )
    if missing:
        counts = ", ".join(f"{c!r}: {n}" for c, n in missing.items())
        _warn(
            f"validate_segmentation: missing or infinite values in {what} ({counts} "
            "customers) are left out of that column's tests; the indices and "
            "the reference model use the column median."
        )
    return pd.DataFrame(kept, index=frame.index)


def read_table(X, categorical):
    """The customer table, the tested columns and the set of categorical ones.

    Returns
    -------
    table : pandas.DataFrame
        ``X`` as pandas (a new object; the caller's is never modified).
    tested : pandas.DataFrame
        The columns that are tested, after the policy of this module.
    categorical : set of str
    """
    if hasattr(X, "columns"):
        _refuse_duplicates(X.columns, "X")
    table = as_pandas_table(X)
    if len(table) < 2 or table.shape[1] == 0:
        raise ValueError(
            f"X needs at least 2 customers and 1 feature, got shape {table.shape}."
        )
    categorical = set() if categorical is None else {str(c) for c in categorical}
    unknown = categorical - set(table.columns)
    if unknown:
        raise ValueError(
            f"categorical names columns that X does not have: {sorted(unknown)}."
        )
    # a customer id kept as a column (a polars table) is not a feature
    ids = [c for c in table if looks_like_id(c) and c not in categorical]
    tested = table.drop(columns=ids) if len(ids) < table.shape[1] else table
    categorical |= {c for c in tested if is_categorical(tested[c])}
    tested = _clean_columns(tested, categorical, "X")
    if tested.shape[1] == 0:
        raise ValueError("X has no column with values to test.")
    return table, tested, categorical


def is_categorical(series):
    """Whether a column is tested as categorical (not a non-boolean number)."""
    return not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(
        series
    )


def read_labels(segmentation, table):
    """Integer labels ``0 .. k - 1`` and the segment names of plain labels."""
    values = segmentation
    if np.ndim(values) == 2 and np.shape(values)[1] == 1:
        values = (
            values.iloc[:, 0]
            if isinstance(values, pd.DataFrame)
            else np.asarray(values)[:, 0]
        )
    elif np.ndim(values) > 1:
        raise ValueError(
            "segmentation must hold one label per customer, got shape "
            f"{np.shape(values)}."
        )
    values = pd.Series(np.asarray(aligned(values, table, "segmentation"), dtype=object))
    if values.isna().any():
        raise ValueError(
            f"segmentation has {int(values.isna().sum())} missing labels; "
            "every customer needs a segment."
        )
    kind = pd.api.types.infer_dtype(values, skipna=False)
    numeric = kind in ("integer", "floating", "mixed-integer-float", "decimal")
    raw = values.to_numpy(dtype=float) if numeric else values.astype(str).to_numpy()
    uniques, labels = np.unique(raw, return_inverse=True)
    if numeric:
        names = [f"segment {_number(u)}" for u in uniques]
    else:
        names = [str(u) for u in uniques]
    return labels.astype(np.int64), names


def _number(value):
    return int(value) if float(value).is_integer() else value


def read_outcome(outcome, table):
    """Outcomes as a DataFrame in the row order of ``table``, after the policy."""
    frame = aligned(outcome, table, "outcome")
    if isinstance(frame, pd.Series):
        frame = frame.to_frame("outcome" if frame.name is None else str(frame.name))
    elif not isinstance(frame, pd.DataFrame):
        array = np.asarray(frame)
        if array.ndim == 2:
            frame = pd.DataFrame(
                array, columns=[f"outcome {j}" for j in range(array.shape[1])]
            )
        else:
            frame = pd.DataFrame({"outcome": array})
    _refuse_duplicates(frame.columns, "outcome")
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    frame = frame.reset_index(drop=True)
    return _clean_columns(frame, set(), "outcome")


def stratified_sample(labels, max_customers, rng):
    """Row positions of a sample of ``max_customers``, stratified by segment.

    Each segment keeps its share (rounded, at least one customer); positions
    are returned sorted.  ``None`` when no sample is needed.
    """
    n = labels.shape[0]
    if max_customers is None or n <= max_customers:
        return None
    counts = np.bincount(labels)
    quota = np.floor(counts * max_customers / n).astype(np.int64)
    quota[(counts > 0) & (quota == 0)] = 1
    # hand the rounding remainder to the largest fractional parts
    remainder = max_customers - quota.sum()
    if remainder > 0:
        fraction = counts * max_customers / n - np.floor(counts * max_customers / n)
        fraction[counts <= quota] = -1
        quota[np.argsort(-fraction, kind="stable")[:remainder]] += 1
    keep = []
    for segment in np.flatnonzero(counts):
        members = np.flatnonzero(labels == segment)
        keep.append(
            rng.choice(members, size=min(quota[segment], members.size), replace=False)
        )
    return np.sort(np.concatenate(keep))
