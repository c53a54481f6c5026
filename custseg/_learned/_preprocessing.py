"""Preprocessing suited to skewed money data: log, then robust scaling.

Customer features such as spend and order counts are non-negative and
right-skewed: a few customers spend a hundred times the median.  Distance-based
clusterers then spend all their clusters on the tail.  :class:`LogRobustScaler`
takes ``log1p`` of the skewed non-negative columns and scales every column by
its median and interquartile range, so that no feature dominates by its units.

:func:`select_features` picks the feature columns of a customer table by
name and checks them, so that customer ids never become a feature.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from custseg._sklearn_compat import Interval, StrOptions, fit_context
from custseg._tables import check_numeric_columns, looks_like_id

__all__ = ["LogRobustScaler", "select_features", "skewness"]

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
    computes by default.

    Examples
    --------
    >>> skewness([1.0, 1.0, 1.0])
    0.0
    >>> round(skewness([0.0, 0.0, 0.0, 4.0]), 4)
    1.1547
    """
    column = np.asarray(column, dtype=np.float64)
    centred = column - column.mean()
    spread = np.sqrt(np.mean(centred**2))
    if not np.isfinite(spread) or spread == 0:
        return 0.0
    return float(np.mean(centred**3) / spread**3)


class LogRobustScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Log-transform skewed non-negative features, then scale robustly.

    Column by column: ``log1p`` is applied where ``log`` selects the column,
    then the column is centred on its median and divided by its interquartile
    range (by its standard deviation if the IQR is 0, and by 1 if both are 0).

    Parameters
    ----------
    log : {"auto"} or bool, default="auto"
        Which columns get ``log1p``.  ``"auto"``: the columns whose values are
        all non-negative and whose skewness exceeds ``skew_threshold``.
        ``True``: every column that is non-negative.  ``False``: none.
        At transform time, a negative value in a logged column (unseen in
        fit) is clipped to 0 before the log.
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

    def __init__(self, log="auto", *, scale=True, skew_threshold=0.5):
        self.log = log
        self.scale = scale
        self.skew_threshold = skew_threshold

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
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
        X = validate_data(self, X, dtype=np.float64)
        non_negative = (X >= 0).all(axis=0)
        if self.log == "auto":
            skewed = np.array([skewness(X[:, j]) for j in range(X.shape[1])])
            self.log_mask_ = non_negative & (skewed > self.skew_threshold)
        else:
            self.log_mask_ = non_negative & bool(self.log)
        Z = self._log(X)
        n_features = X.shape[1]
        if self.scale:
            q1, median, q3 = np.percentile(Z, [25, 50, 75], axis=0)
            scale = q3 - q1
            std = Z.std(axis=0)
            scale = np.where(scale > 0, scale, np.where(std > 0, std, 1.0))
            self.center_, self.scale_ = median, scale
        else:
            self.center_, self.scale_ = np.zeros(n_features), np.ones(n_features)
        return self

    def _log(self, X):
        Z = np.array(X, dtype=np.float64, copy=True)
        if self.log_mask_.any():
            # clip: a value below 0 unseen in fit must not produce NaN
            Z[:, self.log_mask_] = np.log1p(np.maximum(Z[:, self.log_mask_], 0.0))
        return Z

    def transform(self, X):
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
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return (self._log(X) - self.center_) / self.scale_

    def inverse_transform(self, X):
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
        Z[:, self.log_mask_] = np.expm1(Z[:, self.log_mask_])
        return Z
