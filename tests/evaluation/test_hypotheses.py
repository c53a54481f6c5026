"""Hypotheses that cannot fool the validation: defining columns, kinds, chance.

Planted data where the truth is known; the expected effects are computed
with scipy, independently of custseg's weighted bootstrap statistics.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from custseg import CustomerSegmenter, validate_segmentation
from custseg.datasets import make_transactions

N = 600
N_BOOT = 40


@pytest.fixture(scope="module")
def behaviour():
    """Customers with spend, visits and an age that plays no role in behaviour."""
    rng = np.random.RandomState(0)
    table = pd.DataFrame(
        {
            "spend": rng.lognormal(4.0, 1.0, N),
            "visits": rng.poisson(4, N).astype(float),
            "age": rng.randint(18, 71, N).astype(float),
        },
        index=pd.Index([f"c{i}" for i in range(N)], name="customer_id"),
    )
    group = np.where(rng.rand(N) < 0.5, "web", "store")
    return table, group


def test_attribute_with_a_real_behavioural_effect_is_supported(behaviour):
    table, group = behaviour
    X = table.copy()
    # web buyers spend 1.8 times as much: rank-biserial ~ 2 Phi(ln 1.8 / sqrt 2) - 1
    X.loc[group == "web", "spend"] *= 1.8
    report = validate_segmentation(group, X, n_bootstrap=N_BOOT, random_state=0)
    assert report.kind == "attribute"
    assert report.defined_by == ()
    assert report.verdict == "supported"
    web = report.contrasts.query("name == 'web' and column == 'spend'").iloc[0]
    spend = X["spend"].to_numpy()
    u = stats.mannwhitneyu(spend[group == "web"], spend[group == "store"]).statistic
    expected = 2 * u / ((group == "web").sum() * (group == "store").sum()) - 1
    assert web["effect_size"] == pytest.approx(expected)
    assert web["effect_low"] > 0.1 and web["clears"]
    assert (report.segments["stability_band"] == "not applicable").all()


def test_attribute_without_effect_is_not_supported(behaviour):
    table, group = behaviour
    report = validate_segmentation(group, table, n_bootstrap=N_BOOT, random_state=0)
    assert report.kind == "attribute"
    assert report.verdict == "not supported"
    assert not report.contrasts["clears"].any()
    assert report.reasons[0].startswith("no feature or outcome differs")


def test_age_bands_with_age_in_the_table_are_judged_without_age(behaviour):
    table, _ = behaviour
    bands = pd.cut(table["age"], [0, 29, 50, 200], labels=["<30", "30-50", ">50"])
    report = validate_segmentation(
        bands.astype(str), table, n_bootstrap=N_BOOT, random_state=0
    )
    assert report.defined_by == ("age",)
    assert "age" not in report.features.index
    assert "age" not in set(report.pairwise["feature"])
    assert "age" not in set(report.contrasts["column"])
    assert report.verdict == "not supported"
    assert "segments are defined by age; judged on the other columns" in report.reasons
    # the same verdict as with age dropped: the defining column changes nothing
    dropped = validate_segmentation(
        bands.astype(str), table.drop(columns="age"), n_bootstrap=N_BOOT, random_state=0
    )
    assert dropped.verdict == report.verdict
    pd.testing.assert_frame_equal(dropped.features, report.features)


def test_given_defining_columns_and_none(behaviour):
    table, group = behaviour
    report = validate_segmentation(
        group, table, defined_by=["visits"], n_bootstrap=0, random_state=0
    )
    assert report.defined_by == ("visits",)
    assert report.features.index.tolist() == ["spend", "age"]
    with pytest.raises(ValueError, match="defined_by names columns"):
        validate_segmentation(group, table, defined_by=["nope"], n_bootstrap=0)
    with pytest.raises(ValueError, match="defined_by must be"):
        validate_segmentation(group, table, defined_by="age", n_bootstrap=0)


def test_categorical_identical_up_to_renaming_is_defining(behaviour):
    table, group = behaviour
    X = table.assign(gender=np.where(group == "web", "F", "M"))
    report = validate_segmentation(group, X, n_bootstrap=0, random_state=0)
    assert report.defined_by == ("gender",)
    assert "gender" not in report.features.index


def test_random_90_10_labels_are_not_supported_and_at_chance(behaviour):
    table, _ = behaviour
    labels = np.where(np.random.RandomState(3).rand(N) < 0.9, "big", "small")
    report = validate_segmentation(labels, table, n_bootstrap=N_BOOT, random_state=0)
    assert report.verdict == "not supported"
    segments = report.segments.set_index("name")
    # the majority looks "stable" by size alone: chance gets the same
    assert segments.loc["big", "stability"] > 0.8
    np.testing.assert_allclose(
        segments["stability"], segments["stability_chance"], atol=0.03
    )
    assert (segments["stability_excess"] < 0.1).all()


@pytest.fixture(scope="module")
def personas():
    log, persona = make_transactions(1200, random_state=2)
    grouped = log.groupby("customer_id")
    X = pd.DataFrame(
        {
            "recency": (log["date"].max() - grouped["date"].max()).dt.days,
            "frequency": grouped["order_id"].nunique(),
            "monetary": grouped["amount"].sum(),
        }
    )
    return X, persona.reindex(X.index)


SEARCHES = []


class CountingSegmenter(CustomerSegmenter):
    """A CustomerSegmenter that records every search over k."""

    def _search(self, *args, **kwargs):
        SEARCHES.append(1)
        return super()._search(*args, **kwargs)


def test_fitted_persona_segmenter_keeps_its_k(personas):
    X, _ = personas
    segmenter = CountingSegmenter(max_segments=7, n_bootstrap=0, random_state=0).fit(X)
    assert len(SEARCHES) == 1
    report = validate_segmentation(segmenter, X, n_bootstrap=8, random_state=0)
    assert len(SEARCHES) == 1  # no search in the 8 refits
    assert report.settings["n_segments_refit"] == segmenter.n_segments_ == 5
    assert report.kind == "learned"
    assert report.defined_by == ("recency", "frequency", "monetary")
    assert report.verdict == "supported"
    np.testing.assert_array_equal(
        np.bincount(segmenter.labels_), report.segments["customers"].to_numpy()
    )
    assert (report.segments["stability_excess"] >= 0.75).all()
    assert "chosen hyper-parameters kept" in report.stability_method
    full = validate_segmentation(
        segmenter, X, refit="full", n_bootstrap=2, random_state=0
    )
    assert len(SEARCHES) == 3 and full.settings["n_segments_refit"] == "auto"
    with pytest.raises(ValueError, match="refit"):
        validate_segmentation(segmenter, X, refit="k", n_bootstrap=0)


def test_split_persona_is_a_merge_candidate(personas):
    X, persona = personas
    split = persona.copy()
    mask = (split == "lapsed").to_numpy()
    split[mask] = np.where(np.random.RandomState(0).rand(mask.sum()) < 0.5, "l1", "l2")
    report = validate_segmentation(split, X, n_bootstrap=N_BOOT, random_state=0)
    pairs = {frozenset(p) for p in report.merge_candidates[["name_a", "name_b"]].values}
    assert pairs == {frozenset({"l1", "l2"})}
    seg = report.segments.set_index("name")
    assert seg.loc[["l1", "l2"], "verdict"].eq("not supported").all()
    assert report.verdict != "supported"


def test_max_customers_validates_a_stratified_sample(personas):
    X, persona = personas
    report = validate_segmentation(
        persona, X, max_customers=300, n_bootstrap=5, random_state=0
    )
    assert report.settings["n_customers"] == len(X)
    assert report.settings["n_validated"] == 300
    expected = persona.value_counts(normalize=True).sort_index() * 300
    got = report.segments.set_index("name")["customers"].sort_index()
    assert (np.abs(got.to_numpy() - expected.to_numpy()) <= 1).all()
    assert "sample of 300 of 1200 customers" in report.to_markdown()
    again = validate_segmentation(
        persona, X, max_customers=300, n_bootstrap=5, random_state=0
    )
    pd.testing.assert_frame_equal(report.features, again.features)


def test_report_is_frozen_with_declared_fields(behaviour):
    import dataclasses

    from custseg import ValidationReport

    table, group = behaviour
    report = validate_segmentation(group, table, n_bootstrap=0, random_state=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.verdict = "supported"
    names = [f.name for f in dataclasses.fields(ValidationReport)]
    assert {"kind", "defined_by", "contrasts", "bootstrap_chance"} <= set(names)
    with pytest.raises(TypeError):
        ValidationReport(verdict="supported", surprise=1)
    assert report.to_frame("contrasts").equals(report.contrasts)
