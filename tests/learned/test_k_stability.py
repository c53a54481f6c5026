"""Tests of the stability of a candidate k and of its Monte Carlo precision."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans

from custseg import CustomerSegmenter
from custseg._learned._k_stability import MAX_ROUNDS, measure_stability

N = 200  # customers 0..199, segment 0 the first half, segment 1 the second
REFERENCE = np.repeat([0, 1], N // 2)
X = np.arange(N, dtype=np.float64).reshape(-1, 1)


def _seeds_with_distinct_first_draws(count):
    """Seeds whose bootstrap resamples start with different customers."""
    seeds, firsts = [], set()
    for seed in range(10_000):
        first = np.random.RandomState(seed).randint(0, N, N)[0]
        if first not in firsts:
            seeds.append(seed)
            firsts.add(first)
        if len(seeds) == count:
            return seeds
    raise AssertionError("not enough seeds")


class _Scripted(ClusterMixin, BaseEstimator):
    """Reproduces the reference with a scripted number of customers moved.

    ``script`` maps the first customer of a bootstrap resample (so, its seed)
    to ``(source, m)``: ``m`` customers of segment ``source`` are predicted in
    the other segment.  Then segment ``source`` scores a Jaccard coefficient
    of ``(100 - m) / 100`` and the other ``100 / (100 + m)``, never lower.
    """

    def __init__(self, n_clusters=2, script=None):
        self.n_clusters = n_clusters
        self.script = script

    def fit(self, X, y=None):
        self.source_, self.moved_ = self.script[int(X[0, 0])]
        return self

    def predict(self, X):
        labels = REFERENCE.copy()
        members = np.flatnonzero(REFERENCE == self.source_)[: self.moved_]
        labels[members] = 1 - self.source_
        return labels


# Jaccard of the weaker segment per refit, in rounds of 5:
# round 1: .9 .7 .9 .7 .8 -> mean .8, sd (ddof=1) .1, standard error .0447
# round 2: .8 five times  -> mean .8 over 10, sd .0667, standard error .0211
MOVED = [10, 30, 10, 30, 20] + [20] * 5 + [20] * 5 * (MAX_ROUNDS - 2)


def _measure(threshold, source=0):
    seeds = _seeds_with_distinct_first_draws(len(MOVED))
    firsts = [np.random.RandomState(s).randint(0, N, N)[0] for s in seeds]
    script = {f: (source, m) for f, m in zip(firsts, MOVED, strict=True)}
    return measure_stability(
        _Scripted(script=script), "n_clusters", 2, X, REFERENCE, seeds,
        n_bootstrap=5, threshold=threshold, n_jobs=None,
    )  # fmt: skip


@pytest.mark.parametrize("source", [0, 1])
def test_rounds_stop_when_the_threshold_is_two_standard_errors_away(source):
    # 0.3 from the mean: one round
    stability, _, refits = _measure(0.5, source)
    assert (refits, stability) == (5, pytest.approx(0.8))
    # 0.085 from the mean: inside two standard errors after one round
    # (0.089; one standard error, or ddof=0's 0.080, would stop), outside
    # after two (0.042)
    stability, _, refits = _measure(0.715, source)
    assert (refits, stability) == (10, pytest.approx(0.8))
    # on the mean: never clear, every round is drawn
    assert _measure(0.8, source)[2] == 5 * MAX_ROUNDS


def test_the_ari_is_the_mean_over_the_refits_drawn():
    from sklearn.metrics import adjusted_rand_score

    seeds = _seeds_with_distinct_first_draws(len(MOVED))
    firsts = [np.random.RandomState(s).randint(0, N, N)[0] for s in seeds]
    script = {f: (0, m) for f, m in zip(firsts, MOVED, strict=True)}
    expected = np.mean(
        [adjusted_rand_score(REFERENCE, _Scripted(2, script).fit(X[[f]]).predict(X))
         for f in firsts[:10]]
    )  # fmt: skip
    _, ari, refits = _measure(0.715)
    assert refits == 10 and ari == pytest.approx(expected)


def test_too_few_seeds_or_no_refit_is_refused():
    with pytest.raises(ValueError, match="n_bootstrap >= 1 and at least"):
        measure_stability(
            KMeans(n_init=1), "n_clusters", 2, X, REFERENCE, [1, 2],
            n_bootstrap=5, threshold=0.75, n_jobs=None,
        )  # fmt: skip


def test_a_segment_missing_from_the_sample_counts_as_unstable():
    rng = np.random.RandomState(0)
    Z = np.vstack([rng.normal(c, 0.2, (40, 2)) for c in (0, 6)])
    reference = np.repeat([0, 1], 40)  # segment 2 has no customer
    stability, _, _ = measure_stability(
        KMeans(n_init=3, random_state=0), "n_clusters", 3, Z, reference, range(5),
        n_bootstrap=5, threshold=0.75, n_jobs=None,
    )  # fmt: skip
    assert stability == 0.0


def test_the_segmenter_draws_more_rounds_for_a_k_near_its_threshold():
    # uniform customers: no clusters, so the refits disagree a little
    rng = np.random.RandomState(0)
    table = pd.DataFrame(rng.uniform(size=(300, 2)), columns=["a", "b"])
    kw = dict(min_segments=2, max_segments=4, n_bootstrap=5, log_transform=False)
    seg = CustomerSegmenter(stability_threshold=0.3, random_state=0, **kw).fit(table)
    refits = seg.k_selection_["refits"]
    assert refits.dtype == "Int64"
    measured = seg.k_selection_["stability"].notna()
    assert refits[~measured].isna().all()
    k = seg.n_segments_
    assert refits[k] == 5  # far from 0.3: one round
    # the threshold on the first round's estimate: unclear, so more rounds
    near = seg.k_selection_.loc[k, "stability"]
    seg = CustomerSegmenter(
        stability_threshold=near, min_segments=k, max_segments=k, n_bootstrap=5,
        log_transform=False, random_state=0,
    ).fit(table)  # fmt: skip
    assert seg.k_selection_.loc[k, "refits"] > 5
    assert seg.k_selection_.loc[k, "refits"] % 5 == 0
