"""Net monetary of customers whose returns cancel their purchases is exactly 0."""

import numpy as np
import pandas as pd
import polars as pl
import pytest

from custseg import rfm_table
from custseg.datasets import load_online_retail

# 0.1 + 0.2 - 0.3 is 5.6e-17 in float64: a's return cancels a's purchases
LOG = pd.DataFrame(
    {
        "customer_id": ["a", "a", "a", "b", "b", "c", "c"],
        "date": pd.to_datetime(
            [
                "2024-01-01",
                "2024-01-02",
                "2024-01-03",
                "2024-01-01",
                "2024-01-02",
                "2024-01-01",
                "2024-01-03",
            ]
        ),
        "amount": [0.1, 0.2, -0.3, 10.0, -9.99, 5.0, -5.01],
    }
)


def test_float_sum_leaves_residue_without_the_rule():
    # the premise: purchases summed, then the returns added, do not cancel
    assert (0.1 + 0.2) + (-0.3) != 0.0
    assert (1.0 + 0.1 + 0.2) - 1.0 + (-0.3) != 0.0


@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_cancelling_returns_net_exactly_zero(engine):
    log = LOG if engine == "pandas" else pl.from_pandas(LOG)
    with pytest.warns(UserWarning, match="negative amount"):
        table = rfm_table(log)
    if engine == "polars":
        table = table.to_pandas().set_index("customer_id")
    assert table.loc["a", "monetary"] == 0.0
    # genuine small nets are kept, with their sign
    assert table.loc["b", "monetary"] == pytest.approx(0.01)
    assert table.loc["c", "monetary"] == pytest.approx(-0.01)
    with pytest.warns(UserWarning, match="negative amount"):
        mean = rfm_table(log, definition="btyd", include_first_transaction=True)
    if engine == "polars":
        mean = mean.to_pandas().set_index("customer_id")
    assert mean.loc["a", "monetary_value"] == 0.0


def test_btyd_repeat_mean_cancels():
    # repeat purchases 0.1 + 0.2, returned 0.3: the repeat mean is 0
    log = pd.DataFrame(
        {
            "customer_id": ["a"] * 4,
            "date": pd.date_range("2024-01-01", periods=4),
            "amount": [1.0, 0.1, 0.2, -0.3],
        }
    )
    with pytest.warns(UserWarning, match="negative amount"):
        table = rfm_table(log, definition="btyd")
    assert table.loc["a", "monetary_value"] == 0.0


def test_online_retail_signs_match_exact_sums(online_retail_path):
    log = load_online_retail(online_retail_path, clean=False)
    with pytest.warns(UserWarning):
        table = rfm_table(log, order_col="order_id")
    # exact money: prices have at most 3 decimals, so amounts in 1/1000 are
    # integers and their sums are exact
    rows = log.dropna(subset=["customer_id"])
    milli = np.round(rows["unit_price"].to_numpy() * 1000)
    assert np.allclose(milli, rows["unit_price"].to_numpy() * 1000, atol=1e-6)
    exact = (
        pd.Series(rows["quantity"].to_numpy() * milli.astype(np.int64))
        .groupby(rows["customer_id"].to_numpy())
        .sum()
        .loc[table.index]
    )
    assert np.array_equal(np.sign(table["monetary"]), np.sign(exact))
    # the residue customer the review found: bought and returned the same
    assert exact.loc["12607"] == 0
    assert table.loc["12607", "monetary"] == 0.0
    assert (table["monetary"] < 0).sum() == (exact < 0).sum() == 8
