"""Tests of the Display objects: they draw on the given Axes, return themselves,
and show the estimator's data (expected values computed independently here)."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import silhouette_samples

from custseg import (
    CustomerSegmenter,
    RFMScorer,
    RFMSegmenter,
    UsageTiers,
    rfm_table,
    validate_segmentation,
)
from custseg.datasets import make_transactions
from custseg.plotting import (
    KSelectionDisplay,
    LorenzCurveDisplay,
    MigrationDisplay,
    RFMHeatmapDisplay,
    SegmentProfileDisplay,
    SegmentSizesDisplay,
    SilhouetteDisplay,
    StabilityDisplay,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def customers():
    log, _ = make_transactions(400, random_state=3)
    return rfm_table(log, order_col="order_id")


@pytest.fixture(scope="module")
def learned(customers):
    return CustomerSegmenter(max_segments=6, n_bootstrap=0, random_state=0).fit(
        customers
    )


@pytest.fixture(scope="module")
def rules(customers):
    return RFMSegmenter().fit(customers)


@pytest.fixture(scope="module")
def tiers(customers):
    with pytest.warns(UserWarning):  # ties at the tier boundaries
        return UsageTiers("frequency").fit(customers)


def _check_drawn(disp, ax):
    assert disp.ax_ is ax
    assert disp.figure_ is ax.figure
    assert ax.has_data() or ax.images


def test_rfm_heatmap_cells_are_mean_monetary_per_score_pair(customers, rules):
    _, ax = plt.subplots()
    disp = RFMHeatmapDisplay.from_estimator(rules, customers, ax=ax)
    assert isinstance(disp, RFMHeatmapDisplay)
    _check_drawn(disp, ax)
    scores = rules.scorer_.transform(customers)
    recency_score, frequency_score = scores[:, 0], scores[:, 1]
    monetary = customers["monetary"].to_numpy()
    for f in range(1, 6):
        for r in range(1, 6):
            cell = (frequency_score == f) & (recency_score == r)
            assert disp.counts[f - 1, r - 1] == cell.sum()
            if cell.any():
                assert disp.values[f - 1, r - 1] == pytest.approx(monetary[cell].mean())
            else:
                assert np.isnan(disp.values[f - 1, r - 1])
    assert disp.counts.sum() == len(customers)
    np.testing.assert_array_equal(disp.image_.get_array().filled(np.nan), disp.values)


def test_rfm_heatmap_from_scorer_and_other_aggregate(customers):
    scorer = RFMScorer(n_bins=3).fit(customers)
    disp = RFMHeatmapDisplay.from_estimator(
        scorer, customers, value_col="recency", aggfunc="median"
    )
    scores = scorer.transform(customers)
    top = (scores[:, 0] == 3) & (scores[:, 1] == 3)
    assert disp.values.shape == (3, 3)
    assert disp.values[2, 2] == np.median(customers["recency"].to_numpy()[top])


def test_rfm_heatmap_needs_a_fitted_scorer():
    scores = pd.DataFrame(
        {"recency_score": [1, 5], "frequency_score": [1, 5], "monetary_score": [1, 5]}
    )
    seg = RFMSegmenter(scorer="passthrough").fit(scores)
    with pytest.raises(ValueError, match="no fitted RFMScorer"):
        RFMHeatmapDisplay.from_estimator(seg, scores)


def test_segment_sizes_match_labels_and_revenue(customers, rules):
    _, ax = plt.subplots()
    disp = SegmentSizesDisplay.from_estimator(rules, ax=ax)
    _check_drawn(disp, ax)
    labels = rules.labels_
    n_segments = len(rules.segment_names_)
    expected_share = np.bincount(labels, minlength=n_segments) / len(labels)
    monetary = customers["monetary"].to_numpy()
    expected_revenue = np.bincount(labels, monetary, n_segments) / monetary.sum()
    # segments without customers are left out of the plot
    present = expected_share > 0
    assert not present.all()  # the preset has empty segments on this data
    np.testing.assert_allclose(disp.customer_share, expected_share[present])
    np.testing.assert_allclose(disp.revenue_share, expected_revenue[present])
    assert list(disp.names) == list(rules.segment_names_[present])
    # two bars per segment, drawn with the customer shares first
    widths = [p.get_width() for p in ax.patches]
    np.testing.assert_allclose(widths[: present.sum()], expected_share[present])
    assert [t.get_text() for t in ax.get_yticklabels()] == list(disp.names)


def test_segment_sizes_of_new_customers(customers, rules):
    half = customers.iloc[::2]
    disp = SegmentSizesDisplay.from_estimator(rules, half, drop_empty=False)
    expected = np.bincount(rules.predict(half), minlength=len(rules.segment_names_))
    np.testing.assert_allclose(disp.customer_share, expected / len(half))


def test_segment_sizes_without_revenue():
    profiles = pd.DataFrame({"name": ["a", "b"], "share": [0.25, 0.75]})
    disp = SegmentSizesDisplay.from_profiles(profiles)
    assert disp.revenue_share is None
    assert len(disp.ax_.patches) == 2


def test_profile_heatmap_standardises_medians_across_segments(customers, learned):
    _, ax = plt.subplots()
    disp = SegmentProfileDisplay.from_estimator(learned, ax=ax)
    _check_drawn(disp, ax)
    labels = learned.labels_
    names = learned.segment_names_
    for feature in ("recency", "frequency", "monetary"):
        values = customers[feature].to_numpy(dtype=float)
        medians = np.array([np.median(values[labels == k]) for k in range(len(names))])
        z = (medians - medians.mean()) / medians.std()
        if feature == "recency":  # lower is better: coloured with the sign flipped
            z = -z
        np.testing.assert_allclose(disp.medians[feature].to_numpy(), medians)
        np.testing.assert_allclose(disp.standardised[feature].to_numpy(), z)
    assert list(disp.medians.columns) == ["recency", "frequency", "monetary"]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(names)


def test_profile_heatmap_constant_feature_is_zero():
    medians = pd.DataFrame({"x": [2.0, 2.0], "y": [1.0, 3.0]}, index=["a", "b"])
    disp = SegmentProfileDisplay(medians).plot()
    assert disp.standardised["x"].tolist() == [0.0, 0.0]
    assert disp.standardised["y"].tolist() == [-1.0, 1.0]


def test_profile_heatmap_colours_better_as_positive():
    medians = pd.DataFrame(
        {"recency": [5.0, 300.0], "monetary": [900.0, 50.0]}, index=["good", "bad"]
    )
    disp = SegmentProfileDisplay(medians).plot(cmap="PiYG", colorbar=False)
    # the good segment is better on both features, so both cells are positive
    assert (disp.standardised.loc["good"] > 0).all()
    assert (disp.standardised.loc["bad"] < 0).all()
    assert disp.image_.get_cmap().name == "PiYG"
    assert len(disp.figure_.axes) == 1  # no colour bar axes


def test_rfm_heatmap_empty_cells_are_hatched_with_a_legend(customers, rules):
    disp = RFMHeatmapDisplay.from_estimator(rules, customers, colorbar=False)
    n_empty = int((disp.counts == 0).sum())
    assert n_empty > 0
    hatched = [p for p in disp.ax_.patches if p.get_hatch()]
    assert len(hatched) == n_empty
    legend = disp.ax_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "no customer has these scores"
    ]
    assert len(disp.figure_.axes) == 1


def test_k_selection_curves_and_chosen_k(learned):
    _, ax = plt.subplots()
    disp = KSelectionDisplay.from_estimator(learned, ax=ax)
    _check_drawn(disp, ax)
    table = learned.k_selection_
    assert disp.chosen == learned.n_segments_
    expected = [c for c in ("silhouette", "calinski_harabasz", "davies_bouldin",
                            "inertia", "bic") if c in table]  # fmt: skip
    assert disp.criteria == expected and len(expected) >= 3
    curves = {line.get_label().split(" ")[0]: line for line in ax.get_lines()}
    for criterion in expected:
        raw = table[criterion].to_numpy(dtype=float)
        scaled = (raw - raw.min()) / (raw.max() - raw.min())
        np.testing.assert_allclose(curves[criterion].get_ydata(), scaled)
        np.testing.assert_array_equal(curves[criterion].get_xdata(), table.index)
    vertical = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert [line.get_xdata()[0] for line in vertical] == [learned.n_segments_]


def test_k_selection_draws_the_stability_rule():
    table = pd.DataFrame(
        {
            "silhouette": [0.5, 0.4, 0.3, 0.35],
            "stability": [np.nan, 0.93, 0.71, 0.85],
            "smallest_share": [0.30, 0.12, 0.01, 0.05],
            "degenerate": ["", "", "", "2 components sit on single values"],
            "chosen": [False, True, False, False],
        },
        index=pd.Index([2, 3, 4, 5], name="n_segments"),
    )
    table.attrs.update(stability_threshold=0.75, min_share=0.02)
    _, ax = plt.subplots()
    disp = KSelectionDisplay(table, {"silhouette": 2}).plot(ax=ax)
    lines = {line.get_label(): line for line in ax.get_lines()}
    curve = lines["stability (least stable segment)"]
    # only the measured k are drawn, in the ARI's own units
    np.testing.assert_array_equal(curve.get_xdata(), [3, 4, 5])
    np.testing.assert_allclose(curve.get_ydata(), [0.93, 0.71, 0.85])
    # 4 has a segment under 2%, 5 is degenerate
    crosses = lines["a segment < 2% of customers or degenerate"]
    assert disp.flagged == [4, 5]
    np.testing.assert_array_equal(crosses.get_xdata(), [4, 5])
    (band,) = [p for p in ax.patches if p.get_label() == "stable: every segment ≥ 0.75"]
    corners = band.get_transform().transform(band.get_path().vertices)
    y = ax.transData.inverted().transform(corners)
    np.testing.assert_allclose([y[:, 1].min(), y[:, 1].max()], [0.75, 1.0])
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert [line.get_xdata()[0] for line in dashed] == [3]
    # explicit bands win over the table's
    other = KSelectionDisplay(table, {}, stability_threshold=0.9, min_share=0.2)
    assert other.flagged == [3, 4, 5] and other.stability_threshold == 0.9


def test_k_selection_needs_auto(customers):
    seg = CustomerSegmenter(n_segments=3, n_bootstrap=0, random_state=0).fit(customers)
    with pytest.raises(ValueError, match="k_selection_"):
        KSelectionDisplay.from_estimator(seg)


def test_stability_from_report_matches_report(customers, rules):
    report = validate_segmentation(rules, customers, n_bootstrap=4, random_state=0)
    _, ax = plt.subplots()
    disp = StabilityDisplay.from_report(report, ax=ax)
    _check_drawn(disp, ax)
    present = (report.segments["customers"] > 0).to_numpy()
    assert not present.all()  # empty rule segments are left out of the plot
    assert list(disp.names) == list(report.segments["name"][present])
    np.testing.assert_allclose(
        disp.mean_jaccard, report.segments["stability"].to_numpy()[present]
    )
    expected = np.array(
        [col[np.isfinite(col)].mean() for col in report.bootstrap_jaccard.T[present]]
    )
    np.testing.assert_allclose(disp.mean_jaccard, expected)
    band_lines = sorted(
        line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == ":"
    )
    assert band_lines == [0.6, 0.75, 0.85]


def test_stability_from_estimator(customers, tiers):
    disp = StabilityDisplay.from_estimator(tiers, customers, n_bootstrap=3,
                                           random_state=0)  # fmt: skip
    assert disp.jaccard.shape == (3, 3)
    assert ((disp.jaccard >= 0) & (disp.jaccard <= 1)).all()
    assert list(disp.names) == list(tiers.segment_names_)


def test_stability_report_without_bootstrap(customers, rules):
    report = validate_segmentation(rules, customers, n_bootstrap=0, random_state=0)
    with pytest.raises(ValueError, match="no bootstrap stability"):
        StabilityDisplay.from_report(report)


def test_lorenz_curve_gini_and_tier_cuts(customers, tiers):
    _, ax = plt.subplots()
    disp = LorenzCurveDisplay.from_estimator(tiers, customers, ax=ax)
    _check_drawn(disp, ax)
    values = np.sort(customers["frequency"].to_numpy(dtype=float))
    n = values.size
    ranks = np.arange(1, n + 1)
    gini = 2 * np.sum(ranks * values) / (n * values.sum()) - (n + 1) / n
    assert disp.gini == pytest.approx(gini)
    assert disp.gini == pytest.approx(tiers.gini_)
    # cuts: light tier share, then light + medium
    shares = tiers.tiers_.set_index("tier")["share"]
    value_shares = tiers.tiers_.set_index("tier")["value_share"]
    xs = [x for x, _, _ in disp.cuts]
    ys = [y for _, y, _ in disp.cuts]
    assert [name for *_, name in disp.cuts] == ["medium", "heavy"]
    np.testing.assert_allclose(
        xs, [shares["light"], shares["light"] + shares["medium"]]
    )
    np.testing.assert_allclose(
        ys, [value_shares["light"], value_shares["light"] + value_shares["medium"]]
    )
    assert disp.customer_share[0] == 0 and disp.value_share[-1] == pytest.approx(1)


def test_migration_counts_match_crosstab(customers, rules):
    later = customers.copy()
    later["recency"] = later["recency"] + 60  # everyone a little less recent
    later = later.iloc[20:]  # and 20 customers gone
    _, ax = plt.subplots()
    disp = MigrationDisplay.from_estimator(rules, customers, later, ax=ax)
    _check_drawn(disp, ax)
    names = rules.segment_names_
    before = pd.Series(names[rules.predict(customers)], index=customers.index)
    after = pd.Series(names[rules.predict(later)], index=later.index)
    for b_name in disp.counts.index:
        for a_name in disp.counts.columns:
            if a_name == "(gone)":
                expected = ((before == b_name) & ~before.index.isin(after.index)).sum()
            else:
                common = after.index
                expected = ((before.loc[common] == b_name) & (after == a_name)).sum()
            assert disp.counts.loc[b_name, a_name] == expected
    assert disp.counts["(gone)"].sum() == 20
    row_totals = disp.counts.sum(axis=1)
    np.testing.assert_allclose(
        disp.shares.to_numpy(), disp.counts.div(row_totals, axis=0).to_numpy()
    )


def test_silhouette_learned_segments_in_their_space(customers, learned):
    _, ax = plt.subplots()
    disp = SilhouetteDisplay.from_estimator(learned, customers, sample_size=None,
                                            ax=ax)  # fmt: skip
    _check_drawn(disp, ax)
    # the clusterer's own space: log1p of the skewed features, robust scaling
    Z = learned.preprocessor_.transform(customers.to_numpy(dtype=float))
    expected = silhouette_samples(Z, learned.labels_)
    np.testing.assert_allclose(disp.silhouette_values, expected)
    means = [expected[learned.labels_ == k].mean() for k in range(learned.n_segments_)]
    np.testing.assert_allclose(disp.segment_means, means)


def test_silhouette_other_segmenter_uses_log_standardised_features(customers, tiers):
    disp = SilhouetteDisplay.from_estimator(tiers, customers, sample_size=None)
    x = customers[["recency", "frequency", "monetary"]].to_numpy(dtype=float)
    skewed = stats.skew(x, axis=0) > 1
    x[:, skewed] = np.log1p(x[:, skewed])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    np.testing.assert_allclose(
        disp.silhouette_values, silhouette_samples(x, tiers.labels_)
    )
    report = validate_segmentation(
        tiers, customers, n_bootstrap=0, sample_size=None, random_state=0
    )
    assert disp.mean == pytest.approx(report.indices["silhouette"])


def test_silhouette_sample_size(customers, learned):
    disp = SilhouetteDisplay.from_estimator(
        learned, customers, sample_size=100, random_state=0
    )
    assert disp.silhouette_values.shape == (100,)


def test_plot_creates_axes_and_never_shows(monkeypatch, customers, learned, rules):
    def fail():
        raise AssertionError("plt.show() was called")

    monkeypatch.setattr(plt, "show", fail)
    displays = [
        RFMHeatmapDisplay.from_estimator(rules, customers),
        SegmentSizesDisplay.from_estimator(learned),
        SegmentProfileDisplay.from_estimator(learned),
        KSelectionDisplay.from_estimator(learned),
        SilhouetteDisplay.from_estimator(learned, customers),
    ]
    for disp in displays:
        assert disp.ax_ in disp.figure_.axes
        # plot() again on a new Axes returns the same Display
        _, ax = plt.subplots()
        assert disp.plot(ax=ax) is disp and disp.ax_ is ax


def test_matplotlib_is_imported_lazily():
    code = (
        "import sys, custseg, custseg.plotting, custseg.report; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_profile_heatmap_of_new_customers(customers, learned):
    half = customers.iloc[1::2]
    disp = SegmentProfileDisplay.from_estimator(learned, half, colorbar=False)
    labels = learned.predict(half)
    for k, name in enumerate(learned.segment_names_):
        if (labels == k).any():
            expected = half["monetary"].to_numpy()[labels == k]
            assert disp.medians.loc[name, "monetary"] == pytest.approx(
                np.median(expected)
            )
