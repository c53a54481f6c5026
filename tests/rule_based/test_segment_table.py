"""segment_table: one row per customer, the segment and (for RFM) scores and code."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from custseg import RFMScorer, RFMSegmenter, UsageTiers, segment_table


def _customers():
    return pd.DataFrame(
        {
            "recency": [2, 10, 40, 90, 300, 5, 61, 7, 150, 33, 12, 80],
            "frequency": [9, 4, 3, 1, 1, 6, 2, 5, 1, 2, 7, 3],
            "monetary": [900.0, 120, 80, 15, 20, 400, 60, 300, 10, 45, 700, 50],
        },
        index=pd.Index([f"c{i:02d}" for i in range(12)], name="customer_id"),
    )


def test_rfm_rows_hold_values_scores_code_and_name():
    X = _customers()
    seg = RFMSegmenter(n_bins=3, rules={"Top": {"recency": (3, 3)}, "Rest": {}})
    table = segment_table(seg, X)
    with pytest.raises(NotFittedError):  # the argument is left unfitted
        check_is_fitted(seg)
    fitted = RFMSegmenter(n_bins=3, rules={"Top": {"recency": (3, 3)}, "Rest": {}}).fit(
        X
    )
    scores = RFMScorer(3).fit_transform(X)
    assert table.index.equals(X.index)
    assert table.columns.tolist() == [
        "label",
        "segment",
        "recency",
        "frequency",
        "monetary",
        "recency_score",
        "frequency_score",
        "monetary_score",
        "rfm_code",
    ]
    np.testing.assert_array_equal(table["label"], fitted.labels_)
    np.testing.assert_array_equal(
        table["segment"], fitted.segment_names_[fitted.labels_]
    )
    np.testing.assert_array_equal(
        table[["recency", "monetary"]], X[["recency", "monetary"]]
    )
    np.testing.assert_array_equal(table.iloc[:, 5:8], scores)
    expected = ["".join(map(str, row)) for row in scores.tolist()]
    assert table["rfm_code"].tolist() == expected
    assert set(table.loc[table["recency_score"] == 3, "segment"]) == {"Top"}
    # a fitted segmenter labels new customers with predict
    assert segment_table(fitted, X.iloc[:4])["label"].tolist() == list(
        fitted.labels_[:4]
    )


def test_codes_beyond_nine_bins_are_joined():
    X = pd.concat([_customers()] * 2)
    X.index = pd.Index([f"c{i:02d}" for i in range(len(X))], name="customer_id")
    seg = RFMSegmenter(
        n_bins=10, scorer=RFMScorer(10, method="ntile"), rules={"All": {}}
    )
    table = segment_table(seg, X)
    first = table.iloc[0]
    assert first["rfm_code"] == "-".join(
        str(first[f"{m}_score"]) for m in ("recency", "frequency", "monetary")
    )


def test_usage_tiers_and_polars():
    pl = pytest.importorskip("polars")
    X = _customers()
    table = segment_table(UsageTiers("monetary"), X)
    assert table.columns.tolist() == ["label", "segment"]
    assert table.loc["c00", "segment"] == "heavy"
    as_polars = pl.from_pandas(X.reset_index())
    out = segment_table(UsageTiers("monetary"), as_polars)
    assert isinstance(out, pl.DataFrame)
    assert out.columns == ["customer_id", "label", "segment"]
    assert out["customer_id"].to_list() == X.index.tolist()
    assert out["segment"].to_list() == table["segment"].tolist()
