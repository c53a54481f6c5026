"""A seeded synthetic order log with planted behavioural personas."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from custseg._tables import DateLike

__all__ = ["ATTRIBUTES", "PERSONAS", "make_transactions"]

# Planted personas.  Each row: share of customers, recency range in days
# (days from the last purchase to the end of the log), order-count range,
# typical order value and extra tenure (days between first and last purchase).
PERSONAS = pd.DataFrame(
    {
        "share": [0.12, 0.16, 0.14, 0.28, 0.30],
        "recency_low": [0, 0, 150, 45, 380],
        "recency_high": [14, 40, 300, 140, 700],
        "orders_low": [18, 1, 8, 3, 1],
        "orders_high": [40, 2, 16, 6, 2],
        "order_value": [120.0, 60.0, 160.0, 25.0, 40.0],
        "tenure_low": [300, 0, 200, 60, 0],
        "tenure_high": [700, 20, 400, 300, 60],
        "description": [
            "recent, frequent, high spending",
            "recent first-time buyers",
            "big spenders who have not bought for months",
            "occasional low-value buyers",
            "one-off buyers who left long ago",
        ],
    },
    index=pd.Index(
        ["champions", "new", "at_risk_big_spenders", "occasional", "lapsed"],
        name="persona",
    ),
)


# Planted customer attributes (``make_transactions(attributes=True)``): for each
# attribute, its levels and, per persona (rows in PERSONAS order), the
# probability of each level.  ``channel`` and ``region`` differ by persona;
# ``payment`` is drawn independently of the persona (a noise attribute).
ATTRIBUTES = {
    "channel": pd.DataFrame(
        [
            [0.10, 0.20, 0.70],
            [0.10, 0.70, 0.20],
            [0.70, 0.20, 0.10],
            [0.20, 0.60, 0.20],
            [0.45, 0.45, 0.10],
        ],
        index=PERSONAS.index,
        columns=["store", "web", "app"],
    ),
    "region": pd.DataFrame(
        [
            [0.60, 0.15, 0.15, 0.10],
            [0.10, 0.60, 0.15, 0.15],
            [0.15, 0.10, 0.60, 0.15],
            [0.15, 0.15, 0.10, 0.60],
            [0.25, 0.25, 0.25, 0.25],
        ],
        index=PERSONAS.index,
        columns=["north", "south", "east", "west"],
    ),
    "payment": pd.DataFrame(
        [[0.5, 0.3, 0.2]] * len(PERSONAS),
        index=PERSONAS.index,
        columns=["card", "paypal", "invoice"],
    ),
}


def _draw_levels(rng, probabilities, persona_idx):
    """One level per customer, drawn from its persona's row of probabilities."""
    cumulative = probabilities.to_numpy().cumsum(axis=1)[persona_idx]
    u = rng.uniform(0.0, 1.0, persona_idx.size)
    picked = np.minimum((u[:, None] > cumulative).sum(axis=1), cumulative.shape[1] - 1)
    return probabilities.columns.to_numpy()[picked]


def make_transactions(
    n_customers: int = 1000,
    *,
    end_date: DateLike = "2025-12-31",
    lines_per_order: float = 0.5,
    attributes: bool = False,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Generate a synthetic order log with planted customer personas.

    Five personas are planted, with distinct recency, frequency and spend
    (see ``custseg.datasets.PERSONAS``): ``champions`` (recent, frequent,
    high spending), ``new`` (recent first-time buyers), ``at_risk_big_spenders``
    (many large orders, none for 5-10 months), ``occasional`` (a few small
    orders) and ``lapsed`` (one or two orders, over a year ago).

    Parameters
    ----------
    n_customers : int, default=1000
        Number of customers.  Each persona gets its share, rounded, and the
        remainder goes to the largest persona.
    end_date : str or datetime-like, default="2025-12-31"
        The day of the latest purchases; the log spans about two years before.
    lines_per_order : float, default=0.5
        Mean number of extra rows (order lines) per order, Poisson
        distributed, so that an order spans several rows.  ``0`` gives one row
        per order.
    attributes : bool, default=False
        Add one column per planted customer attribute (see
        ``custseg.datasets.ATTRIBUTES``), constant over each customer's rows:
        ``channel`` (store / web / app) and ``region`` (north / south / east /
        west), whose mix differs by persona, and ``payment`` (card / paypal /
        invoice), drawn independently of the persona, as a noise attribute.
        The attributes are drawn after everything else, so the other columns
        are the same as with ``attributes=False``.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible output.

    Returns
    -------
    transactions : pandas.DataFrame
        One row per order line with columns ``customer_id`` (str),
        ``order_id`` (str), ``date`` (datetime64, with a time of day) and
        ``amount`` (float, positive), sorted by date; with
        ``attributes=True`` also ``channel``, ``region`` and ``payment``
        (str).
    personas : pandas.Series
        The planted persona of each customer, indexed by ``customer_id``
        (sorted), as strings.

    Examples
    --------
    >>> from custseg.datasets import make_transactions
    >>> transactions, personas = make_transactions(200, random_state=0)
    >>> transactions.columns.tolist()
    ['customer_id', 'order_id', 'date', 'amount']
    >>> personas.value_counts().sort_index().to_dict()
    {'at_risk_big_spenders': 28, 'champions': 24, 'lapsed': 60, 'new': 32, 'occasional': 56}
    >>> log, _ = make_transactions(200, attributes=True, random_state=0)
    >>> log.columns.tolist()
    ['customer_id', 'order_id', 'date', 'amount', 'channel', 'region', 'payment']
    """
    if not isinstance(n_customers, (int, np.integer)) or n_customers < 1:
        raise ValueError(
            f"n_customers must be a positive integer, got {n_customers!r}."
        )
    rng = check_random_state(random_state)
    end = pd.Timestamp(end_date).normalize()

    counts = np.floor(PERSONAS["share"].to_numpy() * n_customers).astype(np.int64)
    counts[np.argmax(PERSONAS["share"].to_numpy())] += n_customers - counts.sum()
    persona_idx = np.repeat(np.arange(len(PERSONAS)), counts)
    rng.shuffle(persona_idx)
    p = PERSONAS.iloc[persona_idx]

    recency = rng.randint(p["recency_low"], p["recency_high"].to_numpy() + 1)
    n_orders = rng.randint(p["orders_low"], p["orders_high"].to_numpy() + 1)
    tenure_extra = rng.randint(p["tenure_low"], p["tenure_high"].to_numpy() + 1)
    # one-order customers have no span between first and last purchase
    tenure_extra = np.where(n_orders == 1, 0, np.maximum(tenure_extra, 1))
    last_day = -recency  # days relative to the end date
    first_day = last_day - tenure_extra

    customer_of_order = np.repeat(np.arange(n_customers), n_orders)
    starts = np.cumsum(n_orders) - n_orders
    position = np.arange(customer_of_order.size) - starts[customer_of_order]
    span = tenure_extra[customer_of_order]
    day = first_day[customer_of_order] + np.floor(
        rng.uniform(0, 1, customer_of_order.size) * (span + 1)
    ).astype(np.int64)
    is_first = position == 0
    is_last = position == n_orders[customer_of_order] - 1
    day = np.where(is_first, first_day[customer_of_order], day)
    day = np.where(is_last, last_day[customer_of_order], day)

    value = p["order_value"].to_numpy()[customer_of_order] * rng.lognormal(
        0.0, 0.35, customer_of_order.size
    )
    n_lines = 1 + rng.poisson(lines_per_order, customer_of_order.size)
    order_of_line = np.repeat(np.arange(customer_of_order.size), n_lines)
    line_amount = np.round(value[order_of_line] / n_lines[order_of_line], 2)
    line_amount = np.maximum(line_amount, 0.01)
    seconds = rng.randint(8 * 3600, 22 * 3600, customer_of_order.size)

    width = len(str(n_customers))
    customer_ids = np.array(
        [f"C{i:0{width}d}" for i in range(n_customers)], dtype=object
    )
    order_ids = np.array(
        [
            f"O{i:0{len(str(customer_of_order.size))}d}"
            for i in range(customer_of_order.size)
        ],
        dtype=object,
    )
    timestamps = (
        end
        + pd.to_timedelta(day[order_of_line], unit="D")
        + pd.to_timedelta(seconds[order_of_line], unit="s")
    )
    transactions = pd.DataFrame(
        {
            "customer_id": customer_ids[customer_of_order[order_of_line]],
            "order_id": order_ids[order_of_line],
            "date": timestamps,
            "amount": line_amount,
        }
    )
    if attributes:
        row_customer = customer_of_order[order_of_line]
        for name, probabilities in ATTRIBUTES.items():
            levels = _draw_levels(rng, probabilities, persona_idx)
            transactions[name] = levels.astype(object)[row_customer]
    transactions = transactions.sort_values(["date", "order_id"], kind="stable")
    transactions = transactions.reset_index(drop=True)
    personas = pd.Series(
        PERSONAS.index.to_numpy()[persona_idx],
        index=pd.Index(customer_ids, name="customer_id"),
        name="persona",
    ).sort_index()
    return transactions, personas
