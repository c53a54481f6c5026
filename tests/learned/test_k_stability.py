"""Tests of the stability of a candidate k and of its Monte Carlo precision."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans

from custseg._learned._k_stability import MAX_ROUNDS, measure_stability


class _Wobbly(ClusterMixin, BaseEstimator):
    """Predicts the reference segments with a fit-dependent part of segment 0 moved.

    Fitted on a bootstrap resample, it moves the first ``m`` customers of
    segment 0 to segment 1, ``m`` read off the resample, so each refit
    reproduces segment 0 with its own Jaccard coefficient.
    """

    def __init__(self, n_clusters=2, reference=None):
        self.n_clusters = n_clusters
        self.reference = reference

    def fit(self, X, y=None):
        self.moved_ = int(round(X[:, 0].sum())) % 30
        return self

    def predict(self, X):
        labels = np.array(self.reference, copy=True)
        labels[np.flatnonzero(labels == 0)[: self.moved_]] = 1
        return labels


def _by_hand(reference, X, seeds, k):
    """Slow obvious version: refit on each bootstrap draw, Jaccard per segment."""
    per_refit = []
    for seed in seeds:
        rows = np.random.RandomState(seed).randint(0, len(X), len(X))
        predicted = _Wobbly(k, reference).fit(X[rows]).predict(X)
        row = []
        for g in range(k):
            a = reference == g
            row.append(
                max((a & (predicted == h)).sum() / (a | (predicted == h)).sum()
                    for h in np.unique(predicted))
            )  # fmt: skip
        per_refit.append(row)
    return np.asarray(per_refit)


@pytest.fixture
def wobbly():
    rng = np.random.RandomState(0)
    X = rng.uniform(0, 1, size=(200, 1))
    reference = np.repeat([0, 1], 100)
    return X, reference


def test_a_k_far_from_the_threshold_takes_one_round(wobbly):
    X, reference = wobbly
    seeds = list(range(100, 100 + 5 * MAX_ROUNDS))
    stability, _, refits = measure_stability(
        _Wobbly(reference=reference), "n_clusters", 2, X, reference, seeds,
        n_bootstrap=5, threshold=0.3, n_jobs=None,
    )  # fmt: skip
    expected = _by_hand(reference, X, seeds[:5], 2)
    assert refits == 5
    assert stability == pytest.approx(expected.mean(axis=0).min())


def test_a_k_near_the_threshold_draws_rounds_until_it_is_clear(wobbly):
    X, reference = wobbly
    seeds = list(range(100, 100 + 5 * MAX_ROUNDS))
    every = _by_hand(reference, X, seeds, 2)
    # segment 0 is the least stable; its mean over all refits as threshold
    # keeps the decision unclear to the last round
    threshold = every[:, 0].mean()
    stability, _, refits = measure_stability(
        _Wobbly(reference=reference), "n_clusters", 2, X, reference, seeds,
        n_bootstrap=5, threshold=threshold, n_jobs=None,
    )  # fmt: skip
    assert refits == 5 * MAX_ROUNDS
    assert stability == pytest.approx(threshold)
    # the round stops as soon as the threshold is two standard errors away
    for rounds in range(1, MAX_ROUNDS + 1):
        first = every[: 5 * rounds, 0]
        if abs(first.mean() - 0.8) >= 2 * first.std(ddof=1) / np.sqrt(len(first)):
            break
    _, _, refits = measure_stability(
        _Wobbly(reference=reference), "n_clusters", 2, X, reference, seeds,
        n_bootstrap=5, threshold=0.8, n_jobs=None,
    )  # fmt: skip
    assert refits == 5 * rounds


def test_a_segment_missing_from_the_sample_counts_as_unstable():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(c, 0.2, (40, 2)) for c in (0, 6)])
    reference = np.repeat([0, 1, 2], [40, 40, 0])[:80]
    stability, _, _ = measure_stability(
        KMeans(n_init=3, random_state=0), "n_clusters", 3, X, reference, range(5),
        n_bootstrap=5, threshold=0.75, n_jobs=None,
    )  # fmt: skip
    assert stability == 0.0
