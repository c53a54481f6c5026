"""BetaGeoModel: the BG/NBD purchase model (Fader, Hardie and Lee 2005)."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any, Self

import numpy as np
import pandas as pd
from scipy.special import betaln, expit, gammaln, hyp2f1, psi
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from custseg._sklearn_compat import HasMethods, Interval, fit_context
from custseg._tables import ArrayLike, TableLike
from custseg._value._btyd_input import read_btyd_table
from custseg._value._mle import compress_rows, fit_positive_params, standard_errors
from custseg._value._value_table import customer_value_from, value_frame

__all__ = ["BetaGeoModel", "bgnbd_loglik"]


def bgnbd_loglik(params, x, t_x, T, levels=None):
    """Per-customer BG/NBD log-likelihood and its gradient.

    ``LL = A1 + A2 + log(exp(A3) + [x > 0] exp(A4))`` with
    ``A1 = lnG(r+x) - lnG(r) + r ln(alpha)``, ``A2 = lnB(a, b+x) - lnB(a, b)``,
    ``A3 = -(r+x) ln(alpha+T)`` and
    ``A4 = ln(a) - ln(b+x-1) - (r+x) ln(alpha+t_x)`` (equation 6 of the paper).

    ``levels``, the output of ``np.unique(x, return_inverse=True)``, lets
    the special functions, which depend on ``x`` only, run once per
    distinct frequency.

    Returns
    -------
    values : ndarray of shape (n,)
    gradients : ndarray of shape (4, n), with respect to (r, alpha, a, b)
    """
    r, alpha, a, b = params
    xs, inverse = np.unique(x, return_inverse=True) if levels is None else levels
    a12 = gammaln(r + xs) + betaln(a, b + xs)
    d_r_x = psi(r + xs)
    d_ab_x = psi(a + b + xs)
    d_b_x = psi(b + xs)
    a12, d_r_x, d_ab_x, d_b_x = (v[inverse] for v in (a12, d_r_x, d_ab_x, d_b_x))
    repeat = x > 0
    log_T, log_tx = np.log(alpha + T), np.log(alpha + t_x)
    a3 = -(r + x) * log_T
    b_x1 = b + np.maximum(x, 1.0) - 1.0
    a4 = np.where(repeat, np.log(a) - np.log(b_x1) - (r + x) * log_tx, -np.inf)
    tail = np.logaddexp(a3, a4)
    w3 = np.exp(a3 - tail)
    w4 = np.exp(a4 - tail)
    values = a12 - gammaln(r) - betaln(a, b) + r * np.log(alpha) + tail
    d_r = d_r_x - psi(r) + np.log(alpha) - w3 * log_T - w4 * log_tx
    d_alpha = r / alpha - (r + x) * (w3 / (alpha + T) + w4 / (alpha + t_x))
    d_a = psi(a + b) - d_ab_x + w4 / a
    d_b = psi(a + b) + d_b_x - psi(b) - d_ab_x - w4 / b_x1
    return values, np.vstack([d_r, d_alpha, d_a, d_b])


class BetaGeoModel(BaseEstimator):
    """BG/NBD model of repeat purchases on a buy-till-you-die customer table.

    While alive, a customer buys at a Poisson rate ``lambda`` (gamma
    distributed across customers with shape ``r`` and rate ``alpha``); after
    each purchase they drop out with probability ``p`` (beta distributed with
    ``a``, ``b``).  The four parameters are fitted by maximum likelihood on
    the table that ``rfm_table(..., definition="btyd")`` returns: columns
    ``frequency`` (repeat purchase periods), ``recency`` and ``T``, all in
    the same time unit (days by default; ``time_scaler=7`` gives weeks).
    Predictions are in that unit too.

    Parameters
    ----------
    spend_model : GammaGammaModel or None, default=None
        When given, a clone is fitted on the same table (``spend_model_``),
        so :meth:`customer_value` and :meth:`value_table` can turn expected
        purchases into expected value.
    horizon : float, default=52.0
        Default number of periods ahead for :meth:`predict_purchases`,
        :meth:`customer_value` and :meth:`value_table`.
    discount_rate : float, default=0.0
        Default discount rate per ``step`` periods for :meth:`customer_value`.
    tol : float, default=1e-9
        Gradient tolerance of the optimizer (mean log-likelihood).
    max_iter : int, default=1000

    Attributes
    ----------
    params_ : dict
        ``{"r", "alpha", "a", "b"}``; ``alpha`` is in the table's time unit.
    standard_errors_ : dict
        Standard errors of ``params_`` from the inverse observed information.
    log_likelihood_ : float
    n_customers_ : int
    n_iter_ : int
    spend_model_ : GammaGammaModel or None

    See Also
    --------
    GammaGammaModel : average spend per purchase.

    Notes
    -----
    lifetimes' ``BetaGeoFitter`` fits the same likelihood; this estimator
    evaluates it once per distinct (frequency, recency, T) row with an
    analytic gradient.

    Examples
    --------
    >>> from custseg import BetaGeoModel, GammaGammaModel, rfm_table
    >>> from custseg.datasets import make_transactions
    >>> log, _ = make_transactions(500, random_state=0)
    >>> X = rfm_table(log, order_col="order_id", definition="btyd", time_scaler=7)
    >>> model = BetaGeoModel(horizon=13).fit(X)
    >>> {name: round(value, 2) for name, value in model.params_.items()}
    {'r': 0.81, 'alpha': 4.77, 'a': 0.4, 'b': 2.12}
    >>> model.predict_purchases(X)[:3].round(2).tolist()  # next 13 weeks
    [0.88, 0.56, 0.81]
    >>> model.probability_alive(X)[:3].round(2).tolist()
    [1.0, 0.74, 0.3]
    """

    _parameter_constraints: dict = {
        "spend_model": [HasMethods(["fit", "predict_spend"]), None],
        "horizon": [Interval(Real, 0, None, closed="neither")],
        "discount_rate": [Interval(Real, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        spend_model: Any = None,
        *,
        horizon: float = 52.0,
        discount_rate: float = 0.0,
        tol: float = 1e-9,
        max_iter: int = 1000,
    ) -> None:
        self.spend_model = spend_model
        self.horizon = horizon
        self.discount_rate = discount_rate
        self.tol = tol
        self.max_iter = max_iter

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: TableLike, y: Any = None) -> Self:
        """Fit (r, alpha, a, b) by maximum likelihood.

        Parameters
        ----------
        X : DataFrame
            BTYD table with ``frequency``, ``recency`` and ``T``.
        y : None
            Ignored.

        Returns
        -------
        self
        """
        _, cols = read_btyd_table(X)
        x, t_x, T = cols["frequency"], cols["recency"], cols["T"]
        # time rescaled so that max(T) = 10: the optimizer then starts near
        # the optimum whatever the unit (days, weeks) of the table
        scale = 10.0 / T.max() if T.max() > 0 else 1.0
        (ux, ut_x, uT), counts = compress_rows(x, t_x, T)
        counts = counts.astype(np.float64)
        st_x, sT = ut_x * scale, uT * scale
        levels = np.unique(ux, return_inverse=True)

        def scaled(params):
            return bgnbd_loglik(params, ux, st_x, sT, levels)

        params, _, n_iter = fit_positive_params(
            scaled,
            np.ones(4),
            counts,
            tol=self.tol,
            max_iter=self.max_iter,
            what="BetaGeoModel",
        )
        params[1] /= scale

        def natural(p):
            return bgnbd_loglik(p, ux, ut_x, uT, levels)

        errors = standard_errors(natural, params, counts)
        names = ("r", "alpha", "a", "b")
        self.params_ = {n: float(v) for n, v in zip(names, params, strict=True)}
        self.standard_errors_ = {
            n: float(v) for n, v in zip(names, errors, strict=True)
        }
        self.log_likelihood_ = float(np.sum(counts * natural(params)[0]))
        self.n_customers_ = int(x.size)
        self.n_iter_ = n_iter
        self.spend_model_ = (
            None if self.spend_model is None else clone(self.spend_model).fit(X)
        )
        return self

    def _columns(self, X):
        check_is_fitted(self, "params_")
        return read_btyd_table(X)

    def _horizon(self, t):
        t = self.horizon if t is None else t
        t = np.asarray(t, dtype=np.float64)
        if np.any(~np.isfinite(t)) or np.any(t < 0):
            raise ValueError(f"t must be a finite number of periods >= 0, got {t}.")
        return t

    def predict_purchases(self, X: TableLike, t: ArrayLike | None = None) -> np.ndarray:
        """Expected number of repeat purchases in the next ``t`` periods.

        ``E[Y(t) | x, t_x, T]``, equation 10 of Fader, Hardie and Lee (2005).

        Parameters
        ----------
        X : DataFrame
            BTYD table (the customers to predict for).
        t : float or array-like of shape (n_customers,), default=horizon
            Periods ahead, in the table's time unit.

        Returns
        -------
        ndarray of shape (n_customers,)
        """
        _, cols = self._columns(X)
        return self._expected(cols, self._horizon(t))

    def _expected(self, cols, t):
        r, alpha, a, b = (self.params_[k] for k in ("r", "alpha", "a", "b"))
        x, t_x, T = cols["frequency"], cols["recency"], cols["T"]
        a_, b_, c_ = r + x, b + x, a + b + x - 1.0
        z = t / (alpha + T + t)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log_hyp = np.log(hyp2f1(a_, b_, c_, z))
            # Euler's transformation where the series overflows
            alt = np.log(hyp2f1(c_ - a_, c_ - b_, c_, z)) + (c_ - a_ - b_) * np.log1p(
                -z
            )
            log_hyp = np.where(np.isfinite(log_hyp), log_hyp, alt)
            first = (a + b + x - 1.0) / (a - 1.0)
            second = -np.expm1(
                log_hyp + (r + x) * np.log((alpha + T) / (alpha + t + T))
            )
            odds = np.where(
                x > 0,
                a
                / (b + np.maximum(x, 1.0) - 1.0)
                * ((alpha + T) / (alpha + t_x)) ** (r + x),
                0.0,
            )
        return first * second / (1.0 + odds)

    def probability_alive(self, X: TableLike) -> np.ndarray:
        """Probability that each customer is still active at the end of ``T``.

        ``1`` for customers without a repeat purchase (in this model a
        customer can only drop out right after a purchase).

        Parameters
        ----------
        X : DataFrame
            BTYD table.

        Returns
        -------
        ndarray of shape (n_customers,)
        """
        _, cols = self._columns(X)
        r, alpha, a, b = (self.params_[k] for k in ("r", "alpha", "a", "b"))
        x, t_x, T = cols["frequency"], cols["recency"], cols["T"]
        log_odds = (r + x) * np.log((alpha + T) / (alpha + t_x)) + np.log(
            a / (b + np.maximum(x, 1.0) - 1.0)
        )
        return np.where(x > 0, expit(-log_odds), 1.0)

    def predict_spend(self, X: TableLike) -> np.ndarray:
        """Expected spend per purchase, from the fitted ``spend_model_``.

        Parameters
        ----------
        X : DataFrame
            BTYD table with ``monetary_value``.

        Returns
        -------
        ndarray of shape (n_customers,)
        """
        check_is_fitted(self, "params_")
        if self.spend_model_ is None:
            raise ValueError(
                "BetaGeoModel was fitted without a spend model: pass "
                "spend_model=GammaGammaModel() to predict spend or value."
            )
        return self.spend_model_.predict_spend(X)

    def customer_value(
        self,
        X: TableLike,
        t: float | None = None,
        *,
        discount_rate: float | None = None,
        step: float = 1.0,
    ) -> np.ndarray:
        """Expected (discounted) value of each customer over the next ``t`` periods.

        ``sum_k spend * (E[Y(k step)] - E[Y((k-1) step)]) / (1 + d) ** k`` for
        ``k = 1 .. ceil(t / step)``: expected purchases in each step times
        the expected spend per purchase, discounted at ``d`` per step (the
        recipe of lifetimes' ``customer_lifetime_value``).

        Parameters
        ----------
        X : DataFrame
            BTYD table with ``monetary_value``.
        t : float, default=horizon
            Periods ahead.
        discount_rate : float, default=self.discount_rate
            Discount rate per ``step`` periods.
        step : float, default=1.0
            Length of one discounting step in periods (4.345 weeks for a
            monthly rate on a weekly table).

        Returns
        -------
        ndarray of shape (n_customers,)
        """
        _, cols = self._columns(X)
        spend = self.predict_spend(X)
        rate = self.discount_rate if discount_rate is None else discount_rate
        return customer_value_from(
            lambda h: self._expected(cols, h),
            spend,
            float(self._horizon(t)),
            rate,
            step,
        )

    def value_table(self, X: TableLike, t: float | None = None) -> pd.DataFrame:
        """Per-customer expected purchases, probability alive and value.

        Parameters
        ----------
        X : DataFrame
            BTYD table (with ``monetary_value`` when a spend model is fitted).
        t : float, default=horizon

        Returns
        -------
        pandas.DataFrame
            Indexed like ``X`` (customer ids), columns ``expected_purchases``,
            ``probability_alive``, ``repeat_buyer`` (``frequency > 0``: the
            customers whose probability alive is informative, since the model
            keeps every one-time buyer alive) and, with a spend model,
            ``expected_spend`` and ``expected_value`` (undiscounted unless
            ``discount_rate``).
        """
        index, cols = self._columns(X)
        out = {
            "expected_purchases": self._expected(cols, self._horizon(t)),
            "probability_alive": self.probability_alive(X),
            "repeat_buyer": np.asarray(cols["frequency"]) > 0,
        }
        if self.spend_model_ is not None:
            out["expected_spend"] = self.predict_spend(X)
            out["expected_value"] = self.customer_value(X, t)
        return value_frame(out, index)
