"""validate_segmentation and its report."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans

from custseg import (
    QuantileSegmenter,
    RandomSegmenter,
    SegmenterMixin,
    ValidationReport,
    validate_segmentation,
)
from custseg.datasets import make_transactions

N_BOOT = 20


def customer_table(log):
    """Recency, frequency and monetary with plain pandas (independent of rfm_table)."""
    grouped = log.groupby("customer_id")
    last_day = log["date"].dt.normalize().max()
    return pd.DataFrame(
        {
            "recency": (last_day - grouped["date"].max().dt.normalize()).dt.days,
            "frequency": grouped["order_id"].nunique(),
            "monetary": grouped["amount"].sum(),
        }
    )


@pytest.fixture(scope="module")
def planted():
    log, personas = make_transactions(1500, random_state=0)
    X = customer_table(log)
    return X, personas.reindex(X.index)


@pytest.fixture(scope="module")
def persona_report(planted):
    X, personas = planted
    return validate_segmentation(personas, X, n_bootstrap=N_BOOT, random_state=0)


class KMeansSegmenter(SegmenterMixin, BaseEstimator):
    """A minimal protocol segmenter: KMeans on log1p features."""

    def __init__(self, n_segments=5, random_state=None):
        self.n_segments = n_segments
        self.random_state = random_state

    def fit(self, X, y=None):
        self.kmeans_ = KMeans(self.n_segments, n_init=3, random_state=self.random_state)
        labels = self.kmeans_.fit_predict(np.log1p(np.asarray(X, dtype=float)))
        return self._set_segments(X, labels, [f"k{i}" for i in range(self.n_segments)])

    def predict(self, X):
        return self.kmeans_.predict(np.log1p(np.asarray(X, dtype=float)))


def test_planted_personas_are_supported_and_stable(persona_report):
    report = persona_report
    assert isinstance(report, ValidationReport)
    assert report.verdict == "supported"
    segments = report.segments
    assert sorted(segments["name"]) == sorted(
        ["champions", "new", "at_risk_big_spenders", "occasional", "lapsed"]
    )
    assert (segments["stability"] >= 0.75).all()
    assert (segments["verdict"] == "supported").all()
    assert report.merge_candidates.empty
    assert report.features["separates"].all()
    assert report.indices["adjusted_rand"] > 0.5
    assert report.bootstrap_jaccard.shape == (N_BOOT, 5)
    assert "decision tree" in report.stability_method


def test_random_labels_are_not_supported(planted):
    X, _ = planted
    labels = np.random.RandomState(0).randint(0, 5, len(X))
    report = validate_segmentation(labels, X, n_bootstrap=N_BOOT, random_state=0)
    assert report.verdict == "not supported"
    assert (report.segments["verdict"] == "not supported").all()
    assert (report.segments["stability"] < 0.5).all()
    assert (report.features["magnitude"] == "negligible").all()
    assert "negligible" in " ".join(report.reasons)


def test_random_segmenter_is_not_supported(planted):
    X, _ = planted
    report = validate_segmentation(
        RandomSegmenter(4), X, n_bootstrap=N_BOOT, random_state=0
    )
    assert report.verdict == "not supported"
    assert "refit of the segmenter" in report.stability_method


def test_split_segment_is_a_merge_candidate(planted):
    X, personas = planted
    split = personas.copy()
    mask = (split == "occasional").to_numpy()
    halves = np.where(np.random.RandomState(1).rand(mask.sum()) < 0.5, "occ_a", "occ_b")
    split[mask] = halves
    report = validate_segmentation(split, X, n_bootstrap=N_BOOT, random_state=0)
    assert report.verdict != "supported"
    pairs = {frozenset(p) for p in report.merge_candidates[["name_a", "name_b"]].values}
    assert pairs == {frozenset({"occ_a", "occ_b"})}
    seg = report.segments.set_index("name")
    assert seg.loc["occ_a", "verdict"] == "not supported"
    assert "no feature separates it from 'occ_b'" in seg.loc["occ_a", "reasons"]
    assert seg.loc["champions", "verdict"] == "supported"


def test_tiny_segment_is_flagged(planted):
    X, personas = planted
    labels = personas.copy()
    champions = X.index[(personas == "champions").to_numpy()]
    top = X.loc[champions, "monetary"].nlargest(int(0.015 * len(X))).index
    labels[top] = "vip"
    report = validate_segmentation(labels, X, n_bootstrap=N_BOOT, random_state=0)
    seg = report.segments.set_index("name")
    assert seg.loc["vip", "share"] < 0.02
    assert seg.loc["vip", "too_small"]
    assert not seg.drop("vip")["too_small"].any()
    assert seg.loc["vip", "verdict"] != "supported"
    assert "too small to act on" in seg.loc["vip", "reasons"]
    assert report.too_small["name"].tolist() == ["vip"]
    assert report.verdict != "supported"


def _holm_slow(pvalues):
    """Holm's step-down adjustment written out: m - i times the i-th smallest."""
    p = list(pvalues)
    order = sorted(range(len(p)), key=lambda i: p[i])
    adjusted, running = [0.0] * len(p), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, p[i] * (len(p) - rank)))
        adjusted[i] = running
    return adjusted


def test_feature_statistics_agree_with_scipy(persona_report, planted):
    X, personas = planted
    features = persona_report.features
    codes = np.unique(personas.to_numpy(), return_inverse=True)[1]
    for col in X:
        groups = [X[col].to_numpy()[codes == g] for g in range(5)]
        expected = stats.kruskal(*groups)
        assert features.loc[col, "statistic"] == pytest.approx(expected.statistic)
        assert features.loc[col, "p_value"] == pytest.approx(expected.pvalue)
        assert features.loc[col, "effect_size"] == pytest.approx(
            expected.statistic / (len(X) - 1)
        )
    np.testing.assert_allclose(features["p_adjusted"], _holm_slow(features["p_value"]))


def test_categorical_feature_uses_chi_square(planted):
    X, personas = planted
    rng = np.random.RandomState(0)
    X = X.assign(channel=np.where(rng.rand(len(X)) < 0.5, "web", "store"))
    report = validate_segmentation(personas, X, n_bootstrap=0, random_state=0)
    row = report.features.loc["channel"]
    observed = pd.crosstab(personas.to_numpy(), X["channel"].to_numpy()).to_numpy()
    chi2, p, _, _ = stats.chi2_contingency(observed, correction=False)
    assert row["test"] == "chi-square"
    assert row["statistic"] == pytest.approx(chi2)
    assert row["p_value"] == pytest.approx(p)
    assert row["effect_size"] == pytest.approx(np.sqrt(chi2 / (len(X) * 1)))
    assert report.stability_method == "not computed (n_bootstrap=0)"


def test_outcome_predictive_validity(planted):
    X, personas = planted
    rng = np.random.RandomState(0)
    means = {"champions": 300.0, "at_risk_big_spenders": 50.0}
    spend = personas.map(lambda p: rng.exponential(means.get(p, 20.0)))
    noise = pd.Series(rng.rand(len(X)), index=X.index)
    outcome = pd.DataFrame({"spend": spend, "noise": noise})
    report = validate_segmentation(
        personas, X, outcome=outcome, n_bootstrap=N_BOOT, random_state=0
    )
    codes = np.unique(personas.to_numpy(), return_inverse=True)[1]
    h = stats.kruskal(*(spend.to_numpy()[codes == g] for g in range(5))).statistic
    assert report.outcomes.loc["spend", "effect_size"] == pytest.approx(
        h / (len(X) - 1)
    )
    assert report.outcomes.loc["spend", "predictive"]
    assert not report.outcomes.loc["noise", "predictive"]
    assert "spend (mean)" in report.segments
    assert report.verdict == "supported"
    # a random outcome alone: the segments do not predict it
    only_noise = validate_segmentation(
        personas, X, outcome=noise, n_bootstrap=N_BOOT, random_state=0
    )
    assert only_noise.verdict == "partially supported"
    # a boolean outcome uses chi-square
    bought = validate_segmentation(
        personas, X, outcome=spend > 100, n_bootstrap=0, random_state=0
    )
    assert bought.outcomes["test"].iloc[0] == "chi-square"


def test_segmenter_is_refitted_and_stable(planted):
    X, _ = planted
    report = validate_segmentation(
        KMeansSegmenter(5, random_state=0), X, n_bootstrap=N_BOOT, random_state=0
    )
    assert report.segments["name"].str.startswith("k").all()
    assert report.segments["stability"].min() > 0.6
    quantile = validate_segmentation(
        QuantileSegmenter("monetary", 3), X, n_bootstrap=N_BOOT, random_state=0
    )
    assert quantile.segments["stability"].min() > 0.85
    assert quantile.segments["name"].iloc[0].startswith("monetary <")


def test_deterministic_and_n_jobs_invariant(planted):
    X, _ = planted
    seg = KMeansSegmenter(4)
    one = validate_segmentation(seg, X, n_bootstrap=6, random_state=7, n_jobs=1)
    again = validate_segmentation(seg, X, n_bootstrap=6, random_state=7, n_jobs=1)
    two = validate_segmentation(seg, X, n_bootstrap=6, random_state=7, n_jobs=2)
    for other in (again, two):
        np.testing.assert_array_equal(one.bootstrap_jaccard, other.bootstrap_jaccard)
        pd.testing.assert_frame_equal(one.segments, other.segments)
        assert one.indices == other.indices


def test_series_labels_aligned_by_index_and_inputs_untouched(planted, persona_report):
    X, personas = planted
    X_before, p_before = X.copy(), personas.copy()
    shuffled = personas.sample(frac=1.0, random_state=0)
    report = validate_segmentation(shuffled, X, n_bootstrap=N_BOOT, random_state=0)
    pd.testing.assert_frame_equal(report.segments, persona_report.segments)
    pd.testing.assert_frame_equal(X, X_before)
    pd.testing.assert_series_equal(personas, p_before)
    # a numpy customer table gives the same tests; a Series is taken in row order
    arr = validate_segmentation(personas, X.to_numpy(), n_bootstrap=0)
    np.testing.assert_allclose(
        arr.features["p_value"].to_numpy(),
        persona_report.features["p_value"].to_numpy(),
    )


@pytest.mark.parametrize(
    "labels, error, match",
    [
        ({"a": 1}, TypeError, "segmenter or array-like"),
        ("champions", TypeError, "segmenter or array-like"),
        ([0, 1], ValueError, "has 2 entries but X has"),
    ],
)
def test_bad_labels(planted, labels, error, match):
    X, _ = planted
    with pytest.raises(error, match=match):
        validate_segmentation(labels, X, n_bootstrap=0)


def test_bad_inputs(planted):
    X, personas = planted
    with pytest.raises(ValueError, match="missing labels"):
        validate_segmentation(personas.where(personas != "new"), X, n_bootstrap=0)
    with pytest.raises(ValueError, match="other customers than X"):
        other = personas.set_axis(["z" + i for i in personas.index])
        validate_segmentation(other, X, n_bootstrap=0)
    with pytest.raises(ValueError, match="categorical names columns"):
        validate_segmentation(personas, X, categorical=["channel"], n_bootstrap=0)
    with pytest.raises(ValueError, match="n_bootstrap"):
        validate_segmentation(personas, X, n_bootstrap=-1)
    with pytest.raises(ValueError, match="min_share"):
        validate_segmentation(personas, X, min_share=2)
    with pytest.raises(ValueError, match="outcome has"):
        validate_segmentation(personas, X, outcome=[1.0, 2.0], n_bootstrap=0)


def test_single_segment_is_not_supported(planted):
    X, _ = planted
    report = validate_segmentation(np.zeros(len(X), dtype=int), X, n_bootstrap=5)
    assert report.verdict == "not supported"
    assert "fewer than two segments" in report.reasons[0]


def test_report_renderings(persona_report):
    report = persona_report
    html = report.to_html()
    assert "Segmentation validation: supported" in html
    assert "<table" in html and "at_risk_big_spenders" in html
    assert report._repr_html_() == html
    md = report.to_markdown()
    assert md.startswith("# Segmentation validation: **supported**")
    for section in ("## Segments", "## Features", "## Merge candidates"):
        assert section in md
    data = report.to_dict()
    json.dumps(data)
    assert data["verdict"] == "supported"
    assert len(data["segments"]) == 5
    assert report.to_frame().equals(report.segments)
    assert list(report.to_frame("indices").index)[0] == "silhouette"
    with pytest.raises(ValueError, match="table must be one of"):
        report.to_frame("nope")
    assert "supported; 5 segments, 1500 customers" in repr(report)


class WithEmptySegment(KMeansSegmenter):
    """Names one more segment than it ever assigns (like an unused rule)."""

    def fit(self, X, y=None):
        super().fit(X)
        return self._set_segments(X, self.labels_, [*self.segment_names_, "never used"])


def test_empty_named_segment(planted):
    X, _ = planted
    report = validate_segmentation(
        WithEmptySegment(3, random_state=0), X, n_bootstrap=4, random_state=0
    )
    row = report.segments.iloc[-1]
    assert (row["name"], row["customers"]) == ("never used", 0)
    assert np.isnan(row["stability"])
    assert row["verdict"] == "not supported"
    assert row["reasons"] == "no customer falls in this segment"
    assert report.bootstrap_jaccard.shape == (4, 4)
    assert report.verdict != "supported"


@pytest.mark.filterwarnings("ignore:RFMSegmenter.*match no rule:UserWarning")
def test_library_segmenters_on_planted_personas(planted):
    from sklearn.metrics import adjusted_rand_score

    from custseg import CustomerSegmenter, RFMSegmenter

    X, personas = planted
    report = validate_segmentation(
        CustomerSegmenter(n_segments=5, random_state=0),
        X,
        n_bootstrap=10,
        random_state=0,
    )
    assert report.verdict == "supported"
    assert (report.segments["stability"] >= 0.75).all()
    rules = validate_segmentation(
        RFMSegmenter("pymc"), X, n_bootstrap=5, random_state=0
    )
    assert rules.verdict in {"supported", "partially supported"}
    assert len(rules.segments) == len(RFMSegmenter("pymc").fit(X).segment_names_)
    labels = CustomerSegmenter(n_segments=5, random_state=0).fit(X).labels_
    assert adjusted_rand_score(personas, labels) > 0.8


def test_customer_id_column_of_a_polars_table_is_not_a_feature(planted):
    pl = pytest.importorskip("polars")
    X, personas = planted
    frame = pl.from_pandas(X.reset_index())  # customer_id: the first column
    assert frame.columns[0] == "customer_id"
    report = validate_segmentation(personas.to_numpy(), frame, n_bootstrap=0)
    assert report.features.index.tolist() == ["recency", "frequency", "monetary"]
    assert "customer_id" not in set(report.pairwise["feature"])
    codes = np.unique(personas.to_numpy(), return_inverse=True)[1]
    for col in X:
        groups = [X[col].to_numpy()[codes == g] for g in range(5)]
        expected = stats.kruskal(*groups).pvalue
        assert report.features.loc[col, "p_value"] == pytest.approx(expected)
