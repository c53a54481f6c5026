"""Tests of the criteria for the number of segments and of the choice rule."""

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
    knee_index,
    selection_table,
    silhouette_many,
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
    # stability is measured for the chosen solution only, and is high on blobs
    assert table["stability"].notna().sum() == 1
    assert table.loc[4, "stability"] > 0.95
    for criterion, k in seg.k_preferred_.items():
        assert criterion in table.loc[k, "preferred_by"]


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
