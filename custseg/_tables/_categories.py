"""Categorical columns per segment: the most common level and its share."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MISSING_LEVEL", "category_modes", "level_codes"]

MISSING_LEVEL = "(missing)"


def level_codes(series):
    """Each row's level as a code into the sorted level names (text).

    A missing value is the level ``"(missing)"``.  The column is hashed once
    (:func:`pandas.factorize`) and only its distinct values become text, so a
    million rows with 40 levels cost 40 string conversions, not a million.
    Distinct values with the same text (``1`` and ``"1"``) share one name.

    Returns
    -------
    codes : ndarray of int, shape (n_rows,)
    names : ndarray of str
        Sorted; ``names[codes]`` is the column as text.  Every name occurs.

    Examples
    --------
    >>> import pandas as pd
    >>> codes, names = level_codes(pd.Series(["b", None, "a", "b"]))
    >>> names.tolist(), codes.tolist()
    (['(missing)', 'a', 'b'], [2, 0, 1, 2])
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    names = pd.Series(uniques).astype(object).map(str).to_numpy(dtype=object)
    if (codes < 0).any():
        codes = np.where(codes < 0, names.size, codes)
        names = np.append(names, MISSING_LEVEL)
    names, merged = np.unique(names.astype(str), return_inverse=True)
    return merged.ravel()[codes], names


def category_modes(table, columns, labels, segments):
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
    segments : int or sequence of int
        The segment labels to describe (rows of the result; an int ``n``
        means ``0 .. n - 1``); a segment without customers gets NaN.

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
    segments = list(range(segments)) if np.isscalar(segments) else list(segments)
    n_segments = len(segments)
    out = pd.DataFrame(index=pd.Index(segments))
    row_segment = pd.Index(segments).get_indexer(np.asarray(labels))
    described = row_segment >= 0
    for col in columns:
        codes, names = level_codes(table[col])
        # segment x level counts in one bincount (levels sorted as text)
        flat = row_segment[described] * names.size + codes[described]
        counts = np.bincount(flat, minlength=n_segments * names.size)
        counts = counts.reshape(n_segments, names.size)
        totals = counts.sum(axis=1)
        best = counts.argmax(axis=1)  # first of the sorted levels on ties
        top = counts[np.arange(n_segments), best]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(totals > 0, top / totals, np.nan)
        out[col] = np.where(totals > 0, names.astype(object)[best], None)
        out[f"{col}_share"] = share
    return out
