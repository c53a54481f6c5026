"""Natural breaks are the exact optimum: a slow obvious programme and jenkspy agree."""

import warnings

import numpy as np
import pytest

from custseg._rule_based._breaks import jenks_classes, jenks_cuts


def _labels(values, classes):
    """Class index of each value from the classes' (min, max) bounds."""
    values = np.asarray(values, dtype=float)
    labels = np.full(values.size, -1)
    for c, (lo, hi) in enumerate(classes):
        inside = (values >= lo) & (values <= hi)
        assert not (labels[inside] >= 0).any(), "classes overlap"
        labels[inside] = c
    assert (labels >= 0).all(), "classes do not cover the values"
    return labels


def _sse(values, labels):
    values = np.asarray(values, dtype=float)
    return sum(
        ((values[labels == c] - values[labels == c].mean()) ** 2).sum()
        for c in np.unique(labels)
    )


def _gvf(values, labels):
    """Goodness of variance fit: 1 - within-class SS / total SS."""
    values = np.asarray(values, dtype=float)
    return 1 - _sse(values, labels) / ((values - values.mean()) ** 2).sum()


def _slow_optimal_sse(values, k):
    """Textbook O(k m^2) programme over the sorted distinct values, no tricks."""
    uniques, counts = np.unique(np.asarray(values, dtype=float), return_counts=True)
    m = uniques.size
    k = min(k, m)

    def cost(i, j):  # classes hold distinct values i..j inclusive, all copies
        v = np.repeat(uniques[i : j + 1], counts[i : j + 1])
        return ((v - v.mean()) ** 2).sum()

    best = [cost(0, j) for j in range(m)]
    for c in range(1, k):
        best = [
            min(best[i - 1] + cost(i, j) for i in range(c, j + 1)) if j >= c else 0
            for j in range(m)
        ]
    return best[m - 1]


@pytest.mark.parametrize("seed", range(12))
def test_optimal_against_a_slow_obvious_programme(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    # integers with many ties, or a skewed continuous sample
    if seed % 2:
        values = rng.integers(0, 15, size=n).astype(float)
    else:
        values = np.round(rng.lognormal(3, 1, size=n), 2)
    k = int(rng.integers(2, 7))
    classes = jenks_classes(values, k)
    labels = _labels(values, classes)
    assert len(classes) == min(k, np.unique(values).size)
    assert _sse(values, labels) == pytest.approx(
        _slow_optimal_sse(values, k), rel=1e-9, abs=1e-9
    )


def _jenkspy_gvf(values, k):
    jenkspy = pytest.importorskip("jenkspy")
    breaks = np.asarray(jenkspy.jenks_breaks(values, n_classes=k))
    # jenkspy's breaks are the upper bounds of the classes (first one is the min)
    return _gvf(values, np.searchsorted(breaks[1:-1], values, side="left")), breaks


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [2, 3, 5, 8])
def test_same_goodness_of_fit_as_jenkspy(seed, k):
    rng = np.random.default_rng(100 + seed)
    # 3,000 values, more distinct values than the 1,000 an approximation used
    values = np.round(rng.lognormal(4, 1.3, size=3000), 2)
    expected, _ = _jenkspy_gvf(values, k)
    labels = _labels(values, jenks_classes(values, k))
    assert _gvf(values, labels) == pytest.approx(expected, abs=1e-12)


def test_online_retail_monetary_matches_jenkspy(online_retail_path):
    import custseg
    from custseg.datasets import load_online_retail

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # counted cleaning warnings
        log = load_online_retail(online_retail_path)
    table = custseg.rfm_table(
        log,
        customer_col="customer_id",
        date_col="date",
        amount_col="amount",
        order_col="order_id",
    )
    monetary = table["monetary"].to_numpy()
    expected, jenkspy_breaks = _jenkspy_gvf(monetary, 5)
    cuts = jenks_cuts(monetary, 5)
    gvf = _gvf(monetary, np.searchsorted(cuts, monetary, side="left"))
    # the published figures: top break 194,551, goodness of variance fit 0.940
    assert cuts[-1] == pytest.approx(194_550.79)
    assert round(gvf, 3) == 0.940
    assert gvf == pytest.approx(expected, abs=1e-12)
    np.testing.assert_allclose(cuts, jenkspy_breaks[1:-1])


def test_equal_values_share_a_class_over_a_wide_range():
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [
            1e8 + rng.integers(0, 3, 500),
            rng.integers(0, 5, 500).astype(float),
            [5e7] * 7,
        ]
    )
    classes = jenks_classes(values, 4)
    for (_, hi), (lo, _) in zip(classes[:-1], classes[1:], strict=True):
        assert hi < lo
    _labels(values, classes)  # a partition: no overlap, every value covered


def test_fewer_distinct_values_than_classes():
    assert jenks_classes([2, 2, 7, 7, 7], 4) == [(2.0, 2.0), (7.0, 7.0)]
    assert jenks_cuts([2, 2, 7], 4).tolist() == [2.0, np.inf, np.inf]
    assert jenks_classes([], 3) == []
    assert jenks_classes([1.5], 3) == [(1.5, 1.5)]
