"""Tests, effect sizes, magnitude bands and Holm's correction."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from custseg._evaluation._effect_sizes import (
    chi_square_test,
    holm,
    kruskal_test,
    magnitude,
    mann_whitney_test,
)
from custseg._evaluation._separation import (
    feature_tests,
    merge_candidates,
    pairwise_tests,
)


def test_kruskal_matches_scipy_and_hand_computation():
    a, b = [1, 2, 3], [4, 5, 6]
    res = kruskal_test(a + b, [0, 0, 0, 1, 1, 1])
    # H = 12 / (n (n + 1)) * sum(R_i^2 / n_i) - 3 (n + 1), ranks 1..3 and 4..6
    h = 12 / (6 * 7) * (6**2 / 3 + 15**2 / 3) - 3 * 7
    assert res["statistic"] == pytest.approx(h)
    assert res["p_value"] == pytest.approx(stats.kruskal(a, b).pvalue)
    assert res["p_value"] == pytest.approx(stats.chi2.sf(h, df=1))
    assert res["effect_size"] == pytest.approx(h / (6 - 1))  # epsilon² = H/(n-1)
    assert res["magnitude"] == "large"


def test_kruskal_three_groups_with_ties_matches_scipy():
    rng = np.random.RandomState(0)
    values = rng.randint(0, 5, 90).astype(float)
    labels = np.repeat([0, 1, 2], 30)
    res = kruskal_test(values, labels)
    expected = stats.kruskal(*(values[labels == g] for g in range(3)))
    assert res["statistic"] == pytest.approx(expected.statistic)
    assert res["p_value"] == pytest.approx(expected.pvalue)
    assert res["effect_size"] == pytest.approx(expected.statistic / 89)


def test_kruskal_constant_and_single_group():
    res = kruskal_test([2.0] * 6, [0, 0, 0, 1, 1, 1])
    assert (res["statistic"], res["p_value"], res["effect_size"]) == (0.0, 1.0, 0.0)
    assert np.isnan(kruskal_test([1.0, 2.0], [0, 0])["p_value"])
    # NaN values are left out
    res = kruskal_test([1, 2, 3, np.nan, 4, 5, 6], [0, 0, 0, 0, 1, 1, 1])
    assert res["effect_size"] == pytest.approx(
        kruskal_test([1, 2, 3, 4, 5, 6], [0] * 3 + [1] * 3)["effect_size"]
    )


def test_chi_square_and_cramers_v_by_hand():
    # segment 0: 10 x "a", 30 x "b"; segment 1: 30 x "a", 5 x "b"
    values = ["a"] * 10 + ["b"] * 30 + ["a"] * 30 + ["b"] * 5
    labels = [0] * 40 + [1] * 35
    observed = np.array([[10, 30], [30, 5]])
    expected = np.outer(observed.sum(1), observed.sum(0)) / 75
    chi2 = ((observed - expected) ** 2 / expected).sum()
    res = chi_square_test(values, labels)
    assert res["statistic"] == pytest.approx(chi2)
    assert res["p_value"] == pytest.approx(stats.chi2.sf(chi2, df=1))
    assert res["p_value"] == pytest.approx(
        stats.chi2_contingency(observed, correction=False).pvalue
    )
    assert res["effect_size"] == pytest.approx(np.sqrt(chi2 / 75))
    assert res["magnitude"] == "large"


def test_chi_square_single_category():
    res = chi_square_test(["a"] * 4, [0, 0, 1, 1])
    assert (res["statistic"], res["p_value"], res["effect_size"]) == (0.0, 1.0, 0.0)


def test_mann_whitney_rank_biserial():
    a, b = [4.0, 5.0, 6.0, 1.5], [1.0, 2.0, 3.0]
    res = mann_whitney_test(a, b)
    expected = stats.mannwhitneyu(a, b, alternative="two-sided")
    assert res["statistic"] == expected.statistic
    assert res["p_value"] == pytest.approx(expected.pvalue)
    # U counts pairs (x in a, y in b) with x > y: 3 + 3 + 3 + 1 = 10 of 12
    assert res["statistic"] == 10
    assert res["effect_size"] == pytest.approx(2 * 10 / 12 - 1)
    assert mann_whitney_test(b, a)["effect_size"] == pytest.approx(-(2 * 10 / 12 - 1))


def test_holm_by_hand():
    # sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> 0.06
    np.testing.assert_allclose(
        holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02]
    )
    out = holm([0.01, np.nan, 0.04])  # NaN is not counted: m = 2
    np.testing.assert_allclose(out, [0.02, np.nan, 0.04])
    np.testing.assert_allclose(holm([0.5, 0.6]), [1.0, 1.0])  # capped at 1
    assert holm([]).shape == (0,)


@pytest.mark.parametrize(
    "effect, measure, df, band",
    [
        (0.0099, "epsilon²", 1, "negligible"),
        (0.01, "epsilon²", 1, "small"),
        (0.06, "epsilon²", 1, "medium"),
        (0.14, "epsilon²", 1, "large"),
        (-0.29, "rank-biserial", 1, "small"),
        (0.3, "rank-biserial", 1, "medium"),
        (0.29, "Cramér's V", 1, "small"),
        (0.29, "Cramér's V", 4, "large"),  # thresholds / sqrt(4): 0.05, 0.15, 0.25
        (np.nan, "epsilon²", 1, "n/a"),
    ],
)
def test_magnitude_bands(effect, measure, df, band):
    assert magnitude(effect, measure, df=df) == band


def test_magnitude_unknown_measure():
    with pytest.raises(ValueError, match="Unknown effect size measure"):
        magnitude(0.1, "cohen's d")


def test_feature_table_holm_over_features_by_hand():
    rng = np.random.RandomState(3)
    labels = np.repeat([0, 1, 2], 40)
    table = pd.DataFrame(
        {
            "strong": labels * 2.0 + rng.normal(size=120),
            "weak": labels * 0.3 + rng.normal(size=120),
            "noise": rng.normal(size=120),
            "channel": np.where(rng.rand(120) < 0.2 + 0.2 * labels, "web", "store"),
        }
    )
    out = feature_tests(table, labels, {"channel"}, alpha=0.05)
    groups = lambda c: [table[c][labels == g] for g in range(3)]  # noqa: E731
    p = {c: stats.kruskal(*groups(c)).pvalue for c in ["strong", "weak", "noise"]}
    p["channel"] = stats.chi2_contingency(
        pd.crosstab(labels, table["channel"]).to_numpy(), correction=False
    ).pvalue
    np.testing.assert_allclose(out["p_value"], [p[c] for c in out.index])
    order = sorted(p, key=p.get)
    running, expected = 0.0, {}
    for i, c in enumerate(order):
        running = max(running, min(1.0, p[c] * (4 - i)))
        expected[c] = running
    np.testing.assert_allclose(out["p_adjusted"], [expected[c] for c in out.index])
    assert out.loc["strong", "separates"]
    assert not out.loc["noise", "separates"]
    assert out.loc["channel", "test"] == "chi-square"


def _holm_slow(pvalues):
    """Holm's step-down adjustment written out: m - i times the i-th smallest."""
    p = list(pvalues)
    order = sorted(range(len(p)), key=lambda i: p[i])
    adjusted, running = [0.0] * len(p), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, p[i] * (len(p) - rank)))
        adjusted[i] = running
    return adjusted


def test_pairwise_and_merge_candidates():
    rng = np.random.RandomState(0)
    labels = np.repeat([0, 1, 2], 100)
    # segments 0 and 1 are drawn from the same distribution, 2 is shifted
    x = rng.normal(size=300) + np.where(labels == 2, 3.0, 0.0)
    table = pd.DataFrame({"x": x})
    pairs = pairwise_tests(table, labels, ["a", "b", "c"], set())
    assert len(pairs) == 3
    u = stats.mannwhitneyu(x[labels == 0], x[labels == 2], alternative="two-sided")
    row = pairs[(pairs.segment_a == 0) & (pairs.segment_b == 2)].iloc[0]
    assert row["p_value"] == pytest.approx(u.pvalue)
    np.testing.assert_allclose(pairs["p_adjusted"], _holm_slow(pairs["p_value"]))
    merges = merge_candidates(pairs)
    assert merges[["name_a", "name_b"]].values.tolist() == [["a", "b"]]
    assert "no feature separates" in merges["reason"].iloc[0]
