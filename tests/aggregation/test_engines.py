"""The same log gives the same customer table on every dataframe engine."""

import warnings

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pytest

from custseg import rfm_table
from custseg.datasets import make_transactions

CASES = [
    dict(order_col="order_id"),
    dict(order_col="order_id", extra_features="all", monetary="mean"),
    dict(),
    dict(definition="btyd"),
    dict(definition="btyd", period="W", time_scaler=2.0),
]
CASE_IDS = ["orders", "extras", "rows", "btyd-day", "btyd-week"]


@pytest.fixture(scope="module")
def log():
    transactions, _ = make_transactions(300, random_state=7)
    # a few returns and a missing id exercise the policies on every engine
    transactions.loc[5, "amount"] = -12.5
    transactions.loc[17, "customer_id"] = None
    return transactions


def expected_table(log, params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rfm_table(log, **params)


def as_pandas(result, customer_col="customer_id"):
    if isinstance(result, pd.DataFrame):
        assert result.index.name == customer_col
        out = result.sort_index()
        out.index = out.index.astype(str)
        return out
    frame = nw.from_native(result)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    out = frame.to_pandas().set_index(customer_col).sort_index()
    out.index = out.index.astype(str)
    return out


def assert_same(result, expected):
    got = as_pandas(result)
    expected = expected.copy()
    expected.index = expected.index.astype(str)
    assert got.index.tolist() == expected.index.tolist()
    assert got.columns.tolist() == expected.columns.tolist()
    np.testing.assert_allclose(
        got.to_numpy(dtype=float), expected.to_numpy(dtype=float), rtol=1e-12, atol=1e-9
    )


def run(native, params):
    with pytest.warns(UserWarning) as record:
        out = rfm_table(native, **params)
    messages = " ".join(str(w.message) for w in record)
    assert "1 with a missing customer id" in messages
    assert "1 rows with a negative amount" in messages
    return out


def engines():
    return [
        "narwhals-pandas",
        "polars",
        "polars-lazy",
        "pyarrow",
        "duckdb",
        "dask",
    ]


def to_engine(name, log):
    if name == "narwhals-pandas":
        # the portable narwhals path on pandas (the default pandas path is numpy)
        return nw.from_native(log)
    if name.startswith("polars"):
        pl = pytest.importorskip("polars")
        frame = pl.from_pandas(log)
        return frame.lazy() if name == "polars-lazy" else frame
    if name == "pyarrow":
        pa = pytest.importorskip("pyarrow")
        return pa.Table.from_pandas(log, preserve_index=False)
    if name == "duckdb":
        duckdb = pytest.importorskip("duckdb")
        return duckdb.from_arrow(
            pytest.importorskip("pyarrow").Table.from_pandas(log, preserve_index=False)
        )
    if name == "dask":
        dd = pytest.importorskip("dask.dataframe")
        # shuffled rows in 4 partitions: customers' orders span partitions
        shuffled = log.sample(frac=1.0, random_state=0).reset_index(drop=True)
        return dd.from_pandas(shuffled, npartitions=4)
    raise AssertionError(name)


@pytest.mark.filterwarnings(
    "ignore:Dask support is moving out of Narwhals:FutureWarning"
)
@pytest.mark.parametrize("engine", engines())
@pytest.mark.parametrize("params", CASES, ids=CASE_IDS)
def test_engine_matches_pandas(engine, params, log):
    expected = expected_table(log, params)
    native = to_engine(engine, log)
    result = run(native, params)
    if engine in ("polars-lazy", "duckdb", "dask"):
        # a lazy frame stays lazy
        assert isinstance(nw.from_native(result), nw.LazyFrame)
    assert_same(result, expected)


def test_dask_customers_span_partitions(log):
    dd = pytest.importorskip("dask.dataframe")
    shuffled = log.sample(frac=1.0, random_state=0).reset_index(drop=True)
    frame = dd.from_pandas(shuffled, npartitions=4)
    parts = [
        set(frame.get_partition(i).compute()["customer_id"].dropna()) for i in range(4)
    ]
    spanning = set.intersection(*[p | set() for p in parts[:2]])
    assert spanning, "the partitioning must split some customers' orders"


@pytest.mark.slow
@pytest.mark.spark
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("params", CASES, ids=CASE_IDS)
def test_spark_matches_pandas(spark, params, log):
    expected = expected_table(log, params)
    native = spark.createDataFrame(pd.DataFrame(log).astype({"customer_id": object}))
    result = run(native, params)
    assert_same(result, expected)
