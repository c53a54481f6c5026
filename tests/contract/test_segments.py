"""segment_profiles and the columns each segmenter profiles.

Expected medians and shares are computed here with plain pandas groupby.
A polars customer table keeps the customer id as a (numeric) first column:
it must never be profiled.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from custseg import (
    CustomerSegmenter,
    QuantileSegmenter,
    RandomSegmenter,
    RFMSegmenter,
    UsageTiers,
    segment_profiles,
)
from custseg._base import profile_features


@pytest.fixture
def customers():
    rng = np.random.RandomState(0)
    n = 60
    return pd.DataFrame(
        {
            "customer_id": np.arange(1000, 1000 + n),  # numeric id, first column
            "recency": rng.randint(0, 300, n),
            "frequency": rng.randint(1, 12, n),
            "monetary": rng.gamma(2.0, 50.0, n).round(2),
            "age": rng.randint(18, 80, n),
        }
    )


def test_features_argument_limits_the_medians(customers):
    labels = np.repeat([0, 1, 2], 20)
    out = segment_profiles(customers, labels, features=["recency"])
    expected = customers.groupby(labels)["recency"].median().to_numpy()
    np.testing.assert_allclose(out["recency"], expected)
    for column in ("customer_id", "frequency", "monetary", "age"):
        assert column not in out
    # the revenue columns come from monetary / frequency whether profiled or not
    totals = customers.groupby(labels)["monetary"].sum()
    np.testing.assert_allclose(out["revenue_share"], totals / totals.sum())
    assert out["orders"].tolist() == (
        customers.groupby(labels)["frequency"].sum().tolist()
    )


def test_default_skips_identifier_columns(customers):
    labels = np.repeat([0, 1], 30)
    out = segment_profiles(customers, labels)
    assert "customer_id" not in out
    for column in ("recency", "frequency", "monetary", "age"):
        np.testing.assert_allclose(
            out[column], customers.groupby(labels)[column].median()
        )


def test_bad_features_are_named(customers):
    labels = np.zeros(len(customers), dtype=int)
    with pytest.raises(ValueError, match=r"\['spend'\] not found"):
        segment_profiles(customers, labels, features=["spend"])
    # a text column is profiled by its most common level and that level's share
    out = segment_profiles(customers.assign(city="x"), labels, features=["city"])
    assert out[["city", "city_share"]].values.tolist() == [["x", 1.0]]


def test_profile_features_appends_frequency_and_monetary(customers):
    assert profile_features(customers, ["age"]) == ["age", "frequency", "monetary"]
    assert profile_features(customers, ["monetary", "recency"]) == [
        "monetary",
        "recency",
        "frequency",
    ]
    text = customers.assign(monetary=customers["monetary"].astype(str))
    assert profile_features(text, ["age"]) == ["age", "frequency"]


def _segmenters():
    return {
        "RFMSegmenter": RFMSegmenter(),
        "UsageTiers": UsageTiers(),
        "QuantileSegmenter": QuantileSegmenter("monetary"),
        "RandomSegmenter": RandomSegmenter(3, random_state=0),
        "CustomerSegmenter": CustomerSegmenter(
            n_segments=3, n_bootstrap=0, random_state=0
        ),
    }


@pytest.mark.parametrize("name", list(_segmenters()))
def test_polars_customer_id_is_never_profiled(customers, name):
    pl = pytest.importorskip("polars")
    # the id is numeric and not named like an id, so only the columns a
    # segmenter used can keep it out of the profiles
    table = customers.rename(columns={"customer_id": "member"}).drop(columns="age")
    frame = pl.from_pandas(table)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # ties, catch-all
        seg = _segmenters()[name].fit(frame)
    profiles = seg.profiles_
    if name != "RandomSegmenter":  # uses no column: profiles every number
        assert "member" not in profiles
    for column in ("frequency", "monetary"):
        expected = table.groupby(seg.labels_)[column].median()
        np.testing.assert_allclose(
            profiles.loc[expected.index, column], expected.to_numpy()
        )
    totals = table.groupby(seg.labels_)["monetary"].sum()
    np.testing.assert_allclose(
        profiles.loc[totals.index, "revenue_share"], totals / totals.sum()
    )


@pytest.mark.parametrize("name", list(_segmenters()))
def test_id_named_column_is_never_profiled(customers, name):
    pl = pytest.importorskip("polars")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        seg = _segmenters()[name].fit(pl.from_pandas(customers))
    assert "customer_id" not in seg.profiles_


def test_numbers_held_as_objects_are_read_and_text_is_refused():
    from custseg._tables import check_numeric_columns

    table = pd.DataFrame({"a": pd.Series([1, 2.5, 3], dtype=object)})
    np.testing.assert_array_equal(
        check_numeric_columns(table, ["a"])[:, 0], [1, 2.5, 3]
    )
    with pytest.raises(TypeError, match="column 'a' must be numeric, got dtype object"):
        check_numeric_columns(table.astype({"a": object}).assign(a=["x", 1, 2]), ["a"])
