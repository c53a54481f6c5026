"""cohort_retention and CohortDisplay: a plain pandas oracle, engines, the heatmap."""

import warnings

import numpy as np
import pandas as pd
import pytest

from custseg import CohortDisplay, cohort_retention
from custseg.datasets import load_cdnow, load_online_retail, make_transactions


def retention_by_hand(log, freq):
    """Slow, obvious: cohort of each customer, then who bought k periods later."""
    log = log.assign(period=log["date"].dt.to_period(freq))
    buys = log[log["amount"] >= 0]
    cohort = buys.groupby("customer_id")["period"].min()
    periods = pd.period_range(log["period"].min(), log["period"].max(), freq=freq)
    n = len(periods)
    active = np.full((n, n), np.nan)
    revenue = np.full((n, n), np.nan)
    for i, c in enumerate(periods):
        members = set(cohort.index[cohort == c])
        if not members:
            continue
        for k in range(n - i):
            p = c + k
            in_p = buys[(buys["period"] == p) & buys["customer_id"].isin(members)]
            active[i, k] = in_p["customer_id"].nunique()
            rows = log[(log["period"] == p) & log["customer_id"].isin(members)]
            revenue[i, k] = rows["amount"].sum()
    sizes = np.array([(cohort == c).sum() for c in periods])
    # a period in which nobody first bought is no cohort
    started = sizes > 0
    return sizes[started], active[started], revenue[started]


@pytest.mark.parametrize("freq", ["M", "Q"])
def test_synthetic_equals_pandas_oracle(freq):
    log, _ = make_transactions(150, random_state=8)
    log.loc[10, "amount"] = -5.0  # a return lowers revenue, is no purchase
    with pytest.warns(UserWarning, match="returns"):
        got = cohort_retention(log, periods=freq)
    sizes, active, revenue = retention_by_hand(log, freq)
    np.testing.assert_array_equal(got.sizes.to_numpy(), sizes)
    np.testing.assert_array_equal(got.active.to_numpy(), active)
    np.testing.assert_allclose(got.revenue.to_numpy(), revenue, rtol=1e-12)
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(got.retention.to_numpy(), active / sizes[:, None])
    first = got.retention[0].dropna()
    assert (first == 1.0).all()  # every cohort buys in its first period


def test_online_retail_monthly_equals_pandas_oracle_and_duckdb(online_retail_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = load_online_retail(online_retail_path)
    got = cohort_retention(log, periods="M")
    sizes, active, _ = retention_by_hand(log, "M")
    np.testing.assert_array_equal(got.sizes.to_numpy(), sizes)
    np.testing.assert_array_equal(got.active.to_numpy(), active)
    assert got.sizes.sum() == 4339
    duckdb = pytest.importorskip("duckdb")
    pa = pytest.importorskip("pyarrow")
    other = cohort_retention(
        duckdb.from_arrow(pa.Table.from_pandas(log, preserve_index=False)),
        periods="M",
    )
    pd.testing.assert_frame_equal(other.retention, got.retention)


def test_display_draws_one_row_per_started_cohort():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    log, _ = make_transactions(150, random_state=8)
    result = cohort_retention(log, periods="Q")
    disp = CohortDisplay.from_retention(result)
    started = int((result.sizes > 0).sum())
    assert disp.image_.get_array().shape == (started, result.retention.shape[1])
    labels = [t.get_text() for t in disp.ax_.get_yticklabels()]
    assert labels[0].endswith(f"({result.sizes[result.sizes > 0].iloc[0]:,})")
    revenue = CohortDisplay.from_transactions(log, periods="Q", metric="revenue")
    assert revenue.table.shape[0] == started
    with pytest.raises(ValueError, match="metric"):
        CohortDisplay.from_retention(result, metric="profit")
    matplotlib.pyplot.close("all")


def test_periods_without_a_first_purchase_have_no_cohort_row():
    log = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b"],
            "date": pd.to_datetime(
                ["2024-01-05", "2024-02-01", "2024-03-20", "2024-04-30"]
            ),
            "amount": [10.0, 5.0, 7.0, 3.0],
        }
    )
    got = cohort_retention(log, periods="M")
    # February has purchases but no first purchase, April ends on its last day
    assert [str(p) for p in got.sizes.index] == ["2024-01", "2024-03"]
    assert got.sizes.tolist() == [1, 1]
    assert got.retention.loc["2024-03"].tolist()[:2] == [1.0, 1.0]
    assert got.complete.all() and len(got.complete) == 4


def test_cdnow_quarterly_has_one_cohort(cdnow_master_path):
    """Every CDNOW customer first bought in 1997Q1: one row, no empty rows."""
    log = load_cdnow(cdnow_master_path)
    got = cohort_retention(log, periods="Q")
    assert [str(p) for p in got.sizes.index] == ["1997Q1"]
    assert got.sizes.tolist() == [23570]
    assert got.retention.notna().all(axis=None)
    assert got.complete.all()  # the log ends on 1998-06-30, a quarter's end


def test_incomplete_last_period_warns_and_is_flagged():
    log, _ = make_transactions(150, random_state=8)
    # the log up to the 15th of its second-to-last month
    cut = (log["date"].max().to_period("M") - 1).start_time + pd.Timedelta(days=14)
    log = log[log["date"] <= cut]
    end = log["date"].max()
    last, covered = end.to_period("M"), end.day
    assert covered < last.days_in_month  # this log ends within a month
    with pytest.warns(
        UserWarning, match=f"last period, {last}, is incomplete.* {covered} of its"
    ):
        got = cohort_retention(log, periods="M")
    assert not got.complete.iloc[-1] and got.complete.iloc[:-1].all()
    assert got.complete.index[-1] == last
