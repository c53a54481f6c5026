"""Tests of the criteria for the number of segments and of the choice rule."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture

from custseg import CustomerSegmenter
from custseg._learned._k_selection import (
    choose_k,
    choose_stable_k,
    knee_index,
    selection_table,
    silhouette_many,
    within_ss,
)


def test_silhouette_many_matches_sklearn_for_every_labeling():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 3))
    label_sets = [
        rng.randint(0, 2, 300),
        rng.randint(0, 5, 300),
        KMeans(4, n_init=1, random_state=0).fit_predict(X),
    ]
    # a singleton cluster scores 0 in sklearn's definition
    singleton = label_sets[1].copy()
    singleton[7] = 9
    label_sets.append(singleton)
    got = silhouette_many(X, label_sets, chunk_size=64)
    expected = [silhouette_score(X, labels) for labels in label_sets]
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


def test_silhouette_many_is_nan_when_undefined():
    X = np.arange(6.0).reshape(-1, 1)
    got = silhouette_many(X, [np.zeros(6, int), np.arange(6)])
    assert np.isnan(got).all()


def test_knee_of_a_hand_built_elbow():
    # steep drop until the third point, then nearly flat: the elbow is there
    assert knee_index([10.0, 5.0, 1.0, 0.9, 0.8, 0.7]) == 2
    # a straight line has no knee, nor does a flat curve or a short one
    assert knee_index([5.0, 4.0, 3.0, 2.0]) is None
    assert knee_index([1.0, 1.0, 1.0]) is None
    assert knee_index([3.0, 1.0]) is None


def test_selection_table_reads_each_criterion_in_its_direction():
    scores = {
        "silhouette": [0.2, 0.5, 0.4, 0.3],
        "calinski_harabasz": [10.0, 20.0, 30.0, 25.0],
        "davies_bouldin": [1.0, 0.9, 0.5, 0.7],
        "inertia": [100.0, 20.0, 15.0, 12.0],
        "bic": [np.nan] * 4,  # not available: dropped
    }
    table, preferred = selection_table([2, 3, 4, 5], scores)
    assert list(table.columns) == [
        "silhouette",
        "calinski_harabasz",
        "davies_bouldin",
        "inertia",
    ]
    assert preferred == {
        "silhouette": 3,
        "calinski_harabasz": 4,
        "davies_bouldin": 4,
        "inertia": 3,
    }


def test_vote_ties_go_to_the_higher_silhouette_then_the_smaller_k():
    index = pd.Index([2, 3, 4], name="n_segments")
    table = pd.DataFrame({"silhouette": [0.3, 0.5, 0.6]}, index=index)
    # 3 and 4 each get two votes; 4 has the higher silhouette
    preferred = {"silhouette": 4, "calinski_harabasz": 3, "inertia": 3, "bic": 4}
    chosen, votes = choose_k(table, preferred)
    assert chosen == 4
    assert votes.to_dict() == {2: 0, 3: 2, 4: 2}
    flat = pd.DataFrame({"silhouette": [0.5, 0.5, 0.5]}, index=index)
    assert choose_k(flat, {"calinski_harabasz": 4, "inertia": 3})[0] == 3


def test_single_criterion_selection_and_unavailable_criterion():
    table = pd.DataFrame({"silhouette": [0.3, 0.5]}, index=pd.Index([2, 3]))
    preferred = {"silhouette": 3, "calinski_harabasz": 2, "davies_bouldin": 2}
    assert choose_k(table, preferred, "silhouette")[0] == 3
    with pytest.raises(ValueError, match="bic"):
        choose_k(table, preferred, "bic")


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(
        n_samples=600, centers=4, cluster_std=0.6, random_state=3, center_box=(-8, 8)
    )
    return X, y


@pytest.mark.parametrize(
    "estimator, own_criterion, other",
    [(None, "inertia", "bic"), (GaussianMixture(), "bic", "inertia")],
)
def test_auto_finds_planted_blobs_and_reports_every_criterion(
    blobs, estimator, own_criterion, other
):
    X, y = blobs
    seg = CustomerSegmenter(
        estimator, log_transform=False, n_bootstrap=5, random_state=0
    ).fit(X)
    table = seg.k_selection_
    assert seg.n_segments_ == 4
    assert table.index.tolist() == list(range(2, 11))
    for column in ("silhouette", "calinski_harabasz", "davies_bouldin"):
        assert table[column].notna().all()
    assert own_criterion in table and other not in table
    assert table["chosen"].sum() == 1 and table.loc[4, "chosen"]
    assert table["votes"].sum() == len(seg.k_preferred_)
    # the chosen k's stability is measured, and is high on blobs
    assert table.loc[4, "stability"] > 0.95
    assert table.attrs["rule"].startswith("largest k up to the elbow (k=4) with")
    np.testing.assert_allclose(table.loc[4, "smallest_share"], 0.25)
    assert (table["degenerate"] == "").loc[:6].all()
    for criterion, k in seg.k_preferred_.items():
        assert criterion in table.loc[k, "preferred_by"]


def _table(shares, within, degenerate=None):
    ks = list(range(2, 2 + len(shares)))
    return pd.DataFrame(
        {
            "smallest_share": shares,
            "within_ss": within,
            "degenerate": degenerate or [""] * len(ks),
        },
        index=pd.Index(ks, name="n_segments"),
    )


# the knee of this curve is at k=5 (third position after 2, 3, 4 ...)
WITHIN = [100.0, 70.0, 45.0, 15.0, 13.0, 11.0, 10.0]


def test_stable_rule_takes_the_largest_stable_k_up_to_the_elbow():
    assert knee_index(WITHIN) == 3  # k = 5
    stability = {2: 0.99, 3: 0.95, 4: 0.8, 5: 0.7, 6: 0.95, 7: 0.9, 8: 0.9}
    asked = []

    def measure(k):
        asked.append(k)
        return stability[k], 0.9

    table = _table([0.3, 0.2, 0.1, 0.1, 0.05, 0.05, 0.05], WITHIN)
    chosen, reason = choose_stable_k(table, 0.75, 0.02, measure)
    # 6..8 are stable but beyond the elbow; 5 is not stable; 4 is
    assert chosen == 4
    assert asked == [5, 4]  # measured from the elbow down, stopping at 4
    assert reason.startswith("largest k up to the elbow (k=5) with every segment's")
    assert table["stability"].loc[[5, 4]].tolist() == [0.7, 0.8]
    assert table["stability_ari"].loc[[5, 4]].tolist() == [0.9, 0.9]
    assert table["stability"].drop([4, 5]).isna().all()


def test_stable_rule_skips_tiny_and_degenerate_k_and_falls_back():
    stability = dict.fromkeys(range(2, 9), 0.95)

    def measure(values):
        return lambda k: (values[k], np.nan)

    degenerate = ["", "", "", "2 components sit on single values", "", "", ""]
    # 5 degenerate, 4 has a segment under 2%: 3 is the answer, never 2
    table = _table([0.3, 0.2, 0.01, 0.1, 0.05, 0.05, 0.05], WITHIN, degenerate)
    assert choose_stable_k(table, 0.75, 0.02, measure(stability))[0] == 3
    # nothing stable up to the elbow: the smallest stable k beyond it
    low = {**stability, 2: 0.5, 3: 0.5, 4: 0.5, 5: 0.5, 6: 0.5, 7: 0.9}
    table = _table([0.3] * 7, WITHIN)
    chosen, reason = choose_stable_k(table, 0.75, 0.02, measure(low))
    assert (chosen, reason.split(" the elbow")[0]) == (7, "smallest k beyond")
    # nothing stable at all: the most stable with no tiny segment
    none = dict(zip(range(2, 9), [0.5, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1], strict=True))
    table = _table([0.3, 0.3, 0.3, 0.3, 0.001, 0.3, 0.3], WITHIN)
    chosen, reason = choose_stable_k(table, 0.75, 0.02, measure(none))
    assert chosen == 3 and reason.startswith("no k reaches stability 0.75")
    # every k has a tiny segment: the smallest k, no stability measured
    table = _table([0.001] * 7, WITHIN)
    assert choose_stable_k(table, 0.75, 0.02, measure(none))[0] == 2
    assert table["stability"].isna().all()


def test_one_group_cut_in_two_keeps_a_high_ari_but_not_a_stable_segment(blobs):
    # why the least stable segment decides: with five segments on four
    # groups, k-means cuts one group at random; the other three agree
    X, _ = blobs
    seg = CustomerSegmenter(
        log_transform=False, min_segments=5, max_segments=5, n_bootstrap=5,
        random_state=0,
    ).fit(X)  # fmt: skip
    row = seg.k_selection_.loc[5]
    assert row["stability_ari"] > 0.8
    assert row["stability"] < 0.75
    assert seg.k_selection_.attrs["rule"].startswith("no k reaches stability")


def test_within_ss_is_kmeans_inertia(blobs):
    X, _ = blobs
    # converged (tol=0): the centres are the segment means
    model = KMeans(5, n_init=1, tol=0, max_iter=1000, random_state=0).fit(X)
    np.testing.assert_allclose(within_ss(X, model.labels_), model.inertia_, rtol=1e-6)


def test_stability_rule_prefers_three_groups_where_the_vote_says_two():
    # two close groups and a far one: silhouette and Davies-Bouldin see 2
    X, _ = make_blobs(
        600, centers=[(0, 0), (3.5, 0), (25, 0)], cluster_std=0.7, random_state=0
    )
    params = dict(log_transform=False, scale=False, n_bootstrap=5, random_state=0)
    vote = CustomerSegmenter(selection="vote", **params).fit(X)
    stable = CustomerSegmenter(**params).fit(X)
    assert vote.k_preferred_["silhouette"] == 2 and vote.n_segments_ == 2
    assert stable.n_segments_ == 3
    assert stable.k_selection_.loc[3, "stability"] > 0.95
    # the disagreement stays visible
    assert stable.k_preferred_ == vote.k_preferred_
    assert "silhouette" in stable.k_selection_.loc[2, "preferred_by"]


def test_no_bootstrap_says_the_stability_rule_was_not_used():
    # same data: with no refits the k silently came from the vote (2, not 3)
    X, _ = make_blobs(
        600, centers=[(0, 0), (3.5, 0), (25, 0)], cluster_std=0.7, random_state=0
    )
    params = dict(log_transform=False, scale=False, n_bootstrap=0, random_state=0)
    with pytest.warns(
        UserWarning, match=r"n_bootstrap=0 cannot measure stability: k=2"
    ):
        seg = CustomerSegmenter(**params).fit(X)
    assert seg.n_segments_ == 2
    assert "vote" in seg.k_selection_.attrs["rule"]
    # asking for the vote explicitly is not a surprise: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert CustomerSegmenter(selection="vote", **params).fit(X).n_segments_ == 2


def test_search_on_a_subset_refits_the_chosen_k_on_everyone(blobs):
    X, _ = blobs
    seg = CustomerSegmenter(
        log_transform=False, search_size=200, sample_size=100, random_state=0
    ).fit(X)
    assert seg.n_segments_ == 4
    assert seg.labels_.shape == (600,)
    assert seg.estimator_.n_features_in_ == 2
    np.testing.assert_array_equal(seg.predict(X), seg.labels_)


def test_range_of_k_is_validated(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="min_segments=6 is larger"):
        CustomerSegmenter(min_segments=6, max_segments=5).fit(X)
    with pytest.raises(ValueError, match="n_samples=3"):
        CustomerSegmenter(min_segments=3).fit(X[:3])
