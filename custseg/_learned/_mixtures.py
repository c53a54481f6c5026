"""Gaussian mixtures on customer data: a covariance floor, and degeneracy.

Order counts are integers: most customers of a shop bought exactly once.  A
Gaussian mixture can then put a component of near-zero variance on the
customers with exactly one, two, three orders and reach a very high
likelihood (BIC falling without end) while describing no group of customers.
The floor on the covariances, ``reg_covar``, is raised to the variance that
rounding to the column's resolution adds on the preprocessed scale, so that
a component on a single value is no better than the data's own resolution;
a mixture that still degenerates is reported.
"""

from __future__ import annotations

import numpy as np

from custseg._learned._preprocessing import discreteness_variance
from custseg._warnings import warn

__all__ = ["apply_covariance_floor", "degeneracy", "warn_if_degenerate"]


def apply_covariance_floor(estimator, X, scaler):
    """Raise ``estimator.reg_covar`` to the features' rounding variance.

    Parameters
    ----------
    estimator : unfitted clusterer
        Changed in place when it has a ``reg_covar`` parameter below the floor.
    X : ndarray of shape (n_samples, n_features)
        The features in original units.
    scaler : fitted LogRobustScaler

    Returns
    -------
    float or None
        The floor (None when the estimator has no ``reg_covar``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.mixture import GaussianMixture
    >>> from custseg import LogRobustScaler
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> gmm = GaussianMixture()
    >>> round(apply_covariance_floor(gmm, X, LogRobustScaler(log=False).fit(X)), 4)
    0.0208
    >>> round(gmm.reg_covar, 4)
    0.0208
    """
    params = estimator.get_params(deep=False)
    if "reg_covar" not in params:
        return None
    floor = float(discreteness_variance(X, scaler).max(initial=0.0))
    if floor > params["reg_covar"]:
        estimator.set_params(reg_covar=floor)
    return floor


def degeneracy(model, labels, k, n_features):
    """Why a fitted solution is degenerate, in words ("" when it is not).

    Degenerate: a segment has too few customers to estimate its own spread
    (fewer than ``n_features + 1``, empty included), or two or more mixture
    components have collapsed onto single values of the same feature (their
    variance along it is the covariance floor ``reg_covar``): the mixture
    then models the discrete values of a count, not groups of customers.

    Examples
    --------
    >>> import numpy as np
    >>> degeneracy(None, np.array([0, 0, 0, 1]), 3, 1)
    '2 of 3 segments have fewer than 2 customers'
    """
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=k)[:k]
    tiny = int((counts < n_features + 1).sum())
    if tiny:
        return f"{tiny} of {k} segments have fewer than {n_features + 1} customers"
    covariances = getattr(model, "covariances_", None)
    kind = getattr(model, "covariance_type", None)
    if covariances is None or kind == "tied":
        return ""
    if kind == "full":
        variances = np.diagonal(covariances, axis1=1, axis2=2)
    elif kind == "spherical":
        variances = np.repeat(np.asarray(covariances)[:, None], n_features, axis=1)
    else:
        variances = np.asarray(covariances)
    collapsed = (variances <= 1.1 * model.reg_covar).sum(axis=0)
    if collapsed.max(initial=0) >= 2:
        j = int(np.argmax(collapsed))
        return f"{int(collapsed[j])} components sit on single values of feature {j}"
    return ""


def warn_if_degenerate(model, Z, k, table=None):
    """Warn when the fitted solution is degenerate (see :func:`degeneracy`)."""
    labels = np.asarray(model.predict(Z), dtype=np.int64)
    k = int(labels.max(initial=0)) + 1 if k is None else int(k)
    reason = degeneracy(model, labels, k, Z.shape[1])
    if reason:
        where = " (column 'degenerate' of k_selection_)" if table is not None else ""
        warn(
            f"CustomerSegmenter: the {type(model).__name__} solution with k={k} "
            f"is degenerate: {reason}{where}. Use fewer segments, or "
            "features on a finer scale."
        )
    return reason
