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


def _slow_programme(cost, m, k):
    """Least total ``cost(i, j)`` of k classes over items 0..m-1, O(k m^2)."""
    best = [cost(0, j) for j in range(m)]
    for c in range(1, k):
        best = [
            min(best[i - 1] + cost(i, j) for i in range(c, j + 1)) if j >= c else 0
            for j in range(m)
        ]
    return best[m - 1]


def _slow_optimal_sse(values, k):
    """Textbook O(k m^2) programme over the sorted distinct values, no tricks."""
    uniques, counts = np.unique(np.asarray(values, dtype=float), return_counts=True)
    m = uniques.size
    k = min(k, m)

    def cost(i, j):  # classes hold distinct values i..j inclusive, all copies
        v = np.repeat(uniques[i : j + 1], counts[i : j + 1])
        return ((v - v.mean()) ** 2).sum()

    return _slow_programme(cost, m, k)


@pytest.mark.parametrize("seed", range(12))
def test_optimal_against_a_slow_obvious_programme(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    # integers with many ties, or a skewed continuous sample
    if seed % 2:
        values = rng.integers(0, 15, size=n).astype(float)
    else:
        values = np.round(rng.lognormal(3, 1, size=n), 2)
    if seed % 3 == 0:
        values -= 7  # negative values too (net returns)
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
    values = np.round(rng.lognormal(4, 1.3, size=3000), 2) - 20 * (seed % 2)
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


def _sse_of(values, classes):
    return _sse(values, _labels(values, classes))


@pytest.mark.parametrize("seed", range(4))
def test_few_distinct_values_among_many_match_jenkspy(seed):
    # 3,000 values with at most 150 distinct: the weighted programme over the
    # distinct values, not ckmeans, finds the optimum
    rng = np.random.default_rng(200 + seed)
    values = np.floor(rng.lognormal(2, 1, size=3000)).clip(0, 150)
    assert np.unique(values).size ** 2 <= 10 * values.size
    expected, _ = _jenkspy_gvf(values, 5)
    assert _gvf(values, _labels(values, jenks_classes(values, 5))) == pytest.approx(
        expected, abs=1e-12
    )


def test_approximation_is_exact_with_few_distinct_values():
    rng = np.random.default_rng(7)
    values = rng.integers(0, 40, size=20_000).astype(float) ** 2
    for k in (2, 3, 5, 8):
        assert jenks_classes(values, k, max_groups=40) == jenks_classes(values, k)
        assert _sse_of(values, jenks_classes(values, k)) == pytest.approx(
            _slow_optimal_sse(values, k), rel=1e-9
        )


def _slow_run_boundary_sse(values, k, edges):
    """Textbook programme whose breaks may only fall on the given run edges."""
    uniques = np.unique(values)
    starts = list(edges[:-1])
    m = len(starts)

    def cost(a, b):  # runs a..b inclusive
        lo, hi = uniques[starts[a]], uniques[edges[b + 1] - 1]
        v = values[(values >= lo) & (values <= hi)]
        return ((v - v.mean()) ** 2).sum()

    return _slow_programme(cost, m, k)


@pytest.mark.parametrize("seed", range(3))
def test_approximation_guarantees(seed):
    from custseg._rule_based import _breaks

    rng = np.random.default_rng(300 + seed)
    values = np.round(rng.lognormal(3, 1.2, size=1300))
    k, groups = 4, 12
    # the approximate path, not the exact one
    assert values.size > 100 * groups and np.unique(values).size > groups
    classes = jenks_classes(values, k, max_groups=groups)
    sse = _sse_of(values, classes)
    # never better than the optimum ...
    assert sse >= _slow_optimal_sse(values, k) * (1 - 1e-9)
    # ... never worse than the best partition with breaks on the run edges
    uniques = np.unique(values)
    x = (uniques - uniques.mean()) / np.ptp(uniques)
    cum_weight = np.r_[0, np.cumsum(np.unique(values, return_counts=True)[1])]
    edges = _breaks._run_edges(x, cum_weight.astype(float), max(groups, 3 * k))
    assert sse <= _slow_run_boundary_sse(values, k, edges) * (1 + 1e-9)
    # ... and no single break can move (between its neighbours) to lower it
    starts = [int(np.searchsorted(uniques, lo)) for lo, _ in classes] + [uniques.size]
    for t in range(1, k):
        for p in range(starts[t - 1] + 1, starts[t + 1]):
            moved = starts[:t] + [p] + starts[t + 1 :]
            labels = np.searchsorted(uniques[moved[1:-1]], values, side="right")
            assert _sse(values, labels) >= sse * (1 - 1e-9)


def test_approximation_within_a_stated_bound_on_lognormal_money():
    # the documented figure: within 1e-5 of the exact goodness of variance
    # fit on 200,000 skewed amounts with every value distinct
    rng = np.random.default_rng(11)
    values = rng.lognormal(4, 1.2, size=200_000)
    for k in (3, 5, 8):
        exact = _gvf(values, _labels(values, jenks_classes(values, k)))
        approx_classes = jenks_classes(values, k, max_groups=1000)
        approx = _gvf(values, _labels(values, approx_classes))
        assert exact - 1e-5 <= approx <= exact + 1e-12


def test_online_retail_approximation_reaches_the_optimum(online_retail_path):
    from custseg.datasets import load_online_retail

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # counted cleaning warnings
        log = load_online_retail(online_retail_path)
    # 397,924 line amounts with 2,940 distinct values: the approximate path
    lines = log["amount"].to_numpy(dtype=float)
    exact = jenks_classes(lines, 5)
    approx = jenks_classes(lines, 5, max_groups=1000)
    assert _gvf(lines, _labels(lines, exact)) == pytest.approx(0.9723, abs=1e-4)
    assert approx == exact


def test_scorer_and_tiers_accept_the_approximation():
    import pandas as pd

    from custseg import RFMScorer, UsageTiers

    rng = np.random.default_rng(5)
    table = pd.DataFrame(
        {
            "recency": rng.integers(0, 300, 500),
            "frequency": rng.integers(1, 20, 500),
            "monetary": np.round(rng.lognormal(4, 1, 500), 2),
        }
    )
    exact = RFMScorer(method="jenks").fit(table)
    approx = RFMScorer(method="jenks_approx").fit(table)
    for metric in ("recency", "frequency", "monetary"):
        np.testing.assert_array_equal(
            approx.thresholds_[metric], exact.thresholds_[metric]
        )
    tiers = UsageTiers("monetary", method="jenks_approx").fit(table)
    np.testing.assert_array_equal(
        tiers.thresholds_, UsageTiers("monetary", method="jenks").fit(table).thresholds_
    )


@pytest.mark.parametrize("max_groups", [None, 12])
def test_amounts_near_the_float64_limit_keep_their_partition(max_groups):
    rng = np.random.default_rng(9)
    values = np.round(rng.lognormal(3, 1.2, size=1300))
    scaled = values * (1e307 / values.max())  # squares would overflow unscaled
    classes = jenks_classes(values, 4, max_groups=max_groups)
    big = jenks_classes(scaled, 4, max_groups=max_groups)
    np.testing.assert_array_equal(_labels(scaled, big), _labels(values, classes))
