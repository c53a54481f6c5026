"""The segmenter contract shared by every segmentation in custseg.

Every segmentation, rule-based or learned, is an estimator on the customer
table.  :class:`SegmenterMixin` owns the public ``fit`` / ``predict`` /
``fit_predict`` (a template method): they read and check the customer table
once, through :func:`read_customer_table`, and call the segmenter's
``_fit_segments(table)`` / ``_predict_segments(table)``.  Every segmenter
therefore has the same fitted attributes (``labels_``, ``n_segments_``,
``segment_names_``, ``profiles_``, ``feature_names_in_``, ``n_features_in_``)
and the same input policy.  :func:`segment_profiles` describes the segments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import ClusterMixin
from sklearn.utils.validation import check_is_fitted

from custseg._sklearn_compat import fit_context, validate_params
from custseg._tables import (
    align_labels,
    as_pandas_table,
    category_modes,
    finite_floats,
    is_numeric_column,
    looks_like_id,
    read_customer_table,
    read_table_for,
    reset_fitted_attributes,
)
from custseg._warnings import warn

__all__ = ["Segments", "SegmenterMixin", "profile_features", "segment_profiles"]


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
        if extra in table and extra not in columns and is_numeric_column(table[extra]):
            columns.append(extra)
    return columns


def _float_columns(table, columns):
    # an infinite amount would make every revenue share 0 or NaN
    floats, infinite = finite_floats(table, columns, "segment_profiles: ")
    if infinite:
        counts = ", ".join(f"{c!r}: {n}" for c, n in infinite.items())
        warn(
            f"segment_profiles: infinite values ({counts}) are left out of the "
            "medians and totals, like missing values."
        )
    return floats


@validate_params(
    {
        "X": "no_validation",  # read by the customer-table reader
        "labels": "no_validation",  # aligned and checked by align_labels
        "segment_names": ["array-like", None],
        "features": ["array-like", None],
        "monetary_col": [str],
        "frequency_col": [str],
        "value": "no_validation",  # a fitted model or a table, checked inside
    },
    prefer_skip_nested_validation=True,
)
def segment_profiles(
    X: object,
    labels: np.typing.ArrayLike,
    segment_names: np.ndarray | pd.Index | list[str] | tuple[str, ...] | None = None,
    *,
    features: pd.Index | list[str] | tuple[str, ...] | None = None,
    monetary_col: str = "monetary",
    frequency_col: str = "frequency",
    value: object = None,
) -> pd.DataFrame:
    """Describe each segment of a customer table.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_customers, n_features)
        The customer table in original units (pandas, polars, a lazy frame
        or numpy).
    labels : array-like of int, shape (n_customers,)
        Segment label of each customer, integers ``>= 0``.  A pandas Series
        is aligned with ``X`` by index (customer id) when ``X`` is indexed by
        the same customers, else taken in row order like an array.
    segment_names : array-like of str, optional
        Name of each segment, indexed by label.  Defaults to ``"segment <k>"``.
        Segments that have a name but no customer get a row with 0 customers.
    features : sequence of str, optional
        Columns to describe: numeric ones by their median, categorical ones
        (text, category, boolean) by their most common level and its share.
        Default: every column except dates and those whose name looks like an
        identifier (``id``, ``*_id``, ``CustomerID``), so a customer id kept
        as a column (a polars table) is never profiled.  Segmenters pass the
        columns they used, see :func:`profile_features`.
    monetary_col, frequency_col : str
        Columns used for the revenue share, orders and average order value
        columns, when they are present (and numeric) in ``X``.
    value : fitted BetaGeoModel or DataFrame, optional
        Adds the expected future of each segment: a fitted
        :class:`~custseg.BetaGeoModel` is evaluated on ``X`` (which must then
        hold the BTYD columns); a DataFrame from its ``value_table`` must
        align with ``X`` (by customer id, else row for row).

    Returns
    -------
    pandas.DataFrame
        Indexed by label (``segment``): one row per named segment and per
        label present, with columns ``name``, ``customers``, ``share`` (of
        customers), the median of each numeric feature in original units,
        ``<feature>`` (most common level) and ``<feature>_share`` for each
        categorical feature, and, when the columns exist, ``revenue_share`` (share of the total of
        ``monetary_col``), ``orders`` (sum of ``frequency_col``) and
        ``avg_order_value`` (revenue / orders).
        With ``value``: ``expected_purchases`` and ``expected_value`` (sums
        over the segment's customers) with their ``*_median`` per customer,
        ``expected_value_share``, ``repeat_buyers`` and, over those repeat
        buyers only (the BG/NBD keeps one-time buyers alive by construction;
        NaN without any), ``expected_alive`` (sum of the probabilities alive)
        and ``probability_alive_median``.

    Raises
    ------
    ValueError
        Labels missing, negative or not whole numbers, a labels Series
        indexed by other customers, more labels than names; an empty ``X``,
        or one whose customer-id column repeats ids (a transaction log).
    TypeError
        Labels that are text.

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
    table = read_table_for(X, "segment_profiles")
    labels = align_labels(labels, table, what="labels")
    present, counts = np.unique(labels, return_counts=True)
    if segment_names is not None:
        names = [str(name) for name in segment_names]
        if present.size and present[-1] >= len(names):
            raise ValueError(
                f"labels has the label {int(present[-1])} but segment_names has "
                f"only {len(names)} name(s) (labels 0..{len(names) - 1})."
            )
        index = pd.RangeIndex(len(names), name="segment")
    else:
        index = pd.Index(present, name="segment")
        names = [f"segment {k}" for k in present]
    counts = pd.Series(counts, index=present).reindex(index, fill_value=0)
    total = int(counts.sum())
    out = pd.DataFrame(
        {
            "name": names,
            "customers": counts.to_numpy(dtype=np.int64),
            "share": counts.to_numpy() / total if total else np.zeros(len(index)),
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
        if not is_numeric_column(table[f]) or pd.api.types.is_bool_dtype(table[f])
    ]
    features = [f for f in features if f not in text]
    numeric = [
        c for c in (monetary_col, frequency_col)
        if c in table.columns and is_numeric_column(table[c])
    ]  # fmt: skip
    floats = _float_columns(table, [*features, *numeric])
    if features:
        medians = pd.DataFrame({f: floats[f] for f in features}).groupby(labels)
        out = out.join(medians.median().reindex(index))
    if text:
        modes = category_modes(table, text, labels, list(index))
        out = out.join(modes.set_axis(index))
    if monetary_col in numeric:
        money = floats[monetary_col]
        # shares of the total without overflow: scale by the largest amount
        scale = float(money.abs().max()) if len(money) else 0.0
        if not (np.isfinite(scale) and scale > 0):
            scale = 1.0
        scaled = money / scale
        # NaN for a segment with no known amount (not 0)
        revenue = scaled.groupby(labels).sum(min_count=1).reindex(index)
        grand_total = float(scaled.sum())
        out["revenue_share"] = (
            (revenue / grand_total).fillna(0.0) if grand_total else np.nan
        )
        if frequency_col in numeric:
            with np.errstate(over="ignore"):  # a total beyond float64 is inf
                orders = (
                    floats[frequency_col].groupby(labels).sum().reindex(index).fillna(0)
                )
            whole = np.isfinite(orders).all() and np.allclose(orders, orders.round())
            out["orders"] = orders.astype(np.int64) if whole else orders
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                per_order = revenue / orders.replace(0, np.nan)
                out["avg_order_value"] = per_order * scale
    if value is not None:
        out = out.join(_value_by_segment(value, X, table, labels, index))
    return out


def _value_by_segment(value, X, table, labels, index):
    """Sum and median per segment of a value model's per-customer forecast."""
    # duck-typed so this shared module never imports the value models
    per_customer = value.value_table(X) if hasattr(value, "value_table") else value
    per_customer = as_pandas_table(per_customer)
    if isinstance(X, pd.DataFrame) and not per_customer.index.equals(table.index):
        missing = int((~table.index.isin(per_customer.index)).sum())
        if missing or not table.index.is_unique:
            raise ValueError(
                f"value has no row for {missing} customers of X (matched by index)."
            )
        per_customer = per_customer.loc[table.index]
    if len(per_customer) != len(table):
        raise ValueError(f"value has {len(per_customer)} rows but X has {len(table)}.")
    per_customer = per_customer.reset_index(drop=True)
    groups = per_customer.groupby(labels)
    out = pd.DataFrame(index=index)
    for column in ("expected_purchases", "expected_value"):
        if column in per_customer:
            out[column] = groups[column].sum().reindex(index).fillna(0.0)
            out[f"{column}_median"] = groups[column].median().reindex(index)
    if "expected_value" in out:  # NaN when the total is 0
        out["expected_value_share"] = out.expected_value / out.expected_value.sum()
    if "probability_alive" in per_customer:
        if "repeat_buyer" not in per_customer:
            raise ValueError("value lacks the repeat_buyer column of value_table.")
        repeat = per_customer["repeat_buyer"].astype(bool)
        out["repeat_buyers"] = repeat.groupby(labels).sum().reindex(index, fill_value=0)
        alive = per_customer["probability_alive"].where(repeat).groupby(labels)
        out["expected_alive"] = alive.sum(min_count=1).reindex(index)
        out["probability_alive_median"] = alive.median().reindex(index)
    return out


@dataclass
class Segments:
    """What ``_fit_segments`` returns; :class:`SegmenterMixin` builds the rest.

    Attributes
    ----------
    labels : array-like of int
        Segment of each fitted customer.
    names : sequence of str
        Name of each segment, indexed by label (sets ``n_segments_``).
    descriptions : sequence of str, optional
        One line per segment, the ``description`` column of ``profiles_``.
    profile : dict
        Keyword arguments of :func:`segment_profiles` (``features=``, ...).
    extra : dict
        Columns appended at the end of ``profiles_``.
    """

    labels: np.ndarray
    names: list
    descriptions: list | None = None
    profile: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def _fit_segmenter(estimator, X, y=None):
    reset_fitted_attributes(estimator)
    table = read_customer_table(estimator, X, reset=True)
    result = estimator._fit_segments(table)
    if not isinstance(result, Segments):
        result = Segments(*result)
    estimator._set_segments(
        table.frame,
        result.labels,
        result.names,
        descriptions=result.descriptions,
        extra=result.extra,
        **result.profile,
    )
    return estimator


class SegmenterMixin(ClusterMixin):
    """Mixin for segmenters: public ``fit`` / ``predict`` over two hooks.

    ``fit(X)`` validates the parameters, deletes every fitted attribute,
    reads ``X`` once (:func:`read_customer_table`) and calls
    ``_fit_segments(table)``, which returns ``(labels, segment_names)`` or a
    ``Segments`` (with descriptions and profile settings); it then sets
    ``labels_``, ``n_segments_``, ``segment_names_``, ``profiles_`` (columns
    ``name``, ``description``, ``customers``, ``share``, the medians, then the
    revenue columns), ``feature_names_in_`` (tables) and ``n_features_in_``.
    ``predict(X)`` checks that the segmenter is fitted, reads ``X`` the same
    way and returns ``_predict_segments(table)`` as an int64 array.

    Subclasses implement ``_input_columns(frame, named=...)`` (the names of the columns
    they read, default all), ``_fit_segments(table)`` and
    ``_predict_segments(table)``; ``_array_columns(n_features)`` may name the
    columns of an array input (default ``x0, x1, ...``).  The ``table`` a
    hook receives has ``values`` (the columns read, as checked floats),
    ``columns`` (their names), ``frame`` (the whole table in original units,
    a pandas DataFrame) and ``named`` (False for an array).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from custseg import SegmenterMixin
    >>> class SignSegmenter(SegmenterMixin, BaseEstimator):
    ...     def _fit_segments(self, table):
    ...         return self._predict_segments(table), ["negative", "positive"]
    ...     def _predict_segments(self, table):
    ...         return (table.values[:, 0] > 0).astype(int)
    >>> seg = SignSegmenter().fit(np.array([[-1.0], [2.0], [3.0]]))
    >>> seg.segment_names_[seg.labels_].tolist()
    ['negative', 'positive', 'positive']
    >>> seg.profiles_
                 name description  customers     share   x0
    segment
    0        negative                      1  0.333333 -1.0
    1        positive                      2  0.666667  2.5
    """

    _parameter_constraints: dict = {}
    #: ``fit`` validates nested estimators' parameters when False
    _skip_nested_validation = True

    def _input_columns(self, frame, *, named):
        return list(frame.columns)

    def _array_columns(self, n_features):
        return None

    def fit(self, X: object, y: object = None) -> SegmenterMixin:
        """Read the customer table once, learn the segments and describe them.

        Parameters
        ----------
        X : DataFrame, lazy frame or array-like of shape (n_customers, n_features)
            The customer table (pandas indexed by customer id, polars, a lazy
            frame such as :func:`custseg.rfm_table` returns, or numpy).
        y : None
            Ignored.

        Returns
        -------
        self
        """
        fit = fit_context(prefer_skip_nested_validation=self._skip_nested_validation)
        return fit(_fit_segmenter)(self, X, y)

    def predict(self, X: object) -> np.ndarray:
        """Segment of each customer in ``X``, with what ``fit`` learned.

        Parameters
        ----------
        X : DataFrame, lazy frame or array-like of shape (n_customers, n_features)
            Read like in :meth:`fit`: the same columns by name, or an array
            of the same width by position.

        Returns
        -------
        ndarray of int64 of shape (n_customers,)
        """
        check_is_fitted(self)
        table = read_customer_table(self, X, reset=False)
        return np.asarray(self._predict_segments(table), dtype=np.int64)

    def fit_predict(self, X: object, y: object = None, **kwargs: object) -> np.ndarray:
        """Fit, then return ``labels_``.

        Parameters
        ----------
        X : DataFrame, lazy frame or array-like of shape (n_customers, n_features)
        y : None
            Ignored.
        **kwargs : dict
            Passed to :meth:`fit`.

        Returns
        -------
        ndarray of int64 of shape (n_customers,)
        """
        return self.fit(X, **kwargs).labels_

    def _set_segments(
        self, X, labels, segment_names, *, descriptions=None, extra=None, **profile
    ):
        """Set the fitted attributes (also for a subclass with its own ``fit``)."""
        self.labels_ = np.asarray(labels, dtype=np.int64)
        self.segment_names_ = np.asarray([str(n) for n in segment_names], dtype=object)
        self.n_segments_ = int(self.segment_names_.size)
        profiles = segment_profiles(X, self.labels_, self.segment_names_, **profile)
        descriptions = [""] * self.n_segments_ if descriptions is None else descriptions
        # a named segment no customer fell in keeps its row, saying so first
        empty = np.where(profiles["customers"] == 0, "No customer when fitted. ", "")
        descriptions = [e + str(d) for e, d in zip(empty, descriptions, strict=True)]
        profiles.insert(1, "description", [d.strip() for d in descriptions])
        for name, column in (extra or {}).items():
            profiles[name] = column
        self.profiles_ = profiles
        return self
