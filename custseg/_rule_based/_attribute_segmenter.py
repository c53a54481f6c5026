"""AttributeSegmenter: demographic and geographic segments from customer attributes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from custseg._base import SegmenterMixin, Segments, profile_features
from custseg._sklearn_compat import Interval
from custseg._tables import check_numeric_columns

__all__ = ["AttributeSegmenter"]

MISSING = "(missing)"


def _edge(value):
    return f"{value:,.6g}"


def _band_names(edges):
    """Names of the bands cut by ``edges``: "under 30", "30-45", "60 and over"."""
    if edges.size == 0:
        return ["all"]
    names = [f"under {_edge(edges[0])}"]
    names += [
        f"{_edge(lo)}-{_edge(hi)}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    ]
    return [*names, f"{_edge(edges[-1])} and over"]


class AttributeSegmenter(SegmenterMixin, BaseEstimator):
    """Segments from one or more customer attributes: categories or numeric bands.

    Each observed combination of the columns' levels is a segment: a
    country, a gender, an age band, or "Female, 30-45".  Numeric columns are
    cut into bands by ``bins`` (edges, or a number of quantile bands learned
    in :meth:`fit`); a band holds ``lower <= x < upper``.  Categorical
    columns (text, category, boolean) are used as they are; a missing value
    is a level of its own, ``"(missing)"``.  Segments follow the segmenter
    protocol, so they are validated and compared like RFM rules or clusters.

    Parameters
    ----------
    columns : str, int or sequence of them
        The attribute columns (names; int positions for arrays).
    bins : int, sequence of float, dict or None, default=None
        Bands of the numeric columns: an int ``n`` gives ``n`` quantile bands
        learned in fit, a sequence gives the inner edges (``(30, 45, 60)``:
        under 30, 30-45, 45-60, 60 and over), for every numeric column; a
        dict gives either per column.
        ``None``: a numeric column is used by its distinct values (at most
        20, else pass ``bins``).
    min_share : float, default=0.0
        Combinations holding fewer than this share of the customers are
        pooled into one segment named ``"Other"`` (the last label).

    Attributes
    ----------
    columns_ : list of str
        The attribute columns.
    bin_edges_ : dict of str to ndarray
        Inner band edges of each binned column.
    levels_ : list of tuple of str
        The levels of each segment, indexed by label (``("Other",)`` for the
        pooled segment).
    other_label_ : int or None
        Label of the pooled ``"Other"`` segment (``None`` without one).
    n_segments_ : int
    labels_ : ndarray of int, shape (n_customers,)
    segment_names_ : ndarray of str
    profiles_ : pandas.DataFrame
        :func:`custseg.segment_profiles` of the attribute columns (and
        frequency / monetary when present).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame.

    Notes
    -----
    At :meth:`predict`, a combination not seen in fit goes to ``"Other"``
    when that segment exists; otherwise a ``ValueError`` names the unseen
    values and counts the customers.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg import AttributeSegmenter
    >>> X = pd.DataFrame({"gender": ["F", "M", "F", "M", "F"],
    ...                   "age": [23, 35, 41, 67, 52]})
    >>> seg = AttributeSegmenter("age", bins=(30, 50)).fit(X)
    >>> seg.segment_names_.tolist()
    ['under 30', '30-50', '50 and over']
    >>> seg.labels_.tolist()
    [0, 1, 1, 2, 2]
    >>> AttributeSegmenter(["gender", "age"], bins={"age": (40,)}).fit(X).segment_names_
    array(['F, under 40', 'F, 40 and over', 'M, under 40', 'M, 40 and over'],
          dtype=object)
    """

    _parameter_constraints = {
        "columns": [str, Integral, "array-like"],
        "bins": [Interval(Integral, 1, None, closed="left"), "array-like", dict, None],
        "min_share": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        columns: str | int | Sequence[str | int],
        *,
        bins: int
        | Sequence[float]
        | Mapping[str | int, int | Sequence[float]]
        | None = None,
        min_share: float = 0.0,
    ) -> None:
        self.columns = columns
        self.bins = bins
        self.min_share = min_share

    _reads_values = False  # text columns are read as levels, see _levels

    def _input_columns(self, frame, *, named):
        wanted = [self.columns] if isinstance(self.columns, str | Integral) else None
        wanted = list(self.columns) if wanted is None else wanted
        names = []
        for col in wanted:
            if isinstance(col, Integral) and not isinstance(col, bool):
                if not 0 <= col < frame.shape[1]:
                    raise ValueError(
                        f"AttributeSegmenter: columns={self.columns!r} asks for "
                        f"column {col} but X has {frame.shape[1]} feature(s)."
                    )
                col = frame.columns[col]
            names.append(str(col))
        missing = [c for c in names if c not in frame.columns]
        if missing:
            raise ValueError(
                f"AttributeSegmenter: column(s) {missing} not found in X; its "
                f"columns are {list(frame.columns)}."
            )
        if not names:
            raise ValueError("AttributeSegmenter: columns is empty.")
        return names

    def _read(self, table):
        if not table.named:  # an array holds numbers: check them as such
            check_numeric_columns(
                table.frame, table.columns, owner="AttributeSegmenter"
            )
        return table.frame, table.columns

    def _bins_of(self, col):
        if isinstance(self.bins, dict):
            return self.bins.get(col)
        return self.bins

    def _learn_edges(self, col, series):
        bins = self._bins_of(col)
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        if isinstance(bins, Integral):
            finite = values[np.isfinite(values)]
            inner = np.linspace(0, 1, int(bins) + 1)[1:-1]
            return np.unique(np.quantile(finite, inner)) if finite.size else inner
        edges = np.asarray(bins, dtype=np.float64).ravel()
        if (
            edges.size == 0
            or np.any(np.diff(edges) <= 0)
            or not np.isfinite(edges).all()
        ):
            raise ValueError(
                f"AttributeSegmenter: bins for column {col!r} must be increasing "
                f"finite edges, got {edges.tolist()}."
            )
        return edges

    def _levels(self, table, names, reset):
        """The level of each row in each column, as text."""
        out = {}
        for col in names:
            series = table[col]
            numeric = pd.api.types.is_numeric_dtype(series) and not (
                pd.api.types.is_bool_dtype(series)
            )
            named = isinstance(self.bins, dict) and col in self.bins
            if reset and named and not numeric:
                raise TypeError(
                    f"AttributeSegmenter: column {col!r} has bins but is not "
                    f"numeric (dtype {series.dtype})."
                )
            if reset and numeric and self._bins_of(col) is not None:
                self.bin_edges_[col] = self._learn_edges(col, series)
            if col in self.bin_edges_:
                edges = self.bin_edges_[col]
                values = series.to_numpy(dtype=np.float64, na_value=np.nan)
                band = np.searchsorted(edges, values, side="right")
                bands = np.asarray(_band_names(edges), dtype=object)[band]
                out[col] = np.where(np.isnan(values), MISSING, bands)
                continue
            if reset and numeric and series.nunique() > 20:
                raise ValueError(
                    f"AttributeSegmenter: numeric column {col!r} has "
                    f"{series.nunique()} distinct values; give bins= (edges or a "
                    "number of quantile bands) to cut it into bands."
                )
            values = series.astype(object)
            out[col] = values.where(values.notna(), MISSING).map(str).to_numpy()
        return out

    def _order_key(self, names):
        """Sort key of a level tuple: bands in numeric order, others as text."""

        def key(levels):
            parts = []
            for col, level in zip(names, levels, strict=True):
                if col in self.bin_edges_:
                    bands = _band_names(self.bin_edges_[col])
                    parts.append((bands.index(level) if level in bands else 1e9, ""))
                else:
                    parts.append((0, level))
            return tuple(parts)

        return key

    def _fit_segments(self, table):
        frame, names = self._read(table)
        self.columns_ = names
        self.bin_edges_ = {}
        levels = self._levels(frame, names, reset=True)
        combos = list(zip(*(levels[c] for c in names), strict=True))
        counts = pd.Series(combos).value_counts()
        kept = sorted(
            (c for c, n in counts.items() if n / len(frame) >= self.min_share),
            key=self._order_key(names),
        )
        pooled = len(kept) < len(counts)
        self.levels_ = kept + ([("Other",)] if pooled else [])
        self.other_label_ = len(self.levels_) - 1 if pooled else None
        labels = self._assign(combos)
        return Segments(
            labels,
            [", ".join(levels) for levels in self.levels_],
            profile={"features": profile_features(frame, names)},
        )

    def _assign(self, combos):
        other = -1 if self.other_label_ is None else self.other_label_
        index = {c: i for i, c in enumerate(self.levels_) if i != self.other_label_}
        labels = np.fromiter(
            (index.get(c, other) for c in combos), dtype=np.int64, count=len(combos)
        )
        unseen = labels < 0
        if unseen.any():
            examples = sorted({combos[i] for i in np.flatnonzero(unseen)})[:5]
            raise ValueError(
                f"AttributeSegmenter: {int(unseen.sum())} customer(s) have "
                f"attribute values not seen in fit, e.g. {examples}; set "
                "min_share > 0 at fit so they go to the 'Other' segment."
            )
        return labels

    def _predict_segments(self, table):
        frame, names = self._read(table)
        levels = self._levels(frame, names, reset=False)
        return self._assign(list(zip(*(levels[c] for c in names), strict=True)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags
