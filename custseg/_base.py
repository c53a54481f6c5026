"""The segmenter protocol shared by every segmentation in custseg.

Every segmentation, rule-based or learned, is an estimator on the customer
table with ``fit(X)``, integer ``labels_``, ``predict(X)``, readable
``segment_names_`` indexed by label, and ``profiles_``: one row per segment.
:func:`segment_profiles` computes that table, so every segmenter (and the
validation report) describes segments the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import ClusterMixin

from custseg._tables import as_pandas_table, category_modes, looks_like_id

__all__ = ["SegmenterMixin", "profile_features", "segment_profiles"]


def _is_number(series):
    """Numeric or boolean dtype, or an object column of numbers."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return True
    if pd.api.types.is_object_dtype(series):
        try:
            series.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            return False
        return True
    return False


def profile_features(X, used, *, monetary_col="monetary", frequency_col="frequency"):
    """The columns a segmenter profiles: those it used, then frequency and monetary.

    Parameters
    ----------
    X : DataFrame
        The customer table.
    used : sequence of str
        The columns the segmenter read (features, scores or a usage column).
    monetary_col, frequency_col : str
        Appended when ``X`` has them as numeric columns and they are not
        already in ``used``, so the profiles can show revenue and orders.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"customer_id": [7, 8], "recency": [1, 2],
    ...                   "monetary": [5.0, 9.0]})
    >>> profile_features(X, ["recency"])
    ['recency', 'monetary']
    """
    table = as_pandas_table(X)
    columns = [str(c) for c in used]
    for extra in (frequency_col, monetary_col):
        if extra in table and extra not in columns and _is_number(table[extra]):
            columns.append(extra)
    return columns


def segment_profiles(
    X,
    labels,
    segment_names=None,
    *,
    features=None,
    monetary_col="monetary",
    frequency_col="frequency",
):
    """Describe each segment of a customer table.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_customers, n_features)
        The customer table in original units (pandas, polars or numpy).
    labels : array-like of int, shape (n_customers,)
        Segment label of each customer, ``0 .. n_segments - 1``.
    segment_names : array-like of str, optional
        Name of each segment, indexed by label.  Defaults to ``"segment <k>"``.
        Segments that have a name but no customer get a row with 0 customers.
    features : sequence of str, optional
        Columns to describe: numeric ones by their median, categorical ones
        (text, category, boolean) by their most common level and its share.
        Default: every column whose name does not look like an identifier
        (``id``, ``*_id``, ``CustomerID``), so a customer id kept as a column
        (a polars table) is never profiled.  Segmenters pass the columns they
        used, see :func:`profile_features`.
    monetary_col, frequency_col : str
        Columns used for the revenue share, orders and average order value
        columns, when they are present in ``X``.

    Returns
    -------
    pandas.DataFrame
        Indexed by label (``segment``), with columns ``name``, ``customers``,
        ``share`` (of customers), the median of each numeric feature in
        original units, ``<feature>`` (most common level) and
        ``<feature>_share`` for each categorical feature, and, when the
        columns exist, ``revenue_share``
        (share of the total of ``monetary_col``), ``orders`` (sum of
        ``frequency_col``) and ``avg_order_value`` (revenue / orders).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"frequency": [1, 3, 5, 7], "monetary": [10.0, 30.0, 50.0, 110.0]})
    >>> segment_profiles(X, [0, 0, 1, 1], ["low", "high"])[
    ...     ["name", "customers", "share", "monetary", "revenue_share", "avg_order_value"]]
             name  customers  share  monetary  revenue_share  avg_order_value
    segment
    0         low          2    0.5      20.0           0.2             10.0
    1        high          2    0.5      80.0           0.8             13.333333
    """
    table = as_pandas_table(X)
    labels = np.asarray(labels)
    if labels.shape[0] != len(table):
        raise ValueError(
            f"labels has {labels.shape[0]} entries but X has {len(table)} rows."
        )
    n_segments = int(labels.max()) + 1 if labels.size else 0
    if segment_names is not None:
        n_segments = max(n_segments, len(segment_names))
        names = [str(name) for name in segment_names]
    else:
        names = [f"segment {k}" for k in range(n_segments)]
    index = pd.RangeIndex(n_segments, name="segment")
    counts = (
        np.bincount(labels.astype(np.int64), minlength=n_segments)
        if labels.size
        else np.zeros(n_segments, dtype=np.int64)
    )
    total = counts.sum()
    out = pd.DataFrame(
        {
            "name": names,
            "customers": counts.astype(np.int64),
            "share": counts / total if total else np.zeros(n_segments),
        },
        index=index,
    )
    if features is None:
        features = [
            c
            for c in table.columns
            if not looks_like_id(c)
            and not pd.api.types.is_datetime64_any_dtype(table[c])
        ]
    features = [str(f) for f in features]
    missing = [f for f in features if f not in table.columns]
    if missing:
        raise ValueError(
            f"features {missing} not found in X; its columns are {list(table.columns)}."
        )
    text = [
        f
        for f in features
        if not _is_number(table[f]) or pd.api.types.is_bool_dtype(table[f])
    ]
    features = [f for f in features if f not in text]
    wanted = list(dict.fromkeys([*features, monetary_col, frequency_col]))
    numeric = table[[c for c in wanted if c in table and _is_number(table[c])]]
    numeric = numeric.reset_index(drop=True)
    if features:
        medians = numeric[features].astype(float).groupby(labels).median()
        out = out.join(medians.reindex(index))
    if text:
        modes = category_modes(table, text, labels, n_segments).set_index(index)
        out = out.join(modes)
    if monetary_col in numeric:
        revenue = (
            numeric[monetary_col].astype(float).groupby(labels).sum().reindex(index)
        )
        grand_total = float(numeric[monetary_col].sum())
        out["revenue_share"] = (
            (revenue / grand_total).fillna(0.0) if grand_total else np.nan
        )
        if frequency_col in numeric:
            orders = (
                numeric[frequency_col]
                .astype(float)
                .groupby(labels)
                .sum()
                .reindex(index)
                .fillna(0)
            )
            out["orders"] = (
                orders.astype(np.int64)
                if np.allclose(orders, orders.round())
                else orders
            )
            with np.errstate(divide="ignore", invalid="ignore"):
                out["avg_order_value"] = revenue.fillna(0.0) / orders.replace(0, np.nan)
    return out


class SegmenterMixin(ClusterMixin):
    """Mixin for segmenters: the shared fitted attributes and ``fit_predict``.

    Subclasses call :meth:`_set_segments` at the end of ``fit`` with the
    customer table in original units, the integer labels and the segment
    names.  It sets ``labels_``, ``segment_names_`` and ``profiles_``;
    ``profile_kwargs`` (``features=``, ``monetary_col=``, ...) go to
    :func:`segment_profiles`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from custseg import SegmenterMixin
    >>> class SignSegmenter(SegmenterMixin, BaseEstimator):
    ...     def fit(self, X, y=None):
    ...         labels = self.predict(X)
    ...         return self._set_segments(X, labels, ["negative", "positive"])
    ...     def predict(self, X):
    ...         return (np.asarray(X)[:, 0] > 0).astype(int)
    >>> seg = SignSegmenter().fit(np.array([[-1.0], [2.0], [3.0]]))
    >>> seg.segment_names_[seg.labels_].tolist()
    ['negative', 'positive', 'positive']
    >>> seg.profiles_
                 name  customers     share   x0
    segment
    0        negative          1  0.333333 -1.0
    1        positive          2  0.666667  2.5
    """

    def _set_segments(self, X, labels, segment_names, **profile_kwargs):
        self.labels_ = np.asarray(labels, dtype=np.int64)
        self.segment_names_ = np.asarray([str(n) for n in segment_names], dtype=object)
        self.profiles_ = segment_profiles(
            X, self.labels_, self.segment_names_, **profile_kwargs
        )
        return self
