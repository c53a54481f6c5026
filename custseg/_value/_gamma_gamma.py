"""GammaGammaModel: average spend per purchase (Fader, Hardie and Lee 2005)."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any, Self

import numpy as np
from scipy.special import gammaln, psi
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from custseg._sklearn_compat import Interval, fit_context
from custseg._tables import TableLike
from custseg._value._btyd_input import read_btyd_table
from custseg._value._mle import compress_rows, fit_positive_params, standard_errors
from custseg._warnings import warn

__all__ = ["GammaGammaModel", "gamma_gamma_loglik"]


def gamma_gamma_loglik(params, x, m, levels=None):
    """Per-customer Gamma-Gamma log-likelihood of the mean spend ``m`` of ``x`` purchases.

    ``levels`` (``np.unique(x, return_inverse=True)``) lets the special
    functions, which depend on ``x`` only, run once per distinct frequency.

    Returns
    -------
    values : ndarray of shape (n,)
    gradients : ndarray of shape (3, n), with respect to (p, q, v)
    """
    p, q, v = params
    xs, inverse = np.unique(x, return_inverse=True) if levels is None else levels
    pxs = p * xs
    by_x = (
        gammaln(pxs + q) - gammaln(pxs) + pxs * np.log(xs),
        psi(pxs + q),
        psi(pxs),
    )
    base, psi_pxq, psi_px = (term[inverse] for term in by_x)
    px = p * x
    log_m = np.log(m)
    log_xm_v = np.log(x * m + v)
    values = (
        base - gammaln(q) + q * np.log(v) + (px - 1.0) * log_m - (px + q) * log_xm_v
    )
    d_p = x * (psi_pxq - psi_px + log_m + np.log(x) - log_xm_v)
    d_q = psi_pxq - psi(q) + np.log(v) - log_xm_v
    d_v = q / v - (px + q) / (x * m + v)
    return values, np.vstack([d_p, d_q, d_v])


class GammaGammaModel(BaseEstimator):
    """Gamma-Gamma model of the average spend per purchase.

    A customer's purchases are gamma distributed around their own mean
    spend (shape ``p``), whose rate is gamma distributed across customers
    (shape ``q``, rate ``v``).  Fitted by maximum likelihood on the
    customers of a BTYD table (``rfm_table(..., definition="btyd")``) with
    at least one repeat purchase, using ``monetary_value``, the mean spend of
    their repeat purchases.  The model assumes spend is independent of
    purchase frequency.

    Parameters
    ----------
    tol : float, default=1e-9
        Gradient tolerance of the optimizer (mean log-likelihood).
    max_iter : int, default=1000

    Attributes
    ----------
    params_ : dict
        ``{"p", "q", "v"}``.
    standard_errors_ : dict
    log_likelihood_ : float
    n_customers_ : int
        Customers the model was fitted on (frequency > 0, monetary_value > 0).
    n_excluded_ : int
        Customers left out of the fit: no repeat purchase, or a repeat spend
        of 0 (a warning counts the latter).
    n_iter_ : int

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from custseg import GammaGammaModel
    >>> rng = np.random.default_rng(0)  # drawn from the model: p=6, q=4, v=20
    >>> x = rng.integers(1, 8, 400).astype(float)
    >>> nu = rng.gamma(4.0, 1 / 20.0, 400)
    >>> spend = rng.gamma(6.0 * x, 1 / (nu * x))
    >>> X = pd.DataFrame({"frequency": [0.0, *x], "recency": [0.0, *x],
    ...                   "T": 10.0, "monetary_value": [0.0, *spend]})
    >>> model = GammaGammaModel().fit(X)
    >>> model.n_customers_, model.n_excluded_
    (400, 1)
    >>> {name: round(value, 1) for name, value in model.params_.items()}
    {'p': 4.0, 'q': 4.8, 'v': 37.9}
    >>> model.predict_spend(X)[:3].round(2).tolist()  # first: population mean
    [40.42, 53.91, 25.9]
    """

    _parameter_constraints: dict = {
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, tol: float = 1e-9, max_iter: int = 1000) -> None:
        self.tol = tol
        self.max_iter = max_iter

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: TableLike, y: Any = None) -> Self:
        """Fit (p, q, v) on the customers with repeat purchases.

        Parameters
        ----------
        X : DataFrame
            BTYD table with ``frequency``, ``recency``, ``T`` and
            ``monetary_value``.
        y : None
            Ignored.

        Returns
        -------
        self
        """
        _, cols = read_btyd_table(X, monetary=True)
        x, m = cols["frequency"], cols["monetary_value"]
        zero_spend = (x > 0) & (m <= 0)
        if zero_spend.any():
            warn(
                f"{int(zero_spend.sum())} customers with repeat purchases have "
                "monetary_value 0 and are left out of the Gamma-Gamma fit (the "
                "model needs positive spend); they are still predicted."
            )
        used = (x > 0) & (m > 0)
        if used.sum() < 2:
            raise ValueError(
                f"GammaGammaModel needs at least 2 customers with frequency > 0 "
                f"and monetary_value > 0, got {int(used.sum())}."
            )
        # spend rescaled to a mean of 1 so the optimizer starts near the optimum
        scale = 1.0 / m[used].mean()
        (ux, um), counts = compress_rows(x[used], m[used])
        counts = counts.astype(np.float64)
        scaled_m = um * scale
        levels = np.unique(ux, return_inverse=True)
        params, _, n_iter = fit_positive_params(
            lambda p: gamma_gamma_loglik(p, ux, scaled_m, levels),
            np.ones(3),
            counts,
            tol=self.tol,
            max_iter=self.max_iter,
            what="GammaGammaModel",
        )
        params[2] /= scale

        def natural(p):
            return gamma_gamma_loglik(p, ux, um, levels)

        errors = standard_errors(natural, params, counts)
        names = ("p", "q", "v")
        self.params_ = {n: float(v) for n, v in zip(names, params, strict=True)}
        self.standard_errors_ = {
            n: float(v) for n, v in zip(names, errors, strict=True)
        }
        self.log_likelihood_ = float(np.sum(counts * natural(params)[0]))
        self.n_customers_ = int(used.sum())
        self.n_excluded_ = int(x.size - used.sum())
        self.n_iter_ = n_iter
        return self

    def predict_spend(self, X: TableLike) -> np.ndarray:
        """Expected spend per purchase: ``E[Z | zbar, x]``.

        A weighted mean of the population mean ``p v / (q - 1)`` and the
        customer's own ``monetary_value``, with weight
        ``p x / (p x + q - 1)`` on the latter; customers without repeat
        purchases get the population mean.

        Parameters
        ----------
        X : DataFrame
            BTYD table with ``monetary_value``.

        Returns
        -------
        ndarray of shape (n_customers,)
        """
        check_is_fitted(self, "params_")
        _, cols = read_btyd_table(X, monetary=True)
        p, q, v = (self.params_[k] for k in ("p", "q", "v"))
        if q <= 1:
            raise ValueError(
                f"the fitted q = {q:.4g} <= 1: the population mean spend "
                "p v / (q - 1) is infinite, so expected spend is undefined."
            )
        x, m = cols["frequency"], cols["monetary_value"]
        weight = p * x / (p * x + q - 1.0)
        return (1.0 - weight) * (p * v / (q - 1.0)) + weight * m
