"""Bootstrap stability (fpc clusterboot-style Jaccard)."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

from custseg._evaluation._stability import (
    bootstrap_stability,
    max_jaccard,
    reference_model,
    stability_band,
)


def test_max_jaccard_by_hand():
    labels = np.array([0, 0, 0, 1, 1, 2])
    predicted = np.array(["x", "x", "y", "y", "y", "y"])
    # segment 0 = {0,1,2}: with x={0,1}: 2/3, with y={2..5}: 1/6
    # segment 1 = {3,4}: with y: 2/4; segment 2 = {5}: with y: 1/4
    np.testing.assert_allclose(
        max_jaccard(labels, predicted, 4)[:3], [2 / 3, 0.5, 0.25]
    )
    assert np.isnan(max_jaccard(labels, predicted, 4)[3])  # empty segment


@pytest.mark.parametrize(
    "value, band",
    [
        (0.5, "dissolved"),
        (0.55, "not trustworthy"),
        (0.6, "doubtful"),
        (0.75, "stable"),
        (0.85, "highly stable"),
        (np.nan, "not computed"),
    ],
)
def test_stability_bands(value, band):
    assert stability_band(value) == band


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(600, centers=[[0, 0], [8, 0], [0, 8]], random_state=0)
    return X, y


def test_separated_clusters_are_stable(blobs):
    X, y = blobs
    labels = KMeans(3, n_init=1, random_state=0).fit_predict(X)
    jac = bootstrap_stability(
        KMeans(3, n_init=1), X, labels, n_bootstrap=10, random_state=0
    )
    assert jac.shape == (10, 3)
    assert jac.mean(axis=0).min() > 0.95


def test_random_labels_are_unstable_with_reference_model(blobs):
    X, _ = blobs
    labels = np.random.RandomState(0).randint(0, 3, X.shape[0])
    jac = bootstrap_stability(
        reference_model(X.shape[0]),
        X,
        labels,
        fit_labels=True,
        n_bootstrap=10,
        random_state=0,
    )
    assert jac.mean(axis=0).max() < 0.5


def test_deterministic_and_independent_of_n_jobs(blobs):
    X, _ = blobs
    labels = KMeans(3, n_init=1, random_state=0).fit_predict(X)
    one = bootstrap_stability(
        KMeans(3, n_init=1), X, labels, n_bootstrap=6, random_state=1, n_jobs=1
    )
    again = bootstrap_stability(
        KMeans(3, n_init=1), X, labels, n_bootstrap=6, random_state=1, n_jobs=1
    )
    two = bootstrap_stability(
        KMeans(3, n_init=1), X, labels, n_bootstrap=6, random_state=1, n_jobs=2
    )
    np.testing.assert_array_equal(one, again)
    np.testing.assert_array_equal(one, two)


def test_verbose_shows_a_progress_bar(blobs, capsys):
    X, y = blobs
    bootstrap_stability(
        reference_model(len(y)),
        X,
        y,
        fit_labels=True,
        n_bootstrap=4,
        random_state=0,
        verbose=True,
    )
    err = capsys.readouterr().err
    assert "bootstrap stability" in err and "0/4" in err


def test_process_backend_gives_the_same_numbers(blobs):
    from joblib import parallel_config

    X, _ = blobs
    labels = KMeans(3, n_init=1, random_state=0).fit_predict(X)
    threads = bootstrap_stability(
        KMeans(3, n_init=1), X, labels, n_bootstrap=4, random_state=2, n_jobs=2
    )
    with parallel_config(backend="loky"):
        processes = bootstrap_stability(
            KMeans(3, n_init=1), X, labels, n_bootstrap=4, random_state=2, n_jobs=2
        )
    np.testing.assert_array_equal(threads, processes)
