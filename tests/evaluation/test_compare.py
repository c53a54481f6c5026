"""compare_segmentations."""

import numpy as np
import pandas as pd
import pytest

from custseg import (
    QuantileSegmenter,
    RandomSegmenter,
    ValidationReport,
    compare_segmentations,
)
from custseg._evaluation._compare import SORT_RULE
from custseg.datasets import make_transactions


@pytest.fixture(scope="module")
def data():
    log, personas = make_transactions(800, random_state=1)
    grouped = log.groupby("customer_id")
    X = pd.DataFrame(
        {
            "recency": (log["date"].max() - grouped["date"].max()).dt.days,
            "frequency": grouped["order_id"].nunique(),
            "monetary": grouped["amount"].sum(),
        }
    )
    rng = np.random.RandomState(0)
    boost = personas.map({"champions": 5.0, "at_risk_big_spenders": 2.0}).fillna(1.0)
    spend = pd.Series(rng.exponential(30.0 * boost.to_numpy()), index=personas.index)
    return X, personas.reindex(X.index), spend


def test_ranking_puts_real_segments_above_random(data):
    X, personas, spend = data
    table, reports = compare_segmentations(
        {
            "random": RandomSegmenter(5),
            "personas": personas,
            "spend thirds": QuantileSegmenter("monetary", 3),
        },
        X,
        outcome=spend.rename("spend"),
        n_bootstrap=10,
        random_state=0,
        return_reports=True,
    )
    assert table.index.tolist()[-1] == "random"
    assert table.index.tolist()[0] == "personas"
    assert table.loc["random", "verdict"] == "not supported"
    assert table.loc["personas", "segments"] == 5
    assert table.loc["spend thirds", "smallest_share"] == pytest.approx(1 / 3, abs=0.01)
    assert table.loc["personas", "spend effect"] > table.loc["random", "spend effect"]
    assert table.loc["personas", "spend measure"] == "epsilon²"
    assert table.attrs["sort_rule"] == SORT_RULE
    assert set(reports) == {"random", "personas", "spend thirds"}
    assert all(isinstance(r, ValidationReport) for r in reports.values())
    for name, report in reports.items():
        assert table.loc[name, "stability"] == pytest.approx(
            report.segments["stability"].mean()
        )
        assert table.loc[name, "verdict"] == report.verdict


def test_sort_rule_order(data):
    X, personas, spend = data
    table = compare_segmentations(
        {
            "a": personas,
            "b": QuantileSegmenter("monetary", 3),
            "c": QuantileSegmenter("recency", 3),
            "d": RandomSegmenter(3),
        },
        X,
        outcome=spend,
        n_bootstrap=5,
        random_state=0,
    )
    not_supported = (table["verdict"] == "not supported").to_numpy()
    assert not np.any(not_supported[:-1] & ~not_supported[1:])  # all at the end
    for _, group in table.groupby(not_supported):
        assert group["outcome effect"].is_monotonic_decreasing


def test_deterministic(data):
    X, personas, _ = data
    kwargs = {"n_bootstrap": 5, "random_state": 3}
    segs = {"r": RandomSegmenter(3), "p": personas}
    pd.testing.assert_frame_equal(
        compare_segmentations(segs, X, **kwargs),
        compare_segmentations(segs, X, **kwargs),
    )


@pytest.mark.parametrize("bad", [{}, [1, 2], None])
def test_bad_segmentations(data, bad):
    X, _, _ = data
    with pytest.raises(TypeError, match="non-empty dict"):
        compare_segmentations(bad, X)
