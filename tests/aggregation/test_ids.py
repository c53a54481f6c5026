"""Ids at the edges of the integer range keep their exact values on every path."""

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pytest

from custseg import rfm_table

DATES = pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02", "2024-01-05"])


def _log(customers, orders=None):
    log = pd.DataFrame(
        {"customer_id": customers, "date": DATES, "amount": [1.0, 2.0, 4.0, 8.0]}
    )
    if orders is not None:
        log["order_id"] = orders
    return log


def _expected(ids):
    # by hand: rows 0,1 are the first id (two orders), rows 2,3 the second
    return pd.DataFrame(
        {"recency": [2, 0], "frequency": [2, 2], "monetary": [3.0, 12.0]},
        index=pd.Index(ids, name="customer_id"),
    )


def test_uint64_customer_ids_above_2_63():
    ids = np.array([2**63 + 1, 2**64 - 1], dtype=np.uint64)
    log = _log(np.repeat(ids, 2))
    got = rfm_table(log)
    assert got.index.dtype == np.uint64
    assert got.index.tolist() == [2**63 + 1, 2**64 - 1]
    pd.testing.assert_frame_equal(got, _expected(ids), check_index_type=False)


def test_uint64_ids_close_together_use_the_offset_path():
    ids = np.array([2**64 - 3, 2**64 - 1], dtype=np.uint64)
    got = rfm_table(_log(np.repeat(ids, 2)))
    assert got.index.tolist() == [2**64 - 3, 2**64 - 1]


def test_int64_customer_and_order_ids_near_the_maximum():
    top = np.iinfo(np.int64).max
    ids = np.array([top - 1, top], dtype=np.int64)
    orders = np.array([top - 3, top - 2, top - 1, top], dtype=np.int64)
    got = rfm_table(_log(np.repeat(ids, 2), orders), order_col="order_id")
    assert got.index.tolist() == [top - 1, top]
    pd.testing.assert_frame_equal(got, _expected(ids), check_index_type=False)


def test_int64_ids_at_both_ends():
    low, top = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    ids = np.array([low, top], dtype=np.int64)
    got = rfm_table(_log(np.repeat(ids, 2)))
    assert got.index.tolist() == [low, top]


@pytest.mark.parametrize("dtype", [np.uint64, np.int64])
def test_pandas_fast_path_equals_polars(dtype):
    pl = pytest.importorskip("polars")
    top = np.iinfo(dtype).max
    ids = np.array([top - 2, top], dtype=dtype)
    log = _log(np.repeat(ids, 2), np.arange(4, dtype=dtype) + (top - 3))
    fast = rfm_table(log, order_col="order_id")
    other = nw.from_native(rfm_table(pl.from_pandas(log), order_col="order_id"))
    assert other["customer_id"].to_list() == fast.index.tolist()
    np.testing.assert_array_equal(other.drop("customer_id").to_numpy(), fast.to_numpy())
