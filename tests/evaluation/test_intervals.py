"""Bootstrap intervals of effect sizes: weighted statistics and coverage."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.stats.contingency import association

from custseg import compare_segmentations
from custseg._evaluation._intervals import (
    bootstrap_counts,
    cramers_v,
    epsilon_squared,
    percentile_interval,
    rank_biserial,
)


@pytest.fixture
def sample():
    rng = np.random.RandomState(0)
    values = np.round(rng.normal(size=60), 1)  # ties on purpose
    groups = rng.randint(0, 3, 60)
    counts = bootstrap_counts(60, 5, seed=1)
    return values, groups, counts


def test_weighted_statistics_equal_scipy_on_the_resampled_data(sample):
    values, groups, counts = sample
    eps = epsilon_squared(values, groups, counts)
    r = rank_biserial(values, groups == 0, groups != 0, counts)
    categories = (values > 0).astype(int) + (values > 1)
    v = cramers_v(categories, groups, counts)
    for b, weights in enumerate(counts):
        idx = np.repeat(np.arange(60), weights)  # the resample, written out
        x, g = values[idx], groups[idx]
        h = stats.kruskal(*(x[g == k] for k in range(3))).statistic
        assert eps[b] == pytest.approx(h / (idx.size - 1))
        u = stats.mannwhitneyu(x[g == 0], x[g != 0]).statistic
        n0 = (g == 0).sum()
        assert r[b] == pytest.approx(2 * u / (n0 * (idx.size - n0)) - 1)
        table = pd.crosstab(g, categories[idx]).to_numpy()
        assert v[b] == pytest.approx(association(table, method="cramer"))


def test_resamples_are_draws_with_replacement():
    counts = bootstrap_counts(1000, 3, seed=0)
    assert (counts.sum(axis=1) == 1000).all()
    rng = np.random.RandomState(0)
    expected = np.bincount(rng.randint(0, 1000, 1000), minlength=1000)
    np.testing.assert_array_equal(counts[0], expected)


def test_percentile_interval_coverage_of_a_known_effect():
    # two normal groups one standard deviation apart: the population
    # rank-biserial correlation is 2 Phi(1 / sqrt 2) - 1
    truth = 2 * stats.norm.cdf(1 / np.sqrt(2)) - 1
    rng = np.random.RandomState(0)
    covered, n_runs = 0, 80
    for run in range(n_runs):
        values = np.r_[rng.normal(1, 1, 100), rng.normal(0, 1, 100)]
        in_a = np.arange(200) < 100
        counts = bootstrap_counts(200, 300, seed=run)
        low, high = percentile_interval(rank_biserial(values, in_a, ~in_a, counts))
        covered += low <= truth <= high
    # nominal 95%: 80 runs give 69-80 covered with probability above 0.99
    assert 69 <= covered <= 80


def test_compare_says_tied_with_the_leader():
    rng = np.random.RandomState(0)
    n = 400
    group = rng.randint(0, 2, n)
    X = pd.DataFrame({"spend": rng.normal(size=n) + group, "visits": rng.rand(n)})
    outcome = pd.Series(rng.normal(size=n) + 0.8 * group, name="next_spend")
    # the same labels under two names: tied by construction; random: behind
    table, reports = compare_segmentations(
        {"a": group, "b": group.copy(), "random": rng.randint(0, 2, n)},
        X,
        outcome=outcome,
        n_bootstrap=50,
        random_state=0,
        return_reports=True,
    )
    assert table.index[-1] == "random"
    assert table.iloc[0]["versus_leader"] == "leader"
    assert table.loc[table.index[1], "versus_leader"] == "tied with the leader"
    assert table.loc[table.index[1], "difference_to_leader_low"] == 0.0
    assert table.loc["random", "versus_leader"] == "behind the leader"
    # the difference is paired: computed on the same resamples
    lead = reports["a"].outcome_replicates["next_spend"].to_numpy()
    other = reports["random"].outcome_replicates["next_spend"].to_numpy()
    low, high = percentile_interval(lead - other)
    assert table.loc["random", "difference_to_leader_low"] == pytest.approx(low)
    assert low > 0
    report = reports["a"].outcomes.loc["next_spend"]
    assert report["effect_low"] <= report["effect_size"] <= report["effect_high"]
    assert table.loc["a", "next_spend effect_low"] == report["effect_low"]
