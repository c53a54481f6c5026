"""The aggregation settings are declared once; both engines implement one interface."""

import inspect
import os
import warnings

import pandas as pd
import pytest

import custseg
from custseg import RFMTransformer, calibration_holdout_split, rfm_table
from custseg._aggregation import (
    AGGREGATION_PARAMS,
    LogColumns,
    TransactionLog,
    rfm_transformer_from,
)
from custseg.datasets import make_transactions


def _keyword_defaults(function):
    return {
        name: p.default
        for name, p in inspect.signature(function).parameters.items()
        if p.kind is p.KEYWORD_ONLY
    }


def test_rfm_table_and_transformer_share_the_declared_settings():
    declared = {
        name: RFMTransformer().get_params()[name] for name in AGGREGATION_PARAMS
    }
    assert list(_keyword_defaults(rfm_table)) == list(AGGREGATION_PARAMS)
    assert _keyword_defaults(rfm_table) == declared
    assert sorted(RFMTransformer().get_params()) == sorted(AGGREGATION_PARAMS)
    assert RFMTransformer().aggregation_settings() == declared


def test_log_columns_forms():
    columns = LogColumns.from_params({"customer_col": "c", "order_col": "o"})
    assert columns == LogColumns("c", "date", "amount", "o")
    assert columns.as_params() == {
        "customer_col": "c",
        "date_col": "date",
        "amount_col": "amount",
        "order_col": "o",
    }
    assert columns.by_role()["order"] == "o"


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_both_engines_implement_the_protocol(kind):
    from custseg._aggregation._schema import open_log

    log, _ = make_transactions(20, random_state=0)
    if kind == "polars":
        log = pytest.importorskip("polars").from_pandas(log)
    opened = open_log(log, LogColumns("customer_id", "date", "amount"))
    assert isinstance(opened, TransactionLog)
    assert isinstance(opened.restrict(through_day=800_000), TransactionLog)


def test_unknown_setting_is_named():
    log, _ = make_transactions(20, random_state=0)
    with pytest.raises(TypeError, match=r"unknown aggregation settings \['ordr_col'\]"):
        calibration_holdout_split(log, "2025-06-30", ordr_col="order_id")


def test_transformer_from_settings_or_estimator():
    rfm = RFMTransformer(order_col="order_id")
    made = rfm_transformer_from(rfm, caller_name="f")
    assert made is not rfm and made.get_params() == rfm.get_params()
    assert (
        rfm_transformer_from(None, {"order_col": "o"}, caller_name="f").order_col == "o"
    )
    with pytest.raises(TypeError, match="not both"):
        rfm_transformer_from(rfm, {"order_col": "o"}, caller_name="f")
    with pytest.raises(TypeError, match="must be an RFMTransformer"):
        rfm_transformer_from("order_id", caller_name="f")


def test_fit_transform_warns_once_and_at_the_caller():
    log, _ = make_transactions(50, random_state=0)
    log.loc[3, "customer_id"] = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        RFMTransformer().fit_transform(log)
    messages = [w for w in caught if "missing customer id" in str(w.message)]
    assert len(messages) == 1
    # never inside custseg; scikit-learn's set_output wrapper ("wrapped")
    # may still sit between the user and custseg
    assert not messages[0].filename.startswith(os.path.dirname(custseg.__file__))


def test_report_takes_the_settings_once():
    pytest.importorskip("matplotlib")
    from custseg.report import segmentation_report

    log, _ = make_transactions(120, random_state=0)
    by_keywords = segmentation_report(
        log, order_col="order_id", method="rfm", n_bootstrap=2, random_state=0
    )
    by_estimator = segmentation_report(
        log,
        aggregation=RFMTransformer(order_col="order_id"),
        method="rfm",
        n_bootstrap=2,
        random_state=0,
    )
    pd.testing.assert_frame_equal(by_keywords.assignments, by_estimator.assignments)
    assert by_keywords.summary["orders"] == log["order_id"].nunique()
    with pytest.raises(TypeError, match="not both"):
        segmentation_report(log, aggregation=RFMTransformer(), order_col="order_id")
    with pytest.raises(ValueError, match="definition='btyd'"):
        segmentation_report(log, definition="btyd")
