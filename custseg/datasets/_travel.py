"""A seeded travel-booking customer table for revising a segmentation hypothesis.

The classic case: a travel company's team hypothesised that trip purpose
(business, solo leisure, couples, families) drives booking behaviour; the
data showed that whether the traveller already knows the destination
(first-time vs returning visitor) matters far more.  Both are planted here:
trip purpose has a weak effect (stays a little longer for families, a little
shorter for business), the visitor type a strong one (returning visitors
book more often, later and after fewer searches, and book again next year).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

__all__ = ["TRIP_PURPOSES", "make_travel_bookings"]

TRIP_PURPOSES = ("business", "solo leisure", "couple", "family")
_PURPOSE_SHARES = (0.2, 0.25, 0.3, 0.25)
# weak: a multiplicative nudge to the length of stay and the nightly rate
_PURPOSE_NIGHTS = {"business": 0.94, "solo leisure": 1.0, "couple": 1.0, "family": 1.06}
_PURPOSE_RATE = {"business": 1.04, "solo leisure": 0.97, "couple": 1.0, "family": 1.0}


def make_travel_bookings(
    n_customers: int = 2000,
    *,
    returning_share: float = 0.4,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Generate travellers with a hypothesised and a real segmentation planted.

    Parameters
    ----------
    n_customers : int, default=2000
        Number of travellers.
    returning_share : float, default=0.4
        Share of returning visitors (the rest visit their destination for
        the first time).
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible output.

    Returns
    -------
    customers : pandas.DataFrame
        One row per traveller, indexed by ``customer_id``: ``recency``
        (days since the last booking), ``frequency`` (bookings in the year),
        ``monetary`` (spend in the year), ``lead_time_days`` (mean days
        booked ahead), ``nights`` (mean length of stay) and ``searches``
        (search sessions per booking).
    attributes : pandas.DataFrame
        ``trip_purpose`` (the hypothesis; a weak planted effect) and
        ``visitor`` (``"first-time"`` or ``"returning"``; a strong one).
    outcomes : pandas.DataFrame
        The following year: ``next_year_bookings`` and ``booked_again``.

    Examples
    --------
    >>> from custseg.datasets import make_travel_bookings
    >>> customers, attributes, outcomes = make_travel_bookings(500, random_state=0)
    >>> customers.columns.tolist()
    ['recency', 'frequency', 'monetary', 'lead_time_days', 'nights', 'searches']
    >>> attributes["visitor"].value_counts().to_dict()
    {'first-time': 300, 'returning': 200}
    """
    if not isinstance(n_customers, (int, np.integer)) or n_customers < 1:
        raise ValueError(
            f"n_customers must be a positive integer, got {n_customers!r}."
        )
    if not 0 < returning_share < 1:
        raise ValueError(f"returning_share must be in (0, 1), got {returning_share!r}.")
    rng = check_random_state(random_state)
    n = int(n_customers)
    n_returning = int(round(returning_share * n))
    returning = rng.permutation(np.arange(n) < n_returning)
    purpose = rng.choice(np.array(TRIP_PURPOSES, dtype=object), n, p=_PURPOSE_SHARES)
    nights_factor = np.array([_PURPOSE_NIGHTS[p] for p in purpose])
    rate_factor = np.array([_PURPOSE_RATE[p] for p in purpose])

    frequency = 1 + np.where(returning, rng.poisson(2.0, n), rng.poisson(0.3, n))
    lead_time = rng.lognormal(np.where(returning, 3.0, 4.0), 0.6)
    searches = 1 + np.where(returning, rng.poisson(3.0, n), rng.poisson(11.0, n))
    nights = np.maximum(
        1.0, np.round(rng.lognormal(np.log(4.0), 0.5, n) * nights_factor, 1)
    )
    rate = rng.lognormal(np.log(120.0), 0.4, n) * rate_factor
    monetary = np.round(frequency * nights * rate, 2)
    recency = np.where(returning, rng.randint(0, 200, n), rng.randint(0, 365, n))
    next_year = rng.poisson(
        np.where(returning, 1.5, 0.3) * np.where(purpose == "business", 1.05, 1.0)
    )

    index = pd.Index([f"T{i:06d}" for i in range(n)], name="customer_id")
    customers = pd.DataFrame(
        {
            "recency": recency,
            "frequency": frequency,
            "monetary": monetary,
            "lead_time_days": np.round(lead_time, 1),
            "nights": nights,
            "searches": searches,
        },
        index=index,
    )
    attributes = pd.DataFrame(
        {
            "trip_purpose": purpose.astype(str),
            "visitor": np.where(returning, "returning", "first-time"),
        },
        index=index,
    )
    outcomes = pd.DataFrame(
        {"next_year_bookings": next_year, "booked_again": next_year > 0}, index=index
    )
    return customers, attributes, outcomes
