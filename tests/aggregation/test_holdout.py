"""calibration_holdout_split."""

import warnings

import numpy as np
import pandas as pd
import pytest

from custseg import calibration_holdout_split
from custseg.datasets import load_cdnow, make_transactions


@pytest.fixture
def log():
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "b", "c", "d"],
            "order_id": ["1", "2", "2", "3", "4", "5", "6"],
            "date": pd.to_datetime(
                format="ISO8601",
                arg=[
                    "2024-01-05",
                    "2024-03-31 23:00",
                    "2024-03-31 23:30",
                    "2024-02-01",
                    "2024-04-02",
                    "2024-01-10",
                    "2024-04-15",
                ],
            ),
            "amount": [10.0, 5.0, 7.0, 20.0, 30.0, 15.0, 99.0],
        }
    )


def test_split_by_hand(log):
    before = log.copy()
    features, outcomes = calibration_holdout_split(
        log, "2024-03-31", order_col="order_id"
    )
    # customers known at the cutoff: a, b, c (d first bought after it)
    assert features.index.tolist() == ["a", "b", "c"]
    assert features["recency"].tolist() == [0, 59, 81]  # 2024 is a leap year
    assert features["frequency"].tolist() == [2, 1, 1]
    assert features["monetary"].tolist() == [22.0, 20.0, 15.0]
    assert outcomes.index.equals(features.index)
    assert outcomes["spend"].tolist() == [0.0, 30.0, 0.0]
    assert outcomes["orders"].tolist() == [0, 1, 0]
    assert outcomes["bought_again"].tolist() == [False, True, False]
    assert outcomes["orders"].dtype == np.int64
    pd.testing.assert_frame_equal(log, before)


def test_rows_count_as_orders_without_order_col(log):
    _, outcomes = calibration_holdout_split(log, "2024-02-15")
    # after 2024-02-15: a has 2 rows (one order), b has 1 row, c none
    assert outcomes.loc[["a", "b", "c"], "orders"].tolist() == [2, 1, 0]
    assert outcomes.loc["a", "spend"] == 12.0


def test_holdout_end_excludes_later_rows_with_warning(log):
    with pytest.warns(
        UserWarning, match="Excluded 2 transactions dated after holdout_end"
    ):
        _, outcomes = calibration_holdout_split(
            log, "2024-02-15", holdout_end="2024-04-01", order_col="order_id"
        )
    assert outcomes.loc["b", "spend"] == 0.0  # 2024-04-02 is after the holdout
    assert outcomes.loc["a", "orders"] == 1


def test_row_without_a_date_is_counted_not_a_holdout_order(log):
    undated = pd.DataFrame(
        {c: [v] for c, v in zip(log.columns, ["b", "7", None, 50.0], strict=True)}
    )
    undated["date"] = pd.to_datetime(undated["date"])  # NaT of the log's dtype
    log = pd.concat([log, undated.astype(log.dtypes.to_dict())], ignore_index=True)
    with pytest.warns(UserWarning, match="1 with a missing date"):
        features, outcomes = calibration_holdout_split(log, "2024-03-31")
    # b's holdout is the 2024-04-02 row only; the undated row is not in it
    assert outcomes.loc["b", "orders"] == 1
    assert outcomes.loc["b", "spend"] == 30.0
    assert features.loc["b", "monetary"] == 20.0


def test_string_dates_and_column_names(log):
    renamed = log.rename(
        columns={"customer_id": "cid", "date": "day", "amount": "value"}
    )
    renamed["day"] = renamed["day"].dt.strftime("%Y-%m-%d")
    features, outcomes = calibration_holdout_split(
        renamed, "2024-03-31", customer_col="cid", date_col="day", amount_col="value"
    )
    assert outcomes["spend"].tolist() == [0.0, 30.0, 0.0]


def test_errors(log):
    with pytest.raises(ValueError, match="must be after the cutoff"):
        calibration_holdout_split(log, "2024-04-15")
    with pytest.raises(ValueError, match="No transaction on or before the cutoff"):
        calibration_holdout_split(log, "2023-12-31")
    with pytest.raises(ValueError, match="amount_col='spend'"):
        calibration_holdout_split(log, "2024-03-31", amount_col="spend")
    with pytest.raises(TypeError, match="reference_date is the cutoff"):
        calibration_holdout_split(log, "2024-03-31", reference_date="2024-03-31")
    with pytest.raises(TypeError, match="date column .amount."):
        calibration_holdout_split(log, "2024-03-31", date_col="amount")
    with pytest.raises(TypeError, match="transactions must be a DataFrame"):
        calibration_holdout_split(log.to_dict(), "2024-03-31")


def test_synthetic_totals_add_up():
    log, _ = make_transactions(400, random_state=0)
    cutoff = pd.Timestamp("2025-09-30")
    features, outcomes = calibration_holdout_split(log, cutoff, order_col="order_id")
    later = log[log["date"].dt.normalize() > cutoff]
    known = later[later["customer_id"].isin(features.index)]
    assert outcomes["spend"].sum() == pytest.approx(known["amount"].sum())
    assert outcomes["orders"].sum() == known["order_id"].nunique()
    assert set(features.index) == set(
        log.loc[log["date"] <= cutoff + pd.Timedelta(days=1), "customer_id"]
    )


def test_polars_input(log):
    pl = pytest.importorskip("polars")
    features, outcomes = calibration_holdout_split(pl.from_pandas(log), "2024-03-31")
    assert outcomes["spend"].tolist() == [0.0, 30.0, 0.0]


@pytest.mark.slow
def test_cdnow_calibration_and_holdout(cdnow_master_path):
    log = load_cdnow(cdnow_master_path)
    features, outcomes = calibration_holdout_split(
        log, "1997-09-30", holdout_end="1998-06-30"
    )
    # the cohort first bought in Q1 1997, so every customer is known at the cutoff
    assert len(features) == 23570
    holdout = log[log["date"] > "1997-09-30"]
    assert outcomes["spend"].sum() == pytest.approx(holdout["amount"].sum())
    assert outcomes["bought_again"].sum() == holdout["customer_id"].nunique()


@pytest.fixture
def messy_holdout(log):
    """The hand log plus holdout rows a by-hand aggregation gets wrong."""
    extra = pd.DataFrame(
        {
            "customer_id": ["b", "b", None, "c", "a"],
            "order_id": ["4", "9", "10", None, "11"],
            "date": pd.to_datetime(
                ["2024-04-03", "2024-04-05", "2024-04-06", "2024-04-07", "2024-04-08"]
            ),
            "amount": [-10.0, np.nan, 40.0, 8.0, 3.0],
        }
    )
    return pd.concat([log, extra], ignore_index=True)


def test_holdout_returns_are_not_orders(messy_holdout):
    with pytest.warns(UserWarning) as record:
        _, outcomes = calibration_holdout_split(
            messy_holdout, "2024-03-31", order_col="order_id"
        )
    messages = [str(w.message) for w in record]
    # b: order 4 (30.0) and a return of 10.0 in the same order; the return is
    # netted from the spend and is not a second order
    assert outcomes.loc["b", "orders"] == 1
    assert outcomes.loc["b", "spend"] == 20.0
    assert outcomes.loc["a", "orders"] == 1 and outcomes.loc["a", "spend"] == 3.0
    assert any(
        m.startswith("Holdout period") and "1 rows with a negative amount" in m
        for m in messages
    )


def test_holdout_missing_values_are_counted(messy_holdout):
    with pytest.warns(UserWarning) as record:
        _, outcomes = calibration_holdout_split(
            messy_holdout, "2024-03-31", order_col="order_id"
        )
    holdout = [str(w.message) for w in record if "Holdout period" in str(w.message)]
    missing = [m for m in holdout if "Dropped rows with missing values" in m][0]
    assert "1 with a missing customer id" in missing
    assert "1 with a missing amount" in missing
    assert "1 with a missing order id" in missing
    # c's row without an order id is dropped, not counted as an order
    assert outcomes.loc["c", "orders"] == 0
    with pytest.raises(ValueError, match="Holdout period.*missing values"):
        calibration_holdout_split(
            messy_holdout, "2024-03-31", order_col="order_id", missing="raise"
        )


def test_holdout_infinite_amount_refused(log):
    log.loc[len(log)] = ["b", "8", pd.Timestamp("2024-04-09"), np.inf]
    with pytest.raises(ValueError, match="Holdout period.*1 infinite"):
        calibration_holdout_split(log, "2024-03-31", order_col="order_id")


def test_holdout_returns_policy_raise(messy_holdout):
    with pytest.raises(ValueError, match="Holdout period.*negative values"):
        calibration_holdout_split(
            messy_holdout.dropna(), "2024-03-31", order_col="order_id", returns="raise"
        )


def _engine(name, frame):
    if name == "pandas":
        return frame
    if name.startswith("polars"):
        pl = pytest.importorskip("polars")
        out = pl.from_pandas(frame)
        return out.lazy() if name == "polars-lazy" else out
    pa = pytest.importorskip("pyarrow")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if name == "duckdb":
        return pytest.importorskip("duckdb").from_arrow(table)
    if name == "dask":
        dd = pytest.importorskip("dask.dataframe")
        return dd.from_pandas(frame.sample(frac=1.0, random_state=0), npartitions=3)
    return table


@pytest.mark.parametrize(
    "engine", ["polars", "polars-lazy", "pyarrow", "duckdb", "dask"]
)
def test_engines_agree(engine):
    log, _ = make_transactions(200, random_state=4)
    log.loc[[3, 50], "amount"] = [-20.0, -5.5]
    log.loc[[7, 400], "customer_id"] = None
    log.loc[len(log) - 1, "amount"] = -1.25
    with pytest.warns(UserWarning) as expected_record:
        expected = calibration_holdout_split(log, "2025-08-31", order_col="order_id")
    with pytest.warns(UserWarning) as record:
        got = calibration_holdout_split(
            _engine(engine, log), "2025-08-31", order_col="order_id"
        )
    assert sorted(str(w.message) for w in record) == sorted(
        str(w.message) for w in expected_record
    )
    for ours, theirs in zip(got, expected, strict=True):
        assert ours.index.tolist() == theirs.index.tolist()
        pd.testing.assert_frame_equal(
            ours.reset_index(drop=True),
            theirs.reset_index(drop=True),
            check_dtype=False,
        )


def test_holdout_orders_against_a_by_hand_count():
    """Returns are netted and not orders; the count uses purchases only."""
    log, _ = make_transactions(300, random_state=9)
    rng = np.random.default_rng(0)
    flip = rng.choice(len(log), 40, replace=False)
    log.loc[flip, "amount"] *= -1
    cutoff = pd.Timestamp("2025-08-31")
    with pytest.warns(UserWarning):
        features, outcomes = calibration_holdout_split(
            log, cutoff, order_col="order_id"
        )
    later = log[log["date"].dt.normalize() > cutoff]
    bought = later[later["amount"] >= 0]
    orders = bought.groupby("customer_id")["order_id"].nunique()
    # spend: the plain net sum of the holdout, floored at 0 for everyone
    spend = later.groupby("customer_id")["amount"].sum().clip(lower=0.0)
    expected_orders = orders.reindex(features.index, fill_value=0)
    expected_spend = spend.reindex(features.index, fill_value=0.0)
    np.testing.assert_array_equal(outcomes["orders"], expected_orders)
    np.testing.assert_allclose(outcomes["spend"], expected_spend, rtol=1e-12)


def test_spend_below_zero_is_zero_for_buyers_and_returners_alike(log):
    extra = pd.DataFrame(
        {
            "customer_id": ["c", "a", "a"],
            "order_id": ["7", "8", "9"],
            "date": pd.to_datetime(["2024-04-03", "2024-04-04", "2024-04-05"]),
            # c: only a return; a: a purchase of 5 and a larger return
            "amount": [-15.0, 5.0, -12.0],
        }
    )
    with pytest.warns(UserWarning) as record:
        _, outcomes = calibration_holdout_split(
            pd.concat([log, extra], ignore_index=True), "2024-03-31",
            order_col="order_id",
        )  # fmt: skip
    assert outcomes.loc["c", "spend"] == 0.0 and outcomes.loc["c", "orders"] == 0
    assert outcomes.loc["a", "spend"] == 0.0 and outcomes.loc["a", "orders"] == 1
    assert outcomes.loc["b", "spend"] == 30.0
    messages = [str(w.message) for w in record]
    assert any("1 customers returned more than they bought" in m for m in messages)
    assert any("1 customers have only returns" in m for m in messages)


def test_online_retail_spend_equals_a_floored_net_sum(online_retail_path):
    from custseg.datasets import load_online_retail

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = load_online_retail(online_retail_path, clean=False)
        features, outcomes = calibration_holdout_split(
            log, "2011-08-31", order_col="order_id"
        )
    known = log[log["customer_id"].notna()]
    later = known[known["date"] >= "2011-09-01"]
    net = later.groupby("customer_id")["amount"].sum()
    expected = net.clip(lower=0.0).reindex(features.index, fill_value=0.0)
    np.testing.assert_allclose(outcomes["spend"], expected, rtol=1e-9, atol=1e-6)
    assert (outcomes["spend"] >= 0).all()
