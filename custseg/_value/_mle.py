"""Maximum likelihood on log-parameters, with standard errors from the Hessian.

Both value models have a closed-form log-likelihood and its gradient in the
natural (positive) parameters.  Customers with identical summaries contribute
identical terms, so the likelihood is evaluated once per distinct row and
weighted by its count: on large tables this is what makes fitting fast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from custseg._warnings import warn

__all__ = ["compress_rows", "fit_positive_params", "standard_errors"]


def compress_rows(*columns):
    """Distinct rows of the given columns and how often each occurs.

    Examples
    --------
    >>> import numpy as np
    >>> rows, counts = compress_rows(np.array([1.0, 1.0, 2.0]), np.array([3.0, 3.0, 4.0]))
    >>> rows[0].tolist(), counts.tolist()
    ([1.0, 2.0], [2, 1])
    """
    # hash-based grouping: np.unique(axis=0) sorts rows and is ~10x slower
    frame = pd.DataFrame({str(j): np.asarray(c) for j, c in enumerate(columns)})
    counts = frame.groupby(list(frame.columns), sort=True).size()
    unique = counts.index.to_frame(index=False)
    return [
        unique[c].to_numpy(dtype=np.float64) for c in unique.columns
    ], counts.to_numpy()


def fit_positive_params(loglik, x0, weights, *, tol, max_iter, what):
    """Maximise ``sum(weights * loglik(params))`` over positive parameters.

    Parameters
    ----------
    loglik : callable
        ``loglik(params) -> (values, gradients)``: per-row log-likelihood and
        its gradient with respect to the natural parameters, shape
        ``(n_params, n_rows)``.
    x0 : ndarray
        Starting values (positive).
    weights : ndarray
        Row counts.
    tol : float
        Gradient tolerance of L-BFGS-B on the mean log-likelihood.
    max_iter : int
    what : str
        Model name for the convergence warning.

    Returns
    -------
    params : ndarray
    total_loglik : float
    n_iter : int
    """
    n = float(weights.sum())
    # sums of products are done elementwise, not with ``@``: a multithreaded
    # BLAS spins on a busy machine and was the slowest part of each step

    def objective(theta):
        params = np.exp(theta)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            values, grads = loglik(params)
            value = -float(np.sum(weights * values)) / n
            # chain rule for the log-parameterisation
            grad = -np.sum(grads * weights, axis=1) * params / n
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return np.inf, np.zeros_like(theta)
        return value, grad

    # a 3- or 4-parameter problem gains nothing from BLAS threads, and their
    # spinning on a busy machine can double the fit time (as in KMeans)
    with threadpool_limits(limits=1, user_api="blas"):
        result = minimize(
            objective,
            np.log(x0),
            jac=True,
            method="L-BFGS-B",
            bounds=[(-20.0, 20.0)] * len(x0),
            options={"gtol": tol, "ftol": 0.0, "maxiter": max_iter},
        )
    if not result.success and result.nit >= max_iter:
        warn(
            f"{what} did not converge in {max_iter} iterations ({result.message}); "
            "increase max_iter or check the table.",
            ConvergenceWarning,
        )
    params = np.exp(result.x)
    return params, -float(result.fun) * n, int(result.nit)


def standard_errors(loglik, params, weights):
    """Standard errors from the observed information (negative Hessian).

    The Hessian of the total log-likelihood in the natural parameters is
    taken by central differences of the analytic gradient.

    Returns
    -------
    ndarray
        One standard error per parameter (NaN when the Hessian is singular).
    """
    k = len(params)
    hessian = np.empty((k, k))
    for j in range(k):
        step = 1e-5 * params[j]
        up, down = params.copy(), params.copy()
        up[j] += step
        down[j] -= step
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            g_up = np.sum(loglik(up)[1] * weights, axis=1)
            g_down = np.sum(loglik(down)[1] * weights, axis=1)
        hessian[:, j] = (g_up - g_down) / (2 * step)
    hessian = (hessian + hessian.T) / 2
    try:
        covariance = np.linalg.inv(-hessian)
    except np.linalg.LinAlgError:
        return np.full(k, np.nan)
    variances = np.diag(covariance)
    return np.sqrt(np.where(variances > 0, variances, np.nan))
