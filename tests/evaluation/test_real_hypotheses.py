"""Hypotheses on the real datasets, read as an analyst would.

Mall Customers: age bands with Age in the table, and gender.  Online Retail:
UK vs non-UK customers, and random 90/10 labels.  The tests skip, saying so,
when ../shared/data is absent (see tests/conftest.py).
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from custseg import rfm_table, validate_segmentation
from custseg.datasets import load_online_retail, make_travel_bookings

N_BOOT = 40


@pytest.fixture(scope="module")
def mall(mall_customers_path):
    return pd.read_csv(mall_customers_path, index_col="CustomerID")


def test_mall_age_bands_are_judged_without_age(mall):
    bands = pd.cut(mall["Age"], [0, 29, 50, 200], labels=["<30", "30-50", ">50"])
    bands = bands.astype(str)
    report = validate_segmentation(bands, mall, n_bootstrap=N_BOOT, random_state=0)
    assert report.defined_by == ("Age",)
    assert report.kind == "attribute"
    assert "Age" not in report.features.index
    assert not any("differ on Age" in r for r in report.reasons)
    assert "segments are defined by Age; judged on the other columns" in report.reasons
    # the tree cannot relearn the bands from the other columns: at chance
    np.testing.assert_allclose(
        report.segments["stability"], report.segments["stability_chance"], atol=0.1
    )
    # with Age in the table or not, the same evidence and the same verdict
    without = validate_segmentation(
        bands, mall.drop(columns="Age"), n_bootstrap=N_BOOT, random_state=0
    )
    assert without.verdict == report.verdict
    pd.testing.assert_frame_equal(without.contrasts, report.contrasts)
    # what is left is a real but small behavioural difference: spending score
    # by age band, epsilon² from scipy
    codes = np.unique(bands, return_inverse=True)[1]
    score = mall["Spending_Score"].to_numpy()
    h = stats.kruskal(*(score[codes == g] for g in range(3))).statistic
    row = report.features.loc["Spending_Score"]
    assert row["effect_size"] == pytest.approx(h / (len(mall) - 1))
    assert row["magnitude"] in {"small", "medium"}
    assert report.verdict != "not supported"


def test_mall_gender_is_not_supported(mall):
    report = validate_segmentation(
        mall["Genre"], mall, n_bootstrap=N_BOOT, random_state=0
    )
    assert report.defined_by == ("Genre",)
    assert "Genre" not in report.features.index
    assert report.verdict == "not supported"
    assert not any("differ on Genre" in r for r in report.reasons)


@pytest.fixture(scope="module")
def retail(online_retail_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        log = load_online_retail(online_retail_path)
    X = rfm_table(log, order_col="order_id")
    country = log.groupby("customer_id")["country"].agg(lambda s: s.mode().iloc[0])
    return X, country.reindex(X.index)


def test_online_retail_uk_is_not_stable_by_size(retail):
    X, country = retail
    uk = np.where(country == "United Kingdom", "UK", "non-UK")
    report = validate_segmentation(uk, X, n_bootstrap=N_BOOT, random_state=0)
    segments = report.segments.set_index("name")
    # the 0.90 "stability" of the UK majority is what random labels of the
    # same sizes get
    assert segments.loc["UK", "stability"] > 0.85
    assert (
        abs(segments.loc["UK", "stability"] - segments.loc["UK", "stability_chance"])
        < 0.02
    )
    assert (segments["stability_band"] == "not applicable").all()
    assert report.kind == "attribute"
    # the verdict rests on behaviour: non-UK customers spend more (scipy)
    monetary = X["monetary"].to_numpy()
    u = stats.mannwhitneyu(monetary[uk == "non-UK"], monetary[uk == "UK"]).statistic
    r = 2 * u / ((uk == "non-UK").sum() * (uk == "UK").sum()) - 1
    row = report.contrasts.query("name == 'non-UK' and column == 'monetary'").iloc[0]
    assert row["effect_size"] == pytest.approx(r)
    assert row["effect_low"] > 0.1
    assert report.verdict == "supported"


def test_online_retail_random_90_10_at_chance(retail):
    X, _ = retail
    labels = np.where(np.random.RandomState(1).rand(len(X)) < 0.9, "big", "small")
    report = validate_segmentation(labels, X, n_bootstrap=N_BOOT, random_state=0)
    assert report.verdict == "not supported"
    np.testing.assert_allclose(
        report.segments["stability"], report.segments["stability_chance"], atol=0.02
    )


def test_travel_bookings_plant_a_weak_and_a_strong_effect():
    customers, attributes, outcomes = make_travel_bookings(1200, random_state=0)
    visitor = attributes["visitor"].to_numpy()
    searches = customers["searches"].to_numpy()
    u = stats.mannwhitneyu(
        searches[visitor == "returning"], searches[visitor == "first-time"]
    ).statistic
    n_r, n_f = (visitor == "returning").sum(), (visitor == "first-time").sum()
    assert 2 * u / (n_r * n_f) - 1 < -0.5  # returning visitors search far less
    purpose = attributes["trip_purpose"].to_numpy()

    def largest_epsilon_squared(labels):
        groups = np.unique(labels)
        return max(
            stats.kruskal(*(customers[c].to_numpy()[labels == g] for g in groups))[0]
            / (len(labels) - 1)
            for c in customers
        )

    assert largest_epsilon_squared(purpose) < 0.02  # weak: at most small
    assert largest_epsilon_squared(visitor) > 0.3  # strong
    kwargs = {"outcome": outcomes[["next_year_bookings"]], "n_bootstrap": 20}
    hypothesis = validate_segmentation(purpose, customers, random_state=0, **kwargs)
    alternative = validate_segmentation(visitor, customers, random_state=0, **kwargs)
    assert hypothesis.verdict == "not supported"
    assert alternative.verdict == "supported"
