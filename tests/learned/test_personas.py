"""Tests of persona naming on hand-built profiles and populations."""

import numpy as np
import pandas as pd
import pytest

from custseg import name_personas, segment_profiles


@pytest.fixture
def population():
    # 100 customers; each feature takes the values 0..99 once, so the mid-rank
    # percentile of a median m is (m + 0.5) / 100 for integer m.
    return pd.DataFrame(
        {
            "recency": np.arange(100),
            "frequency": np.arange(1, 101),
            "monetary": np.arange(100) * 10.0,
        }
    )


def test_names_follow_the_percentile_of_each_median(population):
    profiles = pd.DataFrame(
        {
            # percentiles: recency .055 / .905 / .405 / .655
            "recency": [5, 90, 40, 65],
            # frequency 1 is "one-off" whatever its percentile; 96 -> .955;
            # 30 -> .295 (2nd quarter); 60 -> .595 (3rd quarter)
            "frequency": [96, 1, 30, 60],
            # monetary 900 -> .905, 20 -> .025, 300 -> .305, 600 -> .605
            # (big, low, modest, above average)
            "monetary": [900.0, 20.0, 300.0, 600.0],
        }
    )
    out = name_personas(profiles, population)
    assert out["name"].tolist() == [
        "Recent frequent big spenders",
        "Lapsed one-off low spenders",
        "Fairly recent occasional modest spenders",
        "Lapsing regular above-average spenders",
    ]
    np.testing.assert_allclose(out["recency_percentile"], [0.055, 0.905, 0.405, 0.655])
    assert out["rule_segment"].tolist()[:2] == ["Champions", "Lost"]
    assert out.loc[0, "description"] == (
        "Bought 5 days ago on median, 96 orders, spends 900 in total."
    )


def test_names_do_not_depend_on_the_order_of_the_profile_rows(population):
    profiles = pd.DataFrame(
        {
            "recency": [5, 90, 40, 65, 10],
            "frequency": [96, 1, 30, 60, 3],
            "monetary": [900.0, 20.0, 300.0, 600.0, 50.0],
        }
    )
    names = name_personas(profiles, population)["name"]
    order = [3, 0, 4, 2, 1]
    shuffled = name_personas(profiles.iloc[order], population)["name"]
    pd.testing.assert_series_equal(shuffled.sort_index(), names.sort_index())


def test_relabelling_the_clusters_keeps_every_customers_persona():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "recency": rng.randint(0, 400, 300),
            "frequency": rng.randint(1, 30, 300),
            "monetary": rng.gamma(2.0, 100.0, 300),
        }
    )
    labels = rng.randint(0, 6, 300)
    permutation = np.array([4, 2, 5, 0, 1, 3])  # old label -> new label
    per_customer = []
    for lab in (labels, permutation[labels]):
        names = name_personas(segment_profiles(X, lab), X)["name"].to_numpy()
        per_customer.append(names[lab])
    np.testing.assert_array_equal(per_customer[0], per_customer[1])
    assert len(set(per_customer[0])) == 6  # random labels: clashes resolved


def test_clashing_names_are_disambiguated_by_the_most_different_feature(
    population,
):
    profiles = pd.DataFrame(
        {
            "recency": [2, 10, 5],  # all "recent"
            "frequency": [96, 97, 98],  # all "frequent"
            "monetary": [800.0, 990.0, 950.0],  # all "big spenders"
        }
    )
    names = name_personas(profiles, population)["name"].tolist()
    # monetary spreads over 19 points of percentile, recency over 8, frequency 2
    assert names == [
        "Recent frequent big spenders (lower spend)",
        "Recent frequent big spenders (higher spend)",
        "Recent frequent big spenders (mid spend)",
    ]
    two = name_personas(profiles.iloc[[1, 0]], population)["name"].tolist()
    assert two == [
        "Recent frequent big spenders (higher spend)",
        "Recent frequent big spenders (lower spend)",
    ]


def test_generic_features_become_qualifiers():
    X = pd.DataFrame({"age": np.arange(100), "income": np.arange(100) * 1000.0})
    profiles = pd.DataFrame({"age": [10, 80], "income": [90_000.0, 30_000.0]})
    out = name_personas(profiles, X)
    # age has its own words; income gets the generic five levels
    assert out["name"].tolist() == [
        "Young customers with very high income",
        "Senior customers with low income",
    ]
    assert "rule_segment" not in out


def test_custom_vocabulary(population):
    profiles = pd.DataFrame(
        {"recency": [5, 90], "frequency": [96, 1], "monetary": [900.0, 20.0]}
    )
    vocabulary = {
        "recency": {"levels": ("active", "dormant"), "role": "adjective"},
        "frequency": ("rare", "habitual"),  # plain words: adjectives, 2 levels
        "monetary": {
            "levels": ("savers", "mid", "whales"),
            "cuts": (0.5, 0.9),
            "role": "noun",
        },
    }
    out = name_personas(profiles, population, vocabulary=vocabulary)
    assert out["name"].tolist() == ["Active habitual whales", "Dormant rare savers"]


def test_without_a_population_percentiles_come_from_weighted_segments():
    profiles = pd.DataFrame(
        {
            "customers": [10, 30, 60],
            "recency": [10, 100, 400],
            "frequency": [20, 5, 2],
            "monetary": [2000.0, 300.0, 50.0],
        }
    )
    out = name_personas(profiles)
    # the 10 customers of segment 0 hold the lowest recency: (0 + 5) / 100
    np.testing.assert_allclose(out["recency_percentile"], [0.05, 0.25, 0.70])
    assert out.loc[0, "name"] == "Recent frequent big spenders"


def test_empty_segment_and_bad_input(population):
    profiles = pd.DataFrame(
        {"recency": [5, np.nan], "frequency": [96, np.nan], "monetary": [900, np.nan]}
    )
    assert name_personas(profiles, population)["name"].tolist()[1] == "Empty segment"
    with pytest.raises(ValueError, match="'tenure' is not a column of profiles"):
        name_personas(profiles, population, features=["tenure"])
    with pytest.raises(TypeError, match="pandas DataFrame"):
        name_personas(profiles.to_numpy(), population)
    with pytest.raises(TypeError, match=r"vocabulary\['recency'\]"):
        name_personas(profiles, population, vocabulary={"recency": 3})
    with pytest.raises(ValueError, match="cuts"):
        name_personas(
            profiles,
            population,
            vocabulary={"recency": {"levels": ("a", "b"), "cuts": (0.2, 0.4)}},
        )
    with pytest.raises(ValueError, match="role 'noun'"):
        name_personas(
            profiles,
            population,
            vocabulary={"recency": {"levels": ("a", "b"), "role": "noun"}},
        )


# --- attributes, middle words and plain-words descriptions ---------------------


def _attribute_population():
    # 100 customers: 4 segments of 25; recency 0..99 so segment k's median is
    # 25 k + 12 (percentile (25 k + 12.5) / 100)
    labels = np.repeat([0, 1, 2, 3], 25)
    uk = np.ones(100, dtype=int)
    uk[85:] = 0  # 85% UK overall, 40% in segment 3, 100% in the others
    gender = np.array(["Female", "Male"] * 50, dtype=object)
    gender[:25] = "Female"  # segment 0: 100% female against 62% overall
    app = np.zeros(100, dtype=bool)
    app[25:45] = True  # segment 1: 80% app users against 20% overall
    X = pd.DataFrame(
        {"recency": np.arange(100), "uk_flag": uk, "Genre": gender, "has_app": app}
    )
    return X, labels


def test_attributes_are_named_only_where_they_distinguish_the_segment():
    X, labels = _attribute_population()
    features = ["recency", "uk_flag", "Genre", "has_app"]
    profiles = segment_profiles(X, labels, features=features)
    names = name_personas(profiles, X, features=features, labels=labels)["name"]
    assert names.tolist() == [
        "Female recent customers",
        "App fairly recent customers",
        "Lapsing customers",
        "Non-UK lapsed customers",
    ]


def test_attribute_share_in_descriptions_equals_a_crosstab():
    X, labels = _attribute_population()
    features = ["recency", "Genre", "has_app"]
    profiles = segment_profiles(X, labels, features=features)
    out = name_personas(profiles, X, features=features, labels=labels)
    crosstab = pd.crosstab(labels, X["Genre"], normalize="index")
    for label in range(4):
        level = crosstab.loc[label].idxmax()
        share = crosstab.loc[label, level]
        assert f"genre: {share:.0%} {level}" in out.loc[label, "description"]
    assert "80% app" in out.loc[1, "description"]


def test_generic_features_get_a_middle_word_between_40_and_60_percent():
    X = pd.DataFrame({"income": np.arange(100) * 1000.0})
    # percentiles .105, .305, .505, .705, .905
    profiles = pd.DataFrame(
        {"income": [10_000.0, 30_000.0, 50_000.0, 70_000.0, 90_000.0]}
    )
    names = name_personas(profiles, X)["name"].tolist()
    assert names == [
        "Customers with very low income",
        "Customers with low income",
        "Customers with average income",
        "Customers with high income",
        "Customers with very high income",
    ]


def test_descriptions_are_plain_words_with_units_and_currency(population):
    profiles = pd.DataFrame(
        {
            "recency": [7, 90],
            "frequency": [30, 1],
            "monetary": [3723.4, 268_000.0],
            "share": [0.12, 0.0042],
            "revenue_share": [0.56, 0.3],
        }
    )
    out = name_personas(profiles, population, currency="£")
    assert out.loc[0, "description"] == (
        "Bought 7 days ago on median, 30 orders, spends £3,723 in total. "
        "12% of customers, 56% of revenue."
    )
    assert out.loc[1, "description"] == (
        "Bought 90 days ago on median, 1 order, spends £268,000 in total. "
        "0.4% of customers, 30% of revenue."
    )
    euro = name_personas(profiles, population, currency="EUR")["description"]
    assert "spends 3,723 EUR in total" in euro[0]
    assert not out["description"].str.contains(r"\de[+-]").any()


def test_many_clashing_segments_get_unique_names_without_ranks(population):
    profiles = pd.DataFrame(
        {
            "recency": [1, 2, 3, 4, 5, 6, 7],
            "frequency": [96, 97, 98, 96, 97, 98, 99],
            "monetary": [900.0, 910.0, 920.0, 930.0, 940.0, 950.0, 960.0],
        }
    )
    names = name_personas(profiles, population)["name"]
    assert names.is_unique
    assert not names.str.contains(r"#|rank|\d").any()


@pytest.mark.parametrize(
    ("median", "word"),
    [
        (150.0, "Low spenders"),  # .155
        (240.0, "Low spenders"),  # .245: bottom quarter
        (250.0, "Modest spenders"),  # .255
        (350.0, "Modest spenders"),  # .355
        (400.0, "Mid-range spenders"),  # .405: mid-range from the 40th percentile
        (590.0, "Mid-range spenders"),  # .595
        (740.0, "Above-average spenders"),  # .745: not mid-range
        (810.0, "Big spenders"),  # .815
    ],
)
def test_mid_range_only_around_the_median(population, median, word):
    profiles = pd.DataFrame({"monetary": [median]})
    out = name_personas(profiles, population, features=["monetary"])
    assert out.loc[0, "name"] == word


def test_age_words_follow_the_age_not_its_percentile():
    # a young population: 32 is at its 90th percentile, yet 32 is young
    population = pd.DataFrame({"Age": np.r_[np.full(90, 25), np.full(10, 40)]})
    profiles = pd.DataFrame({"Age": [32.0, 40.0, 50.0, 70.0]})
    out = name_personas(profiles, population, features=["Age"])
    assert out["name"].tolist() == [
        "Young customers",
        "Adult customers",
        "Middle-aged customers",
        "Senior customers",
    ]


def test_value_cuts_are_checked():
    profiles = pd.DataFrame({"x": [2.5]})
    bad = {"x": {"levels": ("a", "b"), "value_cuts": (1, 2)}}
    with pytest.raises(ValueError, match=r"vocabulary\['x'\]\['value_cuts'\]"):
        name_personas(profiles, pd.DataFrame({"x": [1.5, 2.5, 7.5]}), vocabulary=bad)


def test_default_vocabulary_is_public_and_a_copy():
    from custseg import default_vocabulary

    words = default_vocabulary()
    words["monetary"]["levels"] = ("x",) * 5
    assert default_vocabulary()["monetary"]["levels"][2] == "mid-range spenders"
    # what it lists is what name_personas uses
    population = pd.DataFrame({"monetary": np.arange(100) * 1.0})
    out = name_personas(
        pd.DataFrame({"monetary": [50.0]}), population, features=["monetary"]
    )
    assert out.loc[0, "name"] == "Mid-range spenders"


def test_a_year_without_an_order_is_lapsed_whatever_the_percentile():
    # a long log of one-off buyers: every customer waited 300-700 days, so
    # 479 days is at the 45th percentile ("fairly recent" by percentile alone)
    population = pd.DataFrame(
        {
            "recency": np.linspace(300, 700, 101),
            "frequency": np.ones(101),
            "monetary": np.linspace(10, 100, 101),
        }
    )
    profiles = pd.DataFrame(
        {
            "recency": [310.0, 479.0, 364.0, 365.0],
            "frequency": [1.0] * 4,
            "monetary": [20.0, 40.0, 60.0, 80.0],
        }
    )
    out = name_personas(profiles, population)
    assert out["recency_percentile"].iloc[1] == pytest.approx(0.45, abs=0.01)
    # a year is the boundary: 364 days keeps its percentile word
    assert out["name"].str.split().str[0].tolist() == [
        "Recent", "Lapsed", "Recent", "Lapsed"
    ]  # fmt: skip
    # the floor is a vocabulary entry like the others: removed, the
    # percentile word comes back
    words = {"recency": {"levels": ("recent", "fairly recent", "lapsing", "lapsed")}}
    out = name_personas(profiles, population, vocabulary=words)
    assert out["name"].str.split().str[0].tolist() == [
        "Recent", "Fairly", "Recent", "Recent"
    ]  # fmt: skip


def test_at_least_must_map_numbers_to_words():
    for given in ([3, "c"], {"3": "c"}):
        bad = {"x": {"levels": ("a", "b"), "at_least": given}}
        with pytest.raises(TypeError, match=r"\['at_least'\] must be a dict of number"):
            name_personas(
                pd.DataFrame({"x": [2.5]}),
                pd.DataFrame({"x": [1.5, 2.5]}),
                vocabulary=bad,
            )
