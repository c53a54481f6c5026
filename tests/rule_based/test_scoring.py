"""RFMScorer and the natural-breaks helper, against hand-worked examples."""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline

from custseg import RFMScorer, RFMSegmenter
from custseg._rule_based._breaks import jenks_classes


def _table(recency, frequency, monetary, index=None):
    return pd.DataFrame(
        {"recency": recency, "frequency": frequency, "monetary": monetary},
        index=index,
    )


def test_quantile_scores_hand_worked():
    # quintile cut points of 1..5 (linear rule): 1.8, 2.6, 3.4, 4.2
    X = _table([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [10.0, 20.0, 30.0, 40.0, 50.0])
    scorer = RFMScorer().fit(X)
    np.testing.assert_allclose(scorer.thresholds_["recency"], [1.8, 2.6, 3.4, 4.2])
    np.testing.assert_allclose(scorer.thresholds_["monetary"], [18, 26, 34, 42])
    scores = scorer.transform(X)
    # recency reversed: 1 day ago is the best score
    assert scores[:, 0].tolist() == [5, 4, 3, 2, 1]
    assert scores[:, 1].tolist() == [1, 2, 3, 4, 5]
    assert scores[:, 2].tolist() == [1, 2, 3, 4, 5]
    assert scores.dtype == np.int64


def test_second_period_is_scored_on_first_period_thresholds():
    period1 = _table([5, 10, 50, 100], [1, 2, 3, 4], [10.0, 20.0, 30.0, 40.0])
    period2 = _table([1, 2, 3, 4], [10, 20, 30, 40], [100.0, 200.0, 300.0, 400.0])
    scorer = RFMScorer(n_bins=2).fit(period1)
    # medians of period 1: recency 30, frequency 2.5, monetary 25
    assert scorer.thresholds_["recency"].tolist() == [30.0]
    assert scorer.thresholds_["frequency"].tolist() == [2.5]
    assert scorer.thresholds_["monetary"].tolist() == [25.0]
    # on period 1's scale, every period-2 customer is recent, frequent, big
    assert scorer.transform(period2).tolist() == [[2, 2, 2]] * 4
    # refitting on period 2 would have split them (its own medians differ)
    refit = RFMScorer(n_bins=2).fit(period2).transform(period2)
    assert refit[:, 2].tolist() == [1, 1, 2, 2]


def test_values_on_a_cut_point_fall_in_the_lower_bin():
    X = _table([0, 30, 31, 90, 400], [1, 1, 1, 1, 1], [1.0, 2.0, 3.0, 4.0, 5.0])
    scorer = RFMScorer(
        thresholds={"recency": [30, 90, 180, 365], "frequency": [1, 2, 3, 4]}
    ).fit(X)
    scores = scorer.transform(X)
    assert scores[:, 0].tolist() == [5, 5, 4, 4, 1]
    assert scores[:, 1].tolist() == [1, 1, 1, 1, 1]
    assert scorer.thresholds_["recency"].tolist() == [30, 90, 180, 365]


def test_ties_get_equal_scores_and_the_warning_counts_bins():
    # quintile cut points of 7 x 1, 2, 3, 4: 1, 1, 1, 2.2 -> scores 1, 4, 5, 5
    X = _table(range(10), [1] * 7 + [2, 3, 4], np.arange(10.0))
    with pytest.warns(UserWarning) as record:
        scorer = RFMScorer().fit(X)
    messages = [str(w.message) for w in record]
    assert len(messages) == 1
    assert "'frequency' collapse the 5 quantile bins to 3" in messages[0]
    assert "scores used: 1, 4, 5" in messages[0]
    assert "value 1 is shared by 7 of 10 customers" in messages[0]
    assert scorer.transform(X)[:, 1].tolist() == [1] * 7 + [4, 5, 5]
    assert scorer.n_bins_used_ == {"recency": 5, "frequency": 3, "monetary": 5}


def test_cdnow_ties_equal_scores_and_warning(cdnow_master_path):
    from custseg import rfm_table
    from custseg.datasets import load_cdnow

    log = load_cdnow(cdnow_master_path)
    table = rfm_table(
        log, customer_col="customer_id", date_col="date", amount_col="amount"
    )
    assert (table["frequency"] == 1).mean() > 0.5  # most customers bought once
    with pytest.warns(UserWarning, match="ties in column 'frequency' collapse"):
        scores = RFMScorer().fit_transform(table)
    for j, col in enumerate(["recency", "frequency", "monetary"]):
        per_value = pd.Series(scores[:, j]).groupby(table[col].to_numpy()).nunique()
        assert per_value.max() == 1, col
    # one-time buyers all share the lowest frequency score
    assert set(scores[table["frequency"].to_numpy() == 1, 1]) == {1}


def _sse(groups):
    return sum(((g - g.mean()) ** 2).sum() for g in groups)


def _brute_force_sse(values, k):
    """Best within-class SSE over every split of the sorted distinct values."""
    values = np.sort(np.asarray(values, dtype=float))
    uniques = np.unique(values)
    best = np.inf
    for cuts in itertools.combinations(uniques[:-1], k - 1):
        edges = [-np.inf, *cuts, np.inf]
        groups = [
            values[(values > lo) & (values <= hi)]
            for lo, hi in itertools.pairwise(edges)
        ]
        best = min(best, _sse(groups))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_jenks_is_the_optimal_partition(seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 40, size=25).astype(float)
    classes = jenks_classes(values, 3)
    groups = [values[(values >= lo) & (values <= hi)] for lo, hi in classes]
    assert sum(len(g) for g in groups) == values.size  # classes partition the data
    assert _sse(groups) == pytest.approx(_brute_force_sse(values, 3))


def test_jenks_method_on_clear_groups_and_many_distinct_values():
    X = _table([1, 2, 3, 50, 51, 52, 200, 201], [1, 1, 2, 5, 5, 6, 20, 21], [5.0] * 8)
    with pytest.warns(UserWarning, match="'monetary'"):  # a single distinct value
        scorer = RFMScorer(n_bins=3, method="jenks").fit(X)
    assert scorer.thresholds_["recency"].tolist() == [3, 52]
    assert scorer.transform(X)[:, 0].tolist() == [3, 3, 3, 2, 2, 2, 1, 1]
    # more distinct values than candidate positions: equal values still share
    rng = np.random.default_rng(0)
    many = np.round(rng.lognormal(3, 1, 5000), 1)
    classes = jenks_classes(many, 5)
    for (_, hi), (lo, _) in itertools.pairwise(classes):
        assert hi < lo


def test_containers_pandas_polars_numpy():
    pl = pytest.importorskip("polars")
    X = _table([3, 40, 8, 200, 15], [4, 1, 2, 1, 9], [80.0, 9.0, 30.0, 12.0, 300.0])
    X.index = pd.Index(list("abcde"), name="customer_id")
    expected = RFMScorer(n_bins=3).fit_transform(X)
    as_polars = pl.from_pandas(X.reset_index())  # id first, then R, F, M
    np.testing.assert_array_equal(
        RFMScorer(n_bins=3).fit_transform(as_polars), expected
    )
    np.testing.assert_array_equal(
        RFMScorer(n_bins=3).fit_transform(X.to_numpy()), expected
    )
    out = RFMScorer(n_bins=3).set_output(transform="pandas").fit_transform(X)
    assert list(out.columns) == ["recency_score", "frequency_score", "monetary_score"]
    assert list(out.index) == list("abcde")
    out_pl = RFMScorer(n_bins=3).set_output(transform="polars").fit_transform(as_polars)
    assert out_pl.columns == list(out.columns)


def test_in_a_pipeline_with_a_passthrough_segmenter():
    X = _table([3, 40, 8, 200, 15, 70], [4, 1, 2, 1, 9, 3], [80.0, 9, 30, 12, 300, 50])
    pipe = make_pipeline(
        RFMScorer().set_output(transform="pandas"), RFMSegmenter(scorer="passthrough")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        labels = pipe.fit(X).predict(X)
        direct = RFMSegmenter().fit(X).labels_
    np.testing.assert_array_equal(labels, direct)


def test_errors_name_the_column_and_inputs_stay_untouched():
    X = _table([1, 2, 3], [1, 2, 3], [1.0, 2.0, 3.0])
    before = X.copy()
    RFMScorer(n_bins=2).fit_transform(X)
    pd.testing.assert_frame_equal(X, before)
    with pytest.raises(ValueError, match=r"column\(s\) \['monetary'\] not found"):
        RFMScorer().fit(X.drop(columns="monetary"))
    with pytest.raises(TypeError, match="column 'frequency' must be numeric"):
        RFMScorer().fit(X.assign(frequency=["a", "b", "c"]))
    with pytest.raises(ValueError, match="column 'monetary' has 1 missing"):
        RFMScorer().fit(X.assign(monetary=[1.0, np.nan, 3.0]))
    with pytest.raises(ValueError, match=r"thresholds\['recency'\] has 2 value"):
        RFMScorer(thresholds={"recency": [1, 2]}).fit(X)
    with pytest.raises(ValueError, match="strictly increasing"):
        RFMScorer(n_bins=3, thresholds={"recency": [5, 2]}).fit(X)
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['days'\]"):
        RFMScorer(thresholds={"days": [1, 2, 3, 4]}).fit(X)
    with pytest.raises(ValueError, match="X has 2 feature"):
        RFMScorer().fit(np.ones((4, 2)))
    with pytest.raises(NotFittedError):
        RFMScorer().transform(X)
