"""A partitioned parquet log of 1.2M rows: Spark and Dask give the pandas answer.

The log is written once per session to a temporary folder, partitioned by
month (so customers span files), and read by pandas, Dask and Spark in local
mode.  Amounts are multiples of 0.25, so every sum is exact in float64 and the
tables must be *equal*, whatever order each engine adds rows in.  The second
half tests the recipe of ``docs/scaling.md`` in local mode: aggregate on
Spark, write out or bring back the customer table, fit a segmenter on one
machine, and map its ``predict`` back over Spark partitions.
"""

import numpy as np
import pandas as pd
import pytest

from custseg import CustomerSegmenter, rfm_table

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
N_ROWS = 1_200_000
N_CUSTOMERS = 60_000


@pytest.fixture(scope="module")
def parquet_log(tmp_path_factory):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rng = np.random.default_rng(2024)
    customer = rng.integers(0, N_CUSTOMERS, N_ROWS)
    seconds = rng.integers(0, 365 * 86400, N_ROWS).astype("timedelta64[s]")
    date = (np.datetime64("2024-01-01T00:00:00", "s") + seconds).astype(
        "datetime64[us]"
    )
    log = pd.DataFrame(
        {
            "customer_id": customer,
            "order_id": customer * 8 + rng.integers(0, 8, N_ROWS),
            "date": date,
            "amount": rng.integers(-40, 4000, N_ROWS) / 4,  # a few returns
            "month": pd.DatetimeIndex(date).strftime("%Y-%m"),
        }
    )
    path = tmp_path_factory.mktemp("log") / "transactions"
    pq.write_to_dataset(
        pa.Table.from_pandas(log, preserve_index=False),
        root_path=str(path),
        partition_cols=["month"],
    )
    return path


@pytest.fixture(scope="module")
def pandas_tables(parquet_log):
    log = pd.read_parquet(
        parquet_log, columns=["customer_id", "order_id", "date", "amount"]
    )
    assert len(log) == N_ROWS
    with pytest.warns(UserWarning, match="rows with a negative amount"):
        classic = rfm_table(log, order_col="order_id")
    with pytest.warns(UserWarning, match="rows with a negative amount"):
        btyd = rfm_table(log, definition="btyd")
    return {"classic": classic, "btyd": btyd}


def assert_equal_tables(got, expected):
    got = got.set_index("customer_id").sort_index()
    assert got.index.tolist() == expected.index.tolist()
    assert got.columns.tolist() == expected.columns.tolist()
    for col in expected.columns:
        np.testing.assert_array_equal(
            got[col].to_numpy(dtype=float),
            expected[col].to_numpy(dtype=float),
            err_msg=col,
        )


PARAMS = {"classic": dict(order_col="order_id"), "btyd": dict(definition="btyd")}


@pytest.mark.parametrize("kind", list(PARAMS))
def test_dask_equals_pandas(parquet_log, pandas_tables, kind):
    dd = pytest.importorskip("dask.dataframe")
    frame = dd.read_parquet(
        str(parquet_log), columns=["customer_id", "order_id", "date", "amount"]
    )
    assert frame.npartitions > 1
    with pytest.warns(UserWarning, match="rows with a negative amount"):
        lazy = rfm_table(frame, **PARAMS[kind])
    assert_equal_tables(lazy.compute(), pandas_tables[kind])


@pytest.mark.spark
@pytest.mark.parametrize("kind", list(PARAMS))
def test_spark_equals_pandas(spark, parquet_log, pandas_tables, kind):
    frame = spark.read.parquet(str(parquet_log)).drop("month")
    assert frame.rdd.getNumPartitions() > 1
    with pytest.warns(UserWarning, match="rows with a negative amount"):
        lazy = rfm_table(frame, **PARAMS[kind])
    assert type(lazy).__module__.startswith("pyspark")  # still a Spark DataFrame
    assert_equal_tables(lazy.toPandas(), pandas_tables[kind])


@pytest.mark.spark
def test_scaling_recipe_in_local_mode(spark, parquet_log, pandas_tables, tmp_path):
    """docs/scaling.md, step by step."""
    # 1. aggregate where the data lives: a lazy Spark DataFrame comes back
    transactions = spark.read.parquet(str(parquet_log))
    with pytest.warns(UserWarning, match="rows with a negative amount"):
        customers_sdf = rfm_table(transactions, order_col="order_id")
    # 2a. write the customer table out ...
    out = tmp_path / "customers"
    customers_sdf.write.mode("overwrite").parquet(str(out))
    written = pd.read_parquet(out)
    assert_equal_tables(written, pandas_tables["classic"])
    # 2b. ... or bring it back to one machine (one row per customer)
    customers = customers_sdf.toPandas().set_index("customer_id").sort_index()
    # 3. fit the segmenter on one machine
    segmenter = CustomerSegmenter(n_segments=4, random_state=0, n_bootstrap=0)
    segmenter.fit(customers)
    # 4. map predict back over the Spark partitions of the customer table
    features = ["recency", "frequency", "monetary"]

    def predict_partitions(batches):
        for batch in batches:
            yield batch.assign(
                segment=segmenter.predict(batch[features]).astype("int64")
            )[["customer_id", "segment"]]

    scored = customers_sdf.mapInPandas(
        predict_partitions, schema="customer_id long, segment long"
    ).toPandas()
    scored = scored.set_index("customer_id").sort_index()
    assert scored.index.tolist() == customers.index.tolist()
    np.testing.assert_array_equal(scored["segment"].to_numpy(), segmenter.labels_)
