"""Spark: one aggregation pass with returns, and no third-party warnings from custseg.

Spark's status tracker counts the jobs each call starts, so a second pass over
the log (as a separate count of returns-only customers once was) shows up.
"""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

from custseg import RFMTransformer, calibration_holdout_split, rfm_table
from custseg.datasets import make_transactions

pytestmark = [pytest.mark.slow, pytest.mark.spark]
_GROUPS = itertools.count()


@pytest.fixture(scope="module")
def log():
    transactions, _ = make_transactions(200, random_state=0)
    transactions.loc[[3, 9], "amount"] *= -1
    # a customer whose only row is a return
    transactions.loc[len(transactions)] = [
        "ZZZ",
        "O-ret",
        pd.Timestamp("2025-01-01"),
        -5.0,
    ]
    return transactions


@pytest.fixture(scope="module")
def spark_log(spark, log):
    with warnings.catch_warnings():
        # PySpark's own notice about pandas 3, raised by createDataFrame here
        warnings.simplefilter("ignore", FutureWarning)
        return spark.createDataFrame(log).cache()


def jobs_and_warnings(spark, call):
    """Run ``call``; return its result, the Spark jobs it started, its warnings."""
    context = spark.sparkContext
    group = f"custseg-{next(_GROUPS)}"
    context.setJobGroup(group, "counted")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = call()
    finally:
        context.setJobGroup("uncounted", "uncounted")
    jobs = context.statusTracker().getJobIdsForGroup(group)
    return result, len(jobs), caught


def from_spark(frame):
    # through Arrow: PySpark's toPandas warns about pandas 3
    return frame.toArrow().to_pandas().set_index("customer_id").sort_index()


@pytest.mark.parametrize(
    "params", [dict(order_col="order_id"), dict(definition="btyd")]
)
def test_returns_in_one_pass(spark, spark_log, log, params):
    spark_log.count()  # materialise the cache outside the counted call
    table, jobs, caught = jobs_and_warnings(
        spark, lambda: rfm_table(spark_log, **params)
    )
    # one collect (the audit, which also counts returns-only customers); a
    # grouped query runs as up to 3 jobs under adaptive execution, the old
    # path's second aggregation added 3 more
    assert jobs <= 3
    messages = [str(w.message) for w in caught]
    assert all(issubclass(w.category, UserWarning) for w in caught), messages
    assert any(m.startswith("1 customers have only returns") for m in messages)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = rfm_table(log, **params)
    got = from_spark(table)
    assert got.index.tolist() == expected.index.tolist()
    np.testing.assert_allclose(
        got.to_numpy(float), expected.to_numpy(float), rtol=1e-12
    )


def test_transformer_and_holdout_raise_no_third_party_warnings(spark, spark_log, log):
    out, _, caught = jobs_and_warnings(
        spark, lambda: RFMTransformer(order_col="order_id").fit_transform(spark_log)
    )
    # custseg collects through Arrow: no PySpark "pandas >= 3" FutureWarning
    assert {w.category for w in caught} == {UserWarning}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.testing.assert_frame_equal(
            out,
            rfm_table(log, order_col="order_id"),
            check_dtype=False,
            check_index_type=False,
        )
        expected = calibration_holdout_split(log, "2025-06-30", order_col="order_id")
    got, _, caught = jobs_and_warnings(
        spark,
        lambda: calibration_holdout_split(
            spark_log, "2025-06-30", order_col="order_id"
        ),
    )
    assert {w.category for w in caught} == {UserWarning}
    for ours, theirs in zip(got, expected, strict=True):
        assert ours.index.tolist() == theirs.index.tolist()
        np.testing.assert_allclose(
            ours.to_numpy(float), theirs.to_numpy(float), rtol=1e-12
        )
