"""AttributeSegmenter: demographic and geographic segments."""

import numpy as np
import pandas as pd
import pytest

from custseg import AttributeSegmenter


@pytest.fixture
def customers():
    return pd.DataFrame(
        {
            "country": ["UK", "UK", "FR", "DE", "UK", "FR", "UK", "NL"],
            "gender": ["F", "M", "F", "F", "M", "M", "F", None],
            "age": [19, 34, 45, 61, 30, 29, 50, 70],
            "monetary": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0],
        },
        index=pd.Index([f"C{i}" for i in range(8)], name="customer_id"),
    )


def test_one_categorical_column(customers):
    seg = AttributeSegmenter("country").fit(customers)
    # labels in sorted level order, by hand
    assert seg.segment_names_.tolist() == ["DE", "FR", "NL", "UK"]
    assert seg.labels_.tolist() == [3, 3, 1, 0, 3, 1, 3, 2]
    np.testing.assert_array_equal(seg.predict(customers), seg.labels_)
    assert seg.profiles_["customers"].tolist() == [1, 2, 1, 4]
    assert seg.profiles_["country_share"].tolist() == [1.0, 1.0, 1.0, 1.0]
    # monetary is profiled beside the attribute: revenue shares by hand
    np.testing.assert_allclose(
        seg.profiles_["revenue_share"], np.array([40, 90, 80, 150]) / 360
    )


def test_age_bands_by_edges_and_by_quantiles(customers):
    seg = AttributeSegmenter("age", bins=(30, 50)).fit(customers)
    assert seg.segment_names_.tolist() == ["under 30", "30-50", "50 and over"]
    # a band holds lower <= age < upper: 30 is in 30-50, 50 in "50 and over"
    assert seg.labels_.tolist() == [0, 1, 1, 2, 1, 0, 2, 2]
    quartiles = AttributeSegmenter("age", bins=2).fit(customers)
    np.testing.assert_allclose(
        quartiles.bin_edges_["age"], [np.median(customers["age"])]
    )
    assert quartiles.profiles_["customers"].tolist() == [4, 4]
    new = customers.head(2).assign(age=[5, 200])
    np.testing.assert_array_equal(seg.predict(new), [0, 2])


def test_combinations_and_missing_level(customers):
    seg = AttributeSegmenter(["gender", "age"], bins={"age": (40,)}).fit(customers)
    expected = {
        ("F", "under 40"),
        ("F", "40 and over"),
        ("M", "under 40"),
        ("(missing)", "40 and over"),
    }
    assert set(seg.levels_) == expected and len(seg.levels_) == 4
    assert "(missing), 40 and over" in seg.segment_names_
    # every customer's segment name matches its own values
    for i, name in enumerate(seg.segment_names_[seg.labels_]):
        gender = customers["gender"].iloc[i]
        gender = "(missing)" if pd.isna(gender) else gender
        band = "under 40" if customers["age"].iloc[i] < 40 else "40 and over"
        assert name == f"{gender}, {band}"


def test_rare_levels_are_pooled_and_take_unseen_values(customers):
    seg = AttributeSegmenter("country", min_share=0.2).fit(customers)
    assert seg.segment_names_.tolist() == ["FR", "UK", "Other"]
    assert seg.other_label_ == 2
    assert seg.labels_.tolist() == [1, 1, 0, 2, 1, 0, 1, 2]
    new = customers.head(2).assign(country=["US", "UK"])
    np.testing.assert_array_equal(seg.predict(new), [2, 1])
    strict = AttributeSegmenter("country").fit(customers)
    with pytest.raises(ValueError, match=r"1 customer\(s\).*\('US',\)"):
        strict.predict(new)


def test_polars_gives_the_same_segments(customers):
    pl = pytest.importorskip("polars")
    seg = AttributeSegmenter(["country", "gender"]).fit(customers)
    other = AttributeSegmenter(["country", "gender"]).fit(
        pl.from_pandas(customers.reset_index())
    )
    np.testing.assert_array_equal(seg.labels_, other.labels_)
    np.testing.assert_array_equal(seg.segment_names_, other.segment_names_)


def test_bad_input_is_named(customers):
    original = customers.copy()
    with pytest.raises(ValueError, match=r"\['city'\] not found"):
        AttributeSegmenter("city").fit(customers)
    with pytest.raises(ValueError, match="'monetary' has 24 distinct values"):
        AttributeSegmenter("monetary", min_share=0.0).fit(
            pd.concat([customers] * 3)
            .reset_index(drop=True)
            .assign(monetary=np.arange(24.0))
        )
    with pytest.raises(TypeError, match="'country' has bins but is not numeric"):
        AttributeSegmenter("country", bins={"country": (1,)}).fit(customers)
    with pytest.raises(ValueError, match="increasing finite edges"):
        AttributeSegmenter("age", bins=(50, 30)).fit(customers)
    pd.testing.assert_frame_equal(customers, original)


def test_mall_gender_and_age_bands(mall_customers_path):
    mall = pd.read_csv(mall_customers_path)
    seg = AttributeSegmenter(["Genre", "Age"], bins={"Age": (30, 50)}).fit(mall)
    crosstab = pd.crosstab(
        mall["Genre"], pd.cut(mall["Age"], [0, 30, 50, 200], right=False)
    )
    assert sorted(seg.profiles_["customers"]) == sorted(crosstab.to_numpy().ravel())
    assert seg.n_segments_ == 6
