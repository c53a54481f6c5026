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
- **Labels and outcomes** are aligned with ``X`` by the customer-table
  reader's rule, shared with every entry point that takes values beside a
  table (``custseg._tables.align_rows`` / ``encode_labels``): one per
  customer, a pandas Series aligned by customer id, a column vector of shape
  ``(n, 1)`` read as a vector, missing labels refused; labels mixing numbers
  and text are compared as text (``1`` and ``"1"`` are the same segment).
- **Numbers** follow the reader's numeric policy: an object column of
  numbers is numeric, numeric-looking text (``"12"``) is categorical, complex
  numbers are refused with a ``TypeError`` naming the column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg._tables import (
    align_rows,
    duplicated_names,
    encode_labels,
    finite_floats,
    is_numeric_column,
    looks_like_id,
    read_table_for,
)
from custseg._warnings import warn

__all__ = [
    "is_categorical",
    "read_labels",
    "read_outcome",
    "read_table",
    "stratified_sample",
]


def _warn(message):
    warn(message, UserWarning)


def _clean_columns(frame, categorical, what):
    """Infinite → missing, empty columns skipped, missing values counted."""
    numeric = [
        c for c in frame if c not in categorical and not is_categorical(frame[c])
    ]
    # infinite values become missing ones (a new array: X stays as it is)
    floats, _ = finite_floats(frame, numeric, f"validate_segmentation: {what} ")
    kept, skipped, missing = {}, [], {}
    for col in frame:
        series = floats[col].set_axis(frame.index) if col in floats else frame[col]
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
    table = read_table_for(X, "validate_segmentation", min_rows=2)
    if table.shape[1] == 0:
        raise ValueError("validate_segmentation: X has no column to test.")
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
    """Whether a column is tested as categorical: booleans and anything not a number.

    Numbers follow the reader's policy (:func:`custseg._tables.is_numeric_column`):
    an object column of numbers is numeric, numeric-looking text is not.
    """
    if pd.api.types.is_complex_dtype(series):
        return False  # read as a number, so that it is refused naming the column
    return not is_numeric_column(series) or pd.api.types.is_bool_dtype(series)


def read_labels(segmentation, table):
    """Integer labels ``0 .. k - 1`` and the segment names of plain labels."""
    return encode_labels(
        segmentation, table, what="segmentation", kind="a segmenter or array-like"
    )


def read_outcome(outcome, table):
    """Outcomes as a DataFrame in the row order of ``table``, after the policy."""
    frame = align_rows(outcome, table, "outcome")
    if isinstance(frame, pd.Series):
        frame = frame.to_frame("outcome" if frame.name is None else str(frame.name))
    elif not hasattr(outcome, "columns"):  # a 2-D array: columns by position
        frame.columns = [f"outcome {j}" for j in range(frame.shape[1])]
    dup = duplicated_names(frame.columns)
    if dup:
        raise ValueError(f"outcome has duplicate column names {dup}; rename them.")
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
