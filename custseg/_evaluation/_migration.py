"""segment_migration: how customers move between two periods' segments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from custseg._sklearn_compat import validate_params
from custseg._tables import ArrayLike, label_series, refuse_missing_labels

__all__ = ["SegmentMigration", "segment_migration"]

NEW, GONE = "(new)", "(gone)"


@dataclass(frozen=True)
class SegmentMigration:
    """The transition table between two segmentations.

    Attributes
    ----------
    counts : pandas.DataFrame
        Customers per (segment before, segment after).  Rows are the earlier
        segments plus ``"(new)"`` (customers only in the later period);
        columns are the later segments plus ``"(gone)"`` (customers only in
        the earlier period).  The ``"(new)", "(gone)"`` cell is always 0.
    shares : pandas.DataFrame
        ``counts`` divided by row totals: where each earlier segment's
        customers went (rows with no customer are 0).
    n_matched : int
        Customers present in both periods.
    n_new : int
        Customers only in the later period.
    n_gone : int
        Customers only in the earlier period.

    Examples
    --------
    >>> from custseg import segment_migration
    >>> mig = segment_migration([0, 0, 1], [0, 1, 1])
    >>> mig.n_matched, mig.n_new, mig.n_gone
    (3, 0, 0)
    >>> mig.shares
    after     0    1  (gone)
    before
    0       0.5  0.5     0.0
    1       0.0  1.0     0.0
    (new)   0.0  0.0     0.0
    """

    counts: pd.DataFrame
    shares: pd.DataFrame
    n_matched: int
    n_new: int
    n_gone: int

    def __repr__(self):
        return (
            f"SegmentMigration(n_matched={self.n_matched}, n_new={self.n_new}, "
            f"n_gone={self.n_gone})\n{self.counts}"
        )


def _as_series(labels, names, which):
    """Labels keyed by customer id (or position) as a pandas Series."""
    if isinstance(labels, pd.DataFrame) or (
        hasattr(labels, "columns") and hasattr(labels, "to_pandas")
    ):
        frame = labels.to_pandas() if not isinstance(labels, pd.DataFrame) else labels
        if frame.shape[1] != 2:
            raise ValueError(
                f"{which}: a DataFrame must have two columns (customer id, label); "
                f"got {list(frame.columns)}."
            )
        series = pd.Series(
            frame.iloc[:, 1].to_numpy(), index=frame.iloc[:, 0].to_numpy()
        )
    elif isinstance(labels, pd.Series):
        series = labels
    elif isinstance(labels, dict):
        series = pd.Series(labels)
    else:  # an array, a list or a polars Series: by position
        series = label_series(labels, which)
    if series.index.has_duplicates:
        dup = int(series.index.duplicated().sum())
        raise ValueError(f"{which} has {dup} duplicated customer id(s).")
    refuse_missing_labels(series, which)
    if names is not None:
        dup = [str(n) for n in pd.Index(names)[pd.Index(names).duplicated()]]
        if dup:
            raise ValueError(
                f"names_{which.split('_')[1]} has duplicate names {dup}: each "
                "segment needs its own name, or the counts would be pooled twice."
            )
        names = np.asarray(names, dtype=object)
        codes = series.to_numpy()
        if not np.issubdtype(np.asarray(codes).dtype, np.integer):
            raise TypeError(f"{which}: names are given, so the labels must be ints.")
        if codes.size and (codes.min() < 0 or codes.max() >= names.size):
            raise ValueError(f"{which} has labels outside 0..{names.size - 1}.")
        return pd.Series(names[codes], index=series.index), [str(n) for n in names]
    order = pd.unique(series.to_numpy())
    try:
        order = sorted(order)
    except TypeError:
        pass
    return series, list(order)


def _id_kind(index):
    kind = pd.api.types.infer_dtype(index, skipna=True)
    if kind in ("integer", "floating", "mixed-integer-float", "decimal"):
        return "numbers"
    if kind in ("string", "bytes"):
        return "text"
    return kind


def _keyed(labels):
    """Whether labels come keyed by customer id (not a plain array)."""
    return isinstance(labels, dict | pd.Series | pd.DataFrame) or (
        hasattr(labels, "columns") and hasattr(labels, "to_pandas")
    )


def _is_positions(index, n):
    return isinstance(index, pd.RangeIndex) and index.equals(pd.RangeIndex(n))


def _check_matching(before, after, labels_before, labels_after):
    keyed = [_keyed(labels_before), _keyed(labels_after)]
    if keyed == [False, False] and len(before) != len(after):
        raise ValueError(
            f"labels_before has {len(before)} entries and labels_after "
            f"{len(after)}; arrays are matched by position, so pass Series "
            "indexed by customer id to compare periods with different customers."
        )
    if keyed[0] != keyed[1]:
        series, plain = (before, after) if keyed[0] else (after, before)
        if not _is_positions(series.index, len(plain)):
            name = "labels_after" if keyed[0] else "labels_before"
            raise ValueError(
                f"{name} is a plain array (matched by position) but the other is "
                "keyed by customer id: pass both as Series indexed by customer "
                "id (e.g. pd.Series(seg.labels_, index=X.index)), or both in "
                "the same row order."
            )
        return
    kinds = _id_kind(before.index), _id_kind(after.index)
    if len(before) and len(after) and kinds[0] != kinds[1]:
        raise ValueError(
            f"labels_before is keyed by customer ids of type "
            f"{before.index.dtype} ({kinds[0]}, e.g. {before.index[0]!r}) and "
            f"labels_after by {after.index.dtype} ({kinds[1]}, e.g. "
            f"{after.index[0]!r}): no customer could match. Convert the ids of "
            "one period to the type of the other."
        )


@validate_params(
    {
        "labels_before": "no_validation",  # checked and aligned inside
        "labels_after": "no_validation",
        "names_before": ["array-like", None],
        "names_after": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def segment_migration(
    labels_before: Any,
    labels_after: Any,
    *,
    names_before: ArrayLike | None = None,
    names_after: ArrayLike | None = None,
) -> SegmentMigration:
    """Transition table of customers between two periods' segments.

    Works for any two segmentations (the segment sets may differ).

    Parameters
    ----------
    labels_before, labels_after : Series, dict, DataFrame or array-like
        Segment of each customer in the earlier and the later period.  A
        pandas Series (indexed by customer id), a dict ``{id: label}`` or a
        two-column frame ``(id, label)`` (pandas or polars) is matched by
        customer id, so customers who appear or disappear are counted
        separately.  Plain arrays are matched by position and must have the
        same length.  A plain array beside labels keyed by customer id is
        refused (unless the ids are the positions ``0 .. n-1``), and so are
        ids of different types in the two periods (``1`` and ``"1"``).
    names_before, names_after : array-like of str, optional
        Segment names indexed by integer label (e.g. ``segment_names_``),
        unique; rows and columns then use the names and include empty
        segments.

    Returns
    -------
    SegmentMigration
        ``counts``, row ``shares`` and the numbers of matched, new and gone
        customers.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg import segment_migration
    >>> before = pd.Series({"a": "loyal", "b": "loyal", "c": "new", "d": "new"})
    >>> after = pd.Series({"a": "loyal", "b": "at risk", "c": "loyal", "e": "new"})
    >>> mig = segment_migration(before, after)
    >>> mig.counts
    after   at risk  loyal  new  (gone)
    before
    loyal         1      1    0       0
    new           0      1    0       1
    (new)         0      0    1       0
    >>> mig.shares.loc["new"].tolist()
    [0.0, 0.5, 0.0, 0.5]
    """
    before, rows = _as_series(labels_before, names_before, "labels_before")
    after, cols = _as_series(labels_after, names_after, "labels_after")
    _check_matching(before, after, labels_before, labels_after)
    joined = pd.concat(
        [before.astype(object).rename("before"), after.astype(object).rename("after")],
        axis=1,
        join="outer",
    )
    gone = joined["after"].isna()
    new = joined["before"].isna()
    b = joined["before"].astype(object).where(~new, NEW)
    a = joined["after"].astype(object).where(~gone, GONE)
    counts = pd.crosstab(b, a).reindex(
        index=[*rows, NEW], columns=[*cols, GONE], fill_value=0
    )
    counts.index.name, counts.columns.name = "before", "after"
    counts = counts.astype(np.int64)
    totals = counts.sum(axis=1).replace(0, np.nan)
    shares = counts.div(totals, axis=0).fillna(0.0)
    return SegmentMigration(
        counts, shares, int((~gone & ~new).sum()), int(new.sum()), int(gone.sum())
    )
