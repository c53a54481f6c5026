"""What comes out of RFMTransformer and rfm_table for each kind of log."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from custseg import RFMTransformer, rfm_table
from custseg.datasets import make_transactions

pl = pytest.importorskip("polars")


@pytest.fixture(scope="module")
def log():
    transactions, _ = make_transactions(120, random_state=5)
    return transactions


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("method", ["fit_transform", "transform"])
def test_polars_in_polars_out(log, lazy, method):
    native = pl.from_pandas(log)
    native = native.lazy() if lazy else native
    rfm = RFMTransformer(order_col="order_id", extra_features=["tenure"])
    out = (
        rfm.fit_transform(native)
        if method == "fit_transform"
        else rfm.fit(native).transform(native)
    )
    assert isinstance(out, pl.DataFrame)
    assert out.columns == rfm.get_feature_names_out().tolist()
    expected = rfm_table(log, order_col="order_id", extra_features=["tenure"])
    np.testing.assert_allclose(out.to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_set_output_pandas_wins_over_the_input_kind(log):
    rfm = RFMTransformer(order_col="order_id").set_output(transform="pandas")
    out = rfm.fit_transform(pl.from_pandas(log))
    pd.testing.assert_frame_equal(out, rfm_table(log, order_col="order_id"))


def test_polars_pipeline(log):
    pipe = make_pipeline(
        RFMTransformer(order_col="order_id"),
        StandardScaler(),
        KMeans(3, n_init=2, random_state=0),
    )
    from_polars = pipe.fit_predict(pl.from_pandas(log))
    from_pandas = pipe.fit_predict(log)
    np.testing.assert_array_equal(from_polars, from_pandas)  # same rows, same order


def test_dask_table_keeps_partitions(log):
    dd = pytest.importorskip("dask.dataframe")
    for npartitions in (1, 3, 6):
        frame = dd.from_pandas(log, npartitions=npartitions)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            table = rfm_table(frame, order_col="order_id")
        assert table.npartitions == npartitions
        # narwhals' notice about its Dask plugin is not custseg's to show
        assert not caught, [str(w.message) for w in caught]
        got = table.compute().set_index("customer_id").sort_index()
        pd.testing.assert_frame_equal(
            got,
            rfm_table(log, order_col="order_id"),
            check_dtype=False,
            check_index_type=False,
        )
