"""Preprocessing suited to skewed money data: log, then robust scaling.

Customer features such as spend and order counts are mostly non-negative and
right-skewed: a few customers spend a hundred times the median.  Distance-based
clusterers then spend all their clusters on the tail.  :class:`LogRobustScaler`
takes a signed ``log1p`` of the right-skewed columns (net spend after returns
may be negative for a few customers) and scales every column by its median and
interquartile range, so that no feature dominates by its units.

:func:`discreteness_variance` measures how coarse each column is (order counts
are integers) on the transformed scale, so that a Gaussian mixture can be kept
from collapsing onto single values.

:func:`select_features` picks the feature columns of a customer table by
name and checks them, so that customer ids never become a feature.
"""

from __future__ import annotations

from numbers import Real
from typing import Any, Literal, Self

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from custseg._sklearn_compat import Interval, StrOptions, fit_context
from custseg._tables import (
    ArrayLike,
    TableLike,
    as_pandas_table,
    check_numeric_columns,
    looks_like_id,
)
from custseg._warnings import warn

__all__ = [
    "LogRobustScaler",
    "discreteness_variance",
    "select_features",
    "signed_log1p",
    "skewness",
]

RFM = ("recency", "frequency", "monetary")


def select_features(table, features=None):
    """Names of the feature columns of a customer table, checked.

    Parameters
    ----------
    table : pandas.DataFrame
        The customer table; its index (customer ids) is never a feature.
    features : sequence of str, optional
        Columns to use.  Default: ``recency``, ``frequency`` and ``monetary``
        when all are present, else every numeric column whose name does not
        look like an identifier (``id``, ``*_id``, ``CustomerID``, ``user_id``).

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        A named column is missing, has missing or infinite values, or no
        column is left.
    TypeError
        A named column is not numeric.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"customer_id": [1, 2], "age": [30, 40],
    ...                       "income": [1.0, 2.0], "city": ["a", "b"]})
    >>> select_features(table)
    ['age', 'income']
    """
    if features is None:
        if all(f in table for f in RFM):
            features = list(RFM)
        else:
            features = [
                c
                for c in table.columns
                if pd.api.types.is_numeric_dtype(table[c]) and not looks_like_id(c)
            ]
        if not features:
            raise ValueError("X has no numeric column to use as a feature.")
    features = [str(f) for f in features]
    check_numeric_columns(table, features)
    return features


def skewness(column):
    """Fisher's moment coefficient of skewness (0 for a constant column).

    The biased estimator ``m3 / m2 ** 1.5``, as :func:`scipy.stats.skew`
    computes by default.  Skewness does not depend on the unit, so the column
    is first divided by its largest absolute value: values near the float64
    limit (spend totals up to 1e308) neither overflow nor change the result.

    Examples
    --------
    >>> skewness([1.0, 1.0, 1.0])
    0.0
    >>> round(skewness([0.0, 0.0, 0.0, 4.0]), 4)
    1.1547
    >>> round(skewness([0.0, 0.0, 0.0, 4e307]), 4)
    1.1547
    """
    column = np.asarray(column, dtype=np.float64)
    if column.size == 0:
        return 0.0
    largest = np.max(np.abs(column))
    if not np.isfinite(largest) or largest == 0:
        return 0.0
    column = column / largest
    centred = column - column.mean()
    spread = np.sqrt(np.mean(centred**2))
    if not np.isfinite(spread) or spread <= 1e-12:
        return 0.0
    return float(np.mean((centred / spread) ** 3))


def signed_log1p(values):
    """``sign(x) * log1p(|x|)``: the log of a skewed column that may dip below 0.

    Equal to ``log1p`` on non-negative values, odd and monotone everywhere,
    so a few negative values (net spend after returns) keep their order.

    Examples
    --------
    >>> signed_log1p([-9.0, 0.0, 9.0]).round(4)
    array([-2.3026,  0.    ,  2.3026])
    """
    values = np.asarray(values, dtype=np.float64)
    return np.sign(values) * np.log1p(np.abs(values))


def discreteness_variance(X, scaler):
    """Variance that each column's resolution adds, on the transformed scale.

    A column recorded in steps of ``h`` (order counts: ``h = 1``) carries a
    rounding error of variance ``h**2 / 12``.  Through the log and the
    scaling of ``scaler`` this becomes ``h**2 / 12 * f'(x)**2`` for a customer
    at ``x``; the mean over customers is returned per column.  A Gaussian
    mixture whose covariance floor (``reg_covar``) is below this value can fit
    a component of near-zero variance on one repeated value (all customers
    with exactly one order) instead of a segment.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The features in original units.
    scaler : fitted LogRobustScaler

    Returns
    -------
    ndarray of shape (n_features,)
        ``h`` is the smallest gap between distinct values of a column
        (0 for a constant column).

    Examples
    --------
    >>> import numpy as np
    >>> from custseg import LogRobustScaler
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> discreteness_variance(X, LogRobustScaler(log=False).fit(X)).round(4)
    array([0.0208])
    """
    X = np.asarray(X, dtype=np.float64)
    out = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        distinct = np.unique(X[:, j])
        gaps = np.diff(distinct)
        gaps = gaps[np.isfinite(gaps) & (gaps > 0)]
        if not gaps.size:
            continue
        # the step in transformed units, h * f'(x), one per customer
        step = np.full(X.shape[0], gaps.min() / scaler.scale_[j])
        if scaler.log_mask_[j]:
            step /= 1.0 + np.abs(X[:, j])
        out[j] = float(np.mean(step**2)) / 12.0
    return out


def _spread(centred):
    """Root mean square of each column, scaled first so that 1e308 does not overflow."""
    largest = np.max(np.abs(centred), axis=0, initial=0.0)
    safe = np.where(largest > 0, largest, 1.0)
    return largest * np.sqrt(np.mean((centred / safe) ** 2, axis=0))


class LogRobustScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Log-transform right-skewed features, then scale robustly.

    Column by column: the signed log ``sign(x) * log1p(|x|)`` (``log1p`` on
    non-negative values) is applied where ``log`` selects the column, then the
    column is centred on its median and divided by its interquartile range (by
    its standard deviation if the IQR is 0, and by 1 if both are 0).

    Parameters
    ----------
    log : {"auto"} or bool, default="auto"
        Which columns get the log.  ``"auto"``: the columns whose skewness
        exceeds ``skew_threshold`` (right-skewed), even when a few values are
        negative (net spend after returns): the signed log keeps their order,
        and a warning counts the customers with a negative value.
        ``True``: every column that is non-negative.  ``False``: none.
        A negative value in a logged column at transform time (unseen in fit)
        goes through the same signed log.
    scale : bool, default=True
        Whether to centre on the median and divide by the IQR.
    skew_threshold : float, default=0.5
        Skewness above which ``log="auto"`` takes the log.  0.5 is the usual
        rule of thumb for a "moderately skewed" distribution (Bulmer, 1979).

    Attributes
    ----------
    log_mask_ : ndarray of bool, shape (n_features,)
        Columns that get ``log1p``.
    center_ : ndarray of shape (n_features,)
        Median of each column after the log (0 when ``scale=False``).
    scale_ : ndarray of shape (n_features,)
        Divisor of each column (1 when ``scale=False``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of str
        Names of features seen during fit, when ``X`` had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from custseg import LogRobustScaler
    >>> X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 10_000.0]])
    >>> scaler = LogRobustScaler().fit(X)
    >>> scaler.log_mask_
    array([False,  True])
    >>> scaler.transform(X).round(2)
    array([[-1.  , -0.42],
           [-0.33, -0.1 ],
           [ 0.33,  0.1 ],
           [ 1.  ,  2.99]])
    """

    _parameter_constraints = {
        "log": [StrOptions({"auto"}), "boolean"],
        "scale": ["boolean"],
        "skew_threshold": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        log: Literal["auto"] | bool = "auto",
        *,
        scale: bool = True,
        skew_threshold: float = 0.5,
    ) -> None:
        self.log = log
        self.scale = scale
        self.skew_threshold = skew_threshold

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: TableLike, y: Any = None) -> Self:
        """Learn which columns to log and the median and IQR of each.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features.
        y : None
            Ignored.

        Returns
        -------
        self : LogRobustScaler
        """
        _check_table_columns(X)
        X = validate_data(self, X, dtype=np.float64)
        negative = (X < 0).sum(axis=0)
        if self.log == "auto":
            skewed = np.array([skewness(X[:, j]) for j in range(X.shape[1])])
            self.log_mask_ = skewed > self.skew_threshold
            self._warn_negative(negative, X.shape[0])
        else:
            self.log_mask_ = (negative == 0) & bool(self.log)
        Z = self._log(X)
        n_features = X.shape[1]
        if self.scale:
            q1, median, q3 = np.percentile(Z, [25, 50, 75], axis=0)
            scale = q3 - q1
            std = _spread(Z - median)
            scale = np.where(scale > 0, scale, np.where(std > 0, std, 1.0))
            self.center_, self.scale_ = median, scale
        else:
            self.center_, self.scale_ = np.zeros(n_features), np.ones(n_features)
        return self

    def _warn_negative(self, negative, n_rows):
        # CustomerSegmenter fits on an array but knows the column names
        names = getattr(self, "feature_names_in_", self.__dict__.get("_names"))
        for j in np.flatnonzero(self.log_mask_ & (negative > 0)):
            name = names[j] if names is not None else f"x{j}"
            warn(
                f"LogRobustScaler: column {str(name)!r} is right-skewed and has "
                f"{negative[j]:,} negative value(s) of {n_rows:,}; it gets the "
                "signed log sign(x) * log1p(|x|), which keeps their order."
            )

    def _log(self, X):
        Z = np.array(X, dtype=np.float64, copy=True)
        if self.log_mask_.any():
            Z[:, self.log_mask_] = signed_log1p(Z[:, self.log_mask_])
        return Z

    def transform(self, X: TableLike) -> np.ndarray:
        """Apply the log and the scaling learned in :meth:`fit`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric features, in the same columns as in fit.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        _check_table_columns(X)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return (self._log(X) - self.center_) / self.scale_

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Map scaled values back to original units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Values in the scaled space.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        Z = np.asarray(X, dtype=np.float64) * self.scale_ + self.center_
        logged = Z[:, self.log_mask_]
        Z[:, self.log_mask_] = np.sign(logged) * np.expm1(np.abs(logged))
        return Z


def _check_table_columns(X):
    """Read a table's columns with the customer-table reader's numeric policy.

    A polars customer table keeps its id as a column; scaling it as a number
    would be silently wrong, and numpy's own error names no column.  Arrays
    are left to scikit-learn's ``validate_data``.
    """
    if isinstance(X, np.ndarray) or not hasattr(X, "columns"):
        return
    table = as_pandas_table(X)
    try:
        check_numeric_columns(table, table.columns, owner="LogRobustScaler")
    except TypeError as exc:
        raise TypeError(
            f"{exc} LogRobustScaler scales numeric columns only: select the "
            "feature columns first (a customer id belongs in the index)."
        ) from exc
