"""RandomSegmenter and QuantileSegmenter."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from custseg import QuantileSegmenter, RandomSegmenter


@pytest.fixture
def X():
    rng = np.random.RandomState(0)
    return pd.DataFrame(
        {
            "recency": rng.randint(0, 365, 200),
            "frequency": rng.randint(1, 10, 200),
            "monetary": rng.lognormal(4, 1, 200),
            "country": rng.choice(["UK", "FR"], 200),
        }
    )


def test_random_segmenter_protocol_and_exact_shares(X):
    seg = RandomSegmenter(3, shares=[0.5, 0.3, 0.2], random_state=0).fit(X)
    assert seg.labels_.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(seg.labels_), [100, 60, 40])
    assert seg.segment_names_.tolist() == ["random 0", "random 1", "random 2"]
    assert seg.profiles_["customers"].tolist() == [100, 60, 40]
    assert "monetary" in seg.profiles_
    np.testing.assert_allclose(seg.shares_, [0.5, 0.3, 0.2])
    assert seg.feature_names_in_.tolist() == [
        "recency",
        "frequency",
        "monetary",
        "country",
    ]


def test_random_segmenter_is_reproducible(X):
    a = RandomSegmenter(4, random_state=1).fit(X)
    b = RandomSegmenter(4, random_state=1).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    np.testing.assert_array_equal(a.predict(X), a.predict(X))
    assert set(np.unique(a.predict(X))) <= {0, 1, 2, 3}
    c = RandomSegmenter(4, random_state=2).fit(X)
    assert not np.array_equal(a.labels_, c.labels_)
    # equal shares by default, remainder spread one by one
    assert np.bincount(RandomSegmenter(3, random_state=0).fit(X).labels_).tolist() == [
        67,
        67,
        66,
    ]


@pytest.mark.parametrize("shares", [[0.5, 0.5], [1, -1, 1], [0, 0, 0]])
def test_random_segmenter_bad_shares(X, shares):
    with pytest.raises(ValueError, match="shares must be 3 non-negative"):
        RandomSegmenter(3, shares=shares).fit(X)


def test_random_segmenter_bad_n_segments(X):
    with pytest.raises(ValueError, match="n_segments"):
        RandomSegmenter(0).fit(X)


def test_quantile_segmenter_cuts_and_predict(X):
    seg = QuantileSegmenter("monetary", 4).fit(X)
    expected = np.quantile(X["monetary"], [0.25, 0.5, 0.75])
    np.testing.assert_allclose(seg.thresholds_, expected)
    np.testing.assert_array_equal(np.bincount(seg.labels_), [50, 50, 50, 50])
    assert seg.segment_names_[0] == f"monetary < {expected[0]:.3g}"
    assert seg.segment_names_[-1] == f"monetary >= {expected[-1]:.3g}"
    # predict reuses the fitted cut points on new customers
    new = X.assign(monetary=[0.0, 1e9] + [expected[1]] * 198)
    pred = seg.predict(new)
    assert pred[0] == 0 and pred[1] == 3 and (pred[2:] == 2).all()
    medians = seg.profiles_["monetary"].to_numpy()
    assert (np.diff(medians) > 0).all()


def test_quantile_segmenter_ties_share_a_segment():
    X = pd.DataFrame({"frequency": [1, 1, 1, 1, 1, 1, 2, 3, 4, 5]})
    seg = QuantileSegmenter("frequency", 3).fit(X)
    assert len(set(seg.labels_[:6])) == 1
    assert seg.labels_.max() + 1 == len(seg.segment_names_)


def test_quantile_segmenter_constant_and_positional():
    seg = QuantileSegmenter(0, 3).fit(np.ones((5, 2)))
    assert seg.labels_.tolist() == [0] * 5
    assert seg.segment_names_.tolist() == ["x0 (all)"]
    seg = QuantileSegmenter(1, 2).fit(np.c_[np.zeros(4), [1.0, 2, 3, 4]])
    assert seg.labels_.tolist() == [0, 0, 1, 1]


def test_quantile_segmenter_errors(X):
    with pytest.raises(ValueError, match="column='spend' is not a column of X"):
        QuantileSegmenter("spend").fit(X)
    with pytest.raises(TypeError, match="column 'country' must be numeric"):
        QuantileSegmenter("country").fit(X)
    with pytest.raises(ValueError, match="out of range"):
        QuantileSegmenter(7).fit(X.to_numpy(dtype=object))
    with pytest.raises(ValueError, match="NaN or infinite"):
        QuantileSegmenter("monetary").fit(X.assign(monetary=np.nan))


def test_baselines_do_not_mutate_and_clone(X):
    before = X.copy()
    for seg in (RandomSegmenter(2, random_state=0), QuantileSegmenter("recency")):
        seg.fit(X)
        clone(seg).fit(X)
    pd.testing.assert_frame_equal(X, before)


def test_quantile_segmenter_position_on_a_dataframe_names_the_column(X):
    # column=2 on a DataFrame is "monetary": names and profiles use that name
    seg = QuantileSegmenter(2, 2).fit(X)
    cut = np.quantile(X["monetary"], 0.5)
    assert seg.segment_names_.tolist() == [
        f"monetary < {cut:.3g}",
        f"monetary >= {cut:.3g}",
    ]
    np.testing.assert_array_equal(seg.labels_, (X["monetary"] >= cut).astype(int))
