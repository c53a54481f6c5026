"""Determinism: a seed gives identical results across runs and across n_jobs.

Every estimator or function with ``random_state`` is run twice with the same
seed, and (where it has ``n_jobs``) with ``n_jobs=1`` and ``n_jobs=2``; the
results must be identical, not merely close.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.mixture import GaussianMixture

from custseg import (
    CustomerSegmenter,
    QuantileSegmenter,
    RandomSegmenter,
    RFMSegmenter,
    UsageTiers,
    compare_segmentations,
    rfm_table,
    validate_segmentation,
)
from custseg.datasets import make_transactions


@pytest.fixture(scope="module")
def table():
    log, _ = make_transactions(400, random_state=11)
    return rfm_table(log, order_col="order_id")


def assert_same_fit(*segs):
    """Labels, names and profiles identical (NaN equal to NaN)."""
    first = segs[0]
    for other in segs[1:]:
        np.testing.assert_array_equal(other.labels_, first.labels_)
        assert list(other.segment_names_) == list(first.segment_names_)
        pd.testing.assert_frame_equal(other.profiles_, first.profiles_)


def quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def test_make_transactions_is_seeded():
    a_log, a_truth = make_transactions(200, random_state=3)
    b_log, b_truth = make_transactions(200, random_state=3)
    pd.testing.assert_frame_equal(a_log, b_log)
    pd.testing.assert_series_equal(a_truth, b_truth)


@pytest.mark.parametrize(
    "make",
    [
        lambda n_jobs: CustomerSegmenter(
            random_state=0, max_segments=6, n_bootstrap=3, n_jobs=n_jobs
        ),
        lambda n_jobs: CustomerSegmenter(
            GaussianMixture(),
            random_state=0,
            max_segments=5,
            n_bootstrap=2,
            n_jobs=n_jobs,
        ),
        lambda n_jobs: CustomerSegmenter(n_segments=4, random_state=5, n_jobs=n_jobs),
    ],
    ids=["kmeans-auto", "gmm-auto", "kmeans-k4"],
)
def test_customer_segmenter_runs_and_n_jobs(table, make):
    first = quiet(make(1).fit, table)
    again = quiet(make(1).fit, table)
    parallel = quiet(make(2).fit, table)
    assert_same_fit(first, again, parallel)
    if hasattr(first, "k_selection_"):
        pd.testing.assert_frame_equal(first.k_selection_, parallel.k_selection_)
        pd.testing.assert_frame_equal(first.k_selection_, again.k_selection_)
    np.testing.assert_array_equal(first.predict(table), parallel.predict(table))


def test_random_segmenter_is_seeded(table):
    a = RandomSegmenter(n_segments=4, random_state=1).fit(table)
    b = RandomSegmenter(n_segments=4, random_state=1).fit(table)
    assert_same_fit(a, b)
    np.testing.assert_array_equal(a.predict(table), b.predict(table))


@pytest.mark.parametrize(
    "make",
    [RFMSegmenter, UsageTiers, lambda: QuantileSegmenter(column="monetary")],
    ids=["RFMSegmenter", "UsageTiers", "QuantileSegmenter"],
)
def test_deterministic_segmenters_without_seed(table, make):
    # no randomness at all: two fits agree exactly
    assert_same_fit(quiet(make().fit, table), quiet(make().fit, table))


def assert_same_report(*reports):
    first = reports[0]
    for other in reports[1:]:
        assert other.verdict == first.verdict
        assert list(other.reasons) == list(first.reasons)
        pd.testing.assert_frame_equal(other.segments, first.segments)
        pd.testing.assert_frame_equal(other.features, first.features)
        assert other.indices.keys() == first.indices.keys()
        for key, value in first.indices.items():
            np.testing.assert_array_equal(other.indices[key], value)


def test_validate_segmentation_runs_and_n_jobs(table):
    seg = CustomerSegmenter(n_segments=3, n_bootstrap=0)
    kwargs = dict(n_bootstrap=6, sample_size=200, random_state=4)
    first = quiet(validate_segmentation, seg, table, n_jobs=1, **kwargs)
    again = quiet(validate_segmentation, seg, table, n_jobs=1, **kwargs)
    parallel = quiet(validate_segmentation, seg, table, n_jobs=2, **kwargs)
    assert_same_report(first, again, parallel)


def test_compare_segmentations_runs_and_n_jobs(table):
    segs = {
        "rfm": RFMSegmenter(),
        "learned": CustomerSegmenter(n_segments=3, n_bootstrap=0),
        "random": RandomSegmenter(n_segments=3),
    }
    kwargs = dict(n_bootstrap=4, sample_size=200, random_state=2)
    first = quiet(compare_segmentations, segs, table, n_jobs=1, **kwargs)
    parallel = quiet(compare_segmentations, segs, table, n_jobs=2, **kwargs)
    pd.testing.assert_frame_equal(first, parallel)
