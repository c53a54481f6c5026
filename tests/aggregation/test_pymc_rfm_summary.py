"""rfm_table reproduces PyMC-Marketing's rfm_summary, checked against its own output."""

import warnings

import numpy as np
import pandas as pd
import pytest

from custseg import rfm_table
from custseg.datasets import load_cdnow, load_online_retail

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rfm_summary():
    utils = pytest.importorskip(
        "pymc_marketing.clv.utils",
        reason="PyMC-Marketing is not installed (pip install custseg[test] has it)",
    )
    return utils.rfm_summary


def _compare(log, rfm_summary, **kwargs):
    theirs = rfm_summary(
        log, "customer_id", "date", monetary_value_col="amount", **kwargs
    ).set_index("customer_id")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the logs are clean: nothing to report
        ours = rfm_table(log, definition="btyd", **kwargs)
    theirs.index = theirs.index.astype(ours.index.dtype)
    theirs = theirs.sort_index()
    assert ours.index.tolist() == theirs.index.tolist()
    assert ours.columns.tolist() == theirs.columns.tolist()
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-12)
    return ours


@pytest.mark.parametrize("include_first_transaction", [True, False])
def test_cdnow(cdnow_master_path, rfm_summary, include_first_transaction):
    log = load_cdnow(cdnow_master_path)
    ours = _compare(
        log, rfm_summary, include_first_transaction=include_first_transaction
    )
    assert len(ours) == 23570


def test_online_retail(online_retail_path, rfm_summary):
    with pytest.warns(UserWarning, match="load_online_retail dropped"):
        log = load_online_retail(online_retail_path)
    ours = _compare(log, rfm_summary, include_first_transaction=True)
    assert len(ours) == log["customer_id"].nunique()


def test_include_first_transaction_by_hand():
    log = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b"],
            "date": pd.to_datetime(
                ["2024-01-01", "2024-01-01", "2024-01-05", "2024-01-03"]
            ),
            "amount": [10.0, 20.0, 6.0, 4.0],
        }
    )
    got = rfm_table(log, definition="btyd", include_first_transaction=True)
    # a: two purchase days (30 and 6), last on the reference day; b: one day
    assert got.to_dict("list") == {
        "frequency": [2.0, 1.0],
        "recency": [0.0, 2.0],
        "monetary_value": [18.0, 4.0],
    }
    with pytest.raises(ValueError, match="include_first_transaction"):
        rfm_table(log, include_first_transaction=True)
