"""Combining expected purchases and spend into customer value."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["customer_value_from", "value_frame"]


def customer_value_from(expected, spend, t, discount_rate, step):
    """Discounted expected value from a cumulative purchase forecast.

    Parameters
    ----------
    expected : callable
        ``expected(h)`` -> expected purchases in the next ``h`` periods.
    spend : ndarray
        Expected spend per purchase.
    t, discount_rate, step : float
        Horizon, discount rate per step and step length, in periods.

    Examples
    --------
    >>> import numpy as np
    >>> customer_value_from(lambda h: np.array([h / 2.0]), np.array([10.0]), 2, 0.0, 1)
    array([10.])
    """
    if not (np.isfinite(discount_rate) and discount_rate >= 0):
        raise ValueError(f"discount_rate must be >= 0, got {discount_rate}.")
    if not (np.isfinite(step) and step > 0):
        raise ValueError(f"step must be a number of periods > 0, got {step}.")
    n_steps = max(math.ceil(t / step - 1e-12), 0)
    total = np.zeros_like(np.asarray(spend, dtype=np.float64))
    if n_steps and discount_rate == 0:
        # undiscounted, the sum over steps telescopes: one evaluation, not one
        # per step (365 per customer for a year in days)
        return (expected(float(t)) - expected(0.0)) * spend
    previous = expected(0.0)
    for k in range(1, n_steps + 1):
        current = expected(min(k * step, t))
        total += (current - previous) / (1.0 + discount_rate) ** k
        previous = current
    return total * spend


def value_frame(columns, index):
    """A per-customer frame of value columns, indexed by customer."""
    return pd.DataFrame(columns, index=index)
