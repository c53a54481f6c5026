"""Categorical columns per segment: the most common level and its share."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["category_modes"]


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
    for col in columns:
        values = table[col].astype(object)
        values = values.where(values.notna(), "(missing)").map(str).to_numpy()
        counts = pd.crosstab(labels, values).reindex(segments, fill_value=0)
        counts = counts.reindex(sorted(counts.columns), axis=1)
        totals = counts.sum(axis=1).to_numpy()
        best = counts.to_numpy().argmax(axis=1)  # first of the sorted levels on ties
        top = counts.to_numpy()[np.arange(n_segments), best]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(totals > 0, top / totals, np.nan)
        out[col] = np.where(totals > 0, counts.columns.to_numpy()[best], None)
        out[f"{col}_share"] = share
    return out
