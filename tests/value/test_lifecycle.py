"""lifecycle_stages: hand-worked cases, an independent pandas oracle, engines, openretailscience."""

import warnings

import numpy as np
import pandas as pd
import pytest

from custseg import lifecycle_stages
from custseg.datasets import load_online_retail, make_transactions

STAGES = ["new", "repeat", "reactivated", "lapsed"]


def stages_by_hand(log, freq, last=None):
    """Slow, obvious computation: sets of purchase periods per customer."""
    purchases = log[log["amount"] >= 0]
    period = purchases["date"].dt.to_period(freq)
    bought = purchases.assign(period=period).groupby("customer_id")["period"]
    bought = {c: set(p) for c, p in bought}
    first_all = log["date"].dt.to_period(freq).min()
    last = log["date"].dt.to_period(freq).max() if last is None else last
    periods = pd.period_range(first_all, last, freq=freq)
    rows = []
    for p in periods:
        counts = dict.fromkeys(STAGES, 0)
        for periods_bought in bought.values():
            first = min(periods_bought)
            if p < first:
                continue
            if p == first:
                counts["new"] += 1
            elif p in periods_bought and (p - 1) in periods_bought:
                counts["repeat"] += 1
            elif p in periods_bought:
                counts["reactivated"] += 1
            else:
                counts["lapsed"] += 1
        rows.append(counts)
    return pd.DataFrame(rows, index=periods)[STAGES]


def small_log():
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "b", "c", "c"],
            "date": pd.to_datetime(
                [
                    "2024-01-03",
                    "2024-02-10",
                    "2024-05-02",
                    "2024-02-20",
                    "2024-02-21",
                    "2024-03-01",
                    "2024-04-15",
                ]
            ),
            "amount": [5.0, 6.0, 7.0, 1.0, 2.0, 3.0, -3.0],
        }
    )


def test_hand_worked_monthly():
    with pytest.warns(UserWarning, match="1 rows with a negative amount"):
        result = lifecycle_stages(small_log(), periods="M")
    # a: Jan new, Feb repeat, Mar lapsed, Apr lapsed, May reactivated
    # b: Feb new, then lapsed; c: Mar new, Apr lapsed (a return is no purchase)
    expected = pd.DataFrame(
        {
            "2024-01": ["new", "-", "-"],
            "2024-02": ["repeat", "new", "-"],
            "2024-03": ["lapsed", "lapsed", "new"],
            "2024-04": ["lapsed", "lapsed", "lapsed"],
            "2024-05": ["reactivated", "lapsed", "lapsed"],
        },
        index=["a", "b", "c"],
    )
    got = result.stages.astype(object).fillna("-")
    assert [str(p) for p in got.columns] == list(expected.columns)
    assert got.to_numpy().tolist() == expected.to_numpy().tolist()
    assert result.counts.loc["2024-04"].tolist() == [0, 0, 0, 3]
    # net revenue per stage: c's return lands in April's lapsed column
    assert result.revenue.loc["2024-04", "lapsed"] == -3.0
    assert result.revenue.to_numpy().sum() == pytest.approx(21.0)


def test_every_customer_has_one_stage_per_period_from_first_purchase():
    log, _ = make_transactions(300, random_state=3)
    result = lifecycle_stages(log, periods="M")
    stages = result.stages
    started = stages.notna().cumsum(axis=1) > 0
    assert (stages.notna() == started).all().all()  # no gap after the start
    np.testing.assert_array_equal(result.counts.sum(axis=1), started.sum(axis=0))
    assert (stages.notna().sum(axis=1) > 0).all()


@pytest.mark.parametrize("freq", ["M", "Q"])
def test_synthetic_equals_pandas_oracle(freq):
    log, _ = make_transactions(200, random_state=5)
    got = lifecycle_stages(log, periods=freq).counts
    expected = stages_by_hand(log, freq)
    assert list(got.index) == list(expected.index)
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())


def test_online_retail_by_quarter_equals_pandas_oracle(online_retail_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the loader counts what it drops
        log = load_online_retail(online_retail_path, clean=False)
    log = log[log["customer_id"].notna()]
    with pytest.warns(UserWarning, match="returns"):
        got = lifecycle_stages(log, periods="Q")
    expected = stages_by_hand(log, "Q")
    assert list(got.counts.index) == list(expected.index)
    np.testing.assert_array_equal(got.counts.to_numpy(), expected.to_numpy())
    # 4,339 customers bought something (the published UCI figure)
    assert int(got.counts.iloc[-1].sum()) == 4339


def to_engine(name, log):
    if name == "polars":
        return pytest.importorskip("polars").from_pandas(log)
    if name == "polars-lazy":
        return pytest.importorskip("polars").from_pandas(log).lazy()
    if name == "dask":
        dd = pytest.importorskip("dask.dataframe")
        # shuffled rows in 4 partitions: customers' purchases span partitions
        return dd.from_pandas(log.sample(frac=1.0, random_state=0), npartitions=4)
    pa = pytest.importorskip("pyarrow")
    table = pa.Table.from_pandas(log, preserve_index=False)
    if name == "pyarrow":
        return table
    return pytest.importorskip("duckdb").from_arrow(table)


@pytest.mark.filterwarnings(
    "ignore:Dask support is moving out of Narwhals:FutureWarning"
)
@pytest.mark.parametrize(
    "engine", ["polars", "polars-lazy", "pyarrow", "duckdb", "dask"]
)
@pytest.mark.parametrize("freq", ["W", "M", "Q", "Y"])
def test_engines_equal_pandas(engine, freq):
    log, _ = make_transactions(150, random_state=11)
    log.loc[3, "amount"] = -4.0  # a return: revenue only
    with pytest.warns(UserWarning, match="returns"):
        expected = lifecycle_stages(log, periods=freq)
    with pytest.warns(UserWarning, match="returns"):
        got = lifecycle_stages(to_engine(engine, log), periods=freq)
    pd.testing.assert_frame_equal(got.counts, expected.counts)
    pd.testing.assert_frame_equal(got.revenue, expected.revenue)
    pd.testing.assert_frame_equal(got.stages, expected.stages)


def test_online_retail_duckdb_and_polars_equal_pandas(online_retail_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = load_online_retail(online_retail_path)
    expected = lifecycle_stages(log, periods="Q")
    for engine in ("duckdb", "polars"):
        got = lifecycle_stages(to_engine(engine, log), periods="Q")
        pd.testing.assert_frame_equal(got.counts, expected.counts)


def test_matches_openretailscience_where_definitions_overlap():
    nlr = pytest.importorskip(
        "openretailscience.segmentation.nlr",
        reason="openretailscience is a test-only oracle (pip install "
        "openretailscience); it pins pandas < 3",
    )
    log, _ = make_transactions(200, random_state=2)
    log = log[log["amount"] > 0]  # openretailscience: active = positive spend
    result = lifecycle_stages(log, periods="Q")
    quarters = log.assign(quarter=log["date"].dt.to_period("Q").astype(str))
    quarters = quarters.rename(columns={"amount": "unit_spend"})
    for before, after in zip(
        result.stages.columns[:-1], result.stages.columns[1:], strict=True
    ):
        theirs = nlr.NLRSegmentation(
            quarters, period_col="quarter", p1_value=str(before), p2_value=str(after)
        ).df["segment_name"]
        ours = result.stages[after]
        bought_before = result.stages[before].isin(["new", "repeat", "reactivated"])
        counts = theirs.value_counts()
        assert counts.get("Repeating", 0) == (ours == "repeat").sum()
        assert counts.get("New", 0) == ours.isin(["new", "reactivated"]).sum()
        assert counts.get("Lapsed", 0) == ((ours == "lapsed") & bought_before).sum()


def test_transitions_between_two_quarters():
    log, _ = make_transactions(200, random_state=4)
    result = lifecycle_stages(log, periods="Q")
    before, after = result.stages.columns[-2], result.stages.columns[-1]
    migration = result.transitions(str(before), after)
    table = pd.crosstab(
        result.stages[before].dropna().astype(str),
        result.stages.loc[result.stages[before].notna(), after].astype(str),
    )
    for b in table.index:
        for a in table.columns:
            assert migration.counts.loc[b, a] == table.loc[b, a]
    assert migration.n_new == int(result.stages[before].isna().sum())
    with pytest.raises(ValueError, match="not a period"):
        result.transitions("1999Q1", after)


@pytest.mark.filterwarnings("ignore:1 rows with a negative amount:UserWarning")
class TestBadInput:
    def test_bad_periods(self):
        with pytest.raises(ValueError, match="periods"):
            lifecycle_stages(small_log(), periods="fortnight")

    def test_missing_column_named(self):
        with pytest.raises(ValueError, match="date_col='when'"):
            lifecycle_stages(small_log(), date_col="when")

    def test_missing_ids_counted_and_warning_points_at_caller(self):
        log = small_log().astype({"customer_id": object})
        log.loc[0, "customer_id"] = None
        with pytest.warns(UserWarning, match="1 rows") as record:
            lifecycle_stages(log, periods="M")
        assert any(w.filename == __file__ for w in record)

    def test_returns_raise_policy(self):
        with pytest.raises(ValueError, match="negative"):
            lifecycle_stages(small_log(), returns="raise")

    def test_input_not_modified(self):
        log = small_log()
        before = log.copy()
        lifecycle_stages(log, periods="M")
        pd.testing.assert_frame_equal(log, before)


class TestIncompleteLastPeriod:
    def test_warning_names_the_period_and_its_days(self):
        log = small_log()  # ends on 2024-05-02: 2 of May's 31 days
        with pytest.warns(UserWarning, match=r"2024-05, is incomplete.*2 of its 31"):
            result = lifecycle_stages(log, periods="M", returns="ignore")
        assert result.complete.tolist() == [True] * 4 + [False]
        assert result.complete.index.equals(result.counts.index)

    def test_log_ending_on_a_period_end_is_complete(self):
        log = small_log()
        log.loc[len(log)] = ["a", pd.Timestamp("2024-05-31"), 1.0]
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*incomplete")
            result = lifecycle_stages(log, periods="M", returns="ignore")
        assert result.complete.all()

    def test_reference_date_at_the_previous_period_end_leaves_it_out(self):
        with pytest.warns(UserWarning, match="dated after"):
            result = lifecycle_stages(
                small_log(), periods="M", returns="ignore",
                reference_date="2024-04-30",
            )  # fmt: skip
        assert str(result.counts.index[-1]) == "2024-04"
        assert result.complete.all()


def test_online_retail_partial_december_is_flagged(online_retail_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = load_online_retail(online_retail_path, clean=False)
    with pytest.warns(UserWarning) as caught:
        result = lifecycle_stages(log, periods="M")
    messages = [str(w.message) for w in caught]
    partial = [m for m in messages if "incomplete" in m]
    assert len(partial) == 1
    assert "2011-12" in partial[0] and "9 of its 31 days" in partial[0]
    assert not result.complete.iloc[-1] and result.complete.iloc[:-1].all()
