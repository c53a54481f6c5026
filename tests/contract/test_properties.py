"""Invariants of the aggregation and of the segmenters, checked with hypothesis.

Amounts are multiples of 0.25 so that every sum is exact in float64 whatever
the order of the rows: equalities below are exact, not approximate.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.mixture import GaussianMixture

from custseg import (
    CustomerSegmenter,
    QuantileSegmenter,
    RandomSegmenter,
    RFMScorer,
    RFMSegmenter,
    UsageTiers,
    rfm_table,
    validate_segmentation,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore:Dask support is moving out of Narwhals:FutureWarning",
    "ignore::UserWarning",
)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
START = pd.Timestamp("2024-01-01")


@st.composite
def logs(draw, min_rows=1, max_rows=40, ids=("a", "b", "c", "d", "e", "f")):
    n = draw(st.integers(min_rows, max_rows))
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(ids),
                st.integers(0, 90),  # day
                st.integers(0, 23),  # hour
                st.integers(0, 4000),  # amount in quarters
                st.integers(0, 5),  # order number within the customer
            ),
            min_size=n,
            max_size=n,
        )
    )
    cust, day, hour, quarters, order = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "customer_id": list(cust),
            "date": [
                START + pd.Timedelta(days=d, hours=h)
                for d, h in zip(day, hour, strict=True)
            ],
            "amount": np.asarray(quarters, dtype=float) / 4,
            "order_id": [f"{c}-{o}" for c, o in zip(cust, order, strict=True)],
        }
    )


def slow_rfm(log, reference=None, order_col=None):
    """Obvious per-customer loops: the oracle."""
    days = log["date"].dt.normalize()
    reference = days.max() if reference is None else pd.Timestamp(reference)
    out = {}
    for cust in sorted(set(log["customer_id"])):
        mine = log[(log["customer_id"] == cust) & (days <= reference)]
        if mine.empty:
            continue
        last = mine["date"].dt.normalize().max()
        freq = mine[order_col].nunique() if order_col else len(mine)
        out[cust] = ((reference - last).days, freq, float(mine["amount"].sum()))
    return out


def rows_of(table):
    return {
        k: (int(r), int(f), float(m))
        for k, (r, f, m) in table[["recency", "frequency", "monetary"]].iterrows()
    }


# --- the aggregation -----------------------------------------------------------


@SETTINGS
@given(log=logs(), use_orders=st.booleans())
def test_matches_slow_oracle(log, use_orders):
    order = "order_id" if use_orders else None
    assert rows_of(rfm_table(log, order_col=order)) == slow_rfm(log, order_col=order)


@SETTINGS
@given(log=logs(), data=st.data())
def test_row_order_does_not_matter(log, data):
    perm = data.draw(st.permutations(range(len(log))))
    shuffled = log.iloc[list(perm)].reset_index(drop=True)
    for kwargs in ({}, {"order_col": "order_id"}, {"definition": "btyd"}):
        pd.testing.assert_frame_equal(
            rfm_table(shuffled, **kwargs), rfm_table(log, **kwargs)
        )


@SETTINGS
@given(log=logs(min_rows=2), data=st.data())
def test_concatenated_chunks_give_the_same_table(log, data):
    # split into any number of chunks, in any order, then concatenated
    cuts = sorted(data.draw(st.sets(st.integers(1, len(log) - 1), max_size=5)))
    bounds = [0, *cuts, len(log)]
    chunks = [log.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    order = data.draw(st.permutations(range(len(chunks))))
    joined = pd.concat([chunks[i] for i in order])  # duplicated index kept
    pd.testing.assert_frame_equal(
        rfm_table(joined, order_col="order_id"), rfm_table(log, order_col="order_id")
    )


@settings(SETTINGS, max_examples=8)
@given(log=logs(min_rows=4), npartitions=st.integers(1, 4), data=st.data())
def test_dask_partitions_give_the_same_table(log, npartitions, data):
    dd = pytest.importorskip("dask.dataframe")
    perm = data.draw(st.permutations(range(len(log))))
    frame = dd.from_pandas(
        log.iloc[list(perm)].reset_index(drop=True), npartitions=npartitions
    )
    for kwargs in ({"order_col": "order_id"}, {"definition": "btyd"}):
        got = rfm_table(frame, **kwargs).compute().set_index("customer_id").sort_index()
        expected = rfm_table(log, **kwargs)
        assert got.index.tolist() == expected.index.tolist()
        np.testing.assert_array_equal(
            got.to_numpy(dtype=float), expected.to_numpy(dtype=float)
        )


@SETTINGS
@given(log=logs(ids=("a", "b", "c")), other=logs(ids=("x", "y")))
def test_other_customers_never_change_a_customer(log, other):
    reference = "2024-04-30"  # after every drawn date: fixed, not data-driven
    alone = rfm_table(log, order_col="order_id", reference_date=reference)
    together = rfm_table(
        pd.concat([log, other, log.iloc[:0]]),
        order_col="order_id",
        reference_date=reference,
    )
    pd.testing.assert_frame_equal(together.loc[alone.index], alone)


@SETTINGS
@given(log=logs(), power=st.integers(-4, 12))
def test_scaling_amounts_scales_monetary(log, power):
    c = 2.0**power  # exact in float64
    base = rfm_table(log, order_col="order_id")
    scaled = rfm_table(log.assign(amount=log["amount"] * c), order_col="order_id")
    np.testing.assert_array_equal(scaled["monetary"], base["monetary"] * c)
    pd.testing.assert_frame_equal(
        scaled[["recency", "frequency"]], base[["recency", "frequency"]]
    )


# --- scores and tiers ------------------------------------------------------------


@st.composite
def customer_tables(draw, min_size=3, max_size=60):
    n = draw(st.integers(min_size, max_size))
    col = st.lists(st.integers(0, 50), min_size=n, max_size=n)
    return pd.DataFrame(
        {
            "recency": draw(col),
            "frequency": [v + 1 for v in draw(col)],
            "monetary": np.asarray(draw(col), dtype=float) * 2.5,
        }
    )


def by_hand_scores(values, cuts, n_bins, reverse):
    """1 + number of cut points strictly below the value (reversed for recency)."""
    scores = np.array([1 + sum(c < v for c in cuts) for v in values])
    return n_bins + 1 - scores if reverse else scores


@SETTINGS
@given(
    X=customer_tables(),
    n_bins=st.integers(2, 6),
    method=st.sampled_from(["quantile", "jenks"]),
)
def test_scores_monotone_and_reproduced_by_cut_points(X, n_bins, method):
    scorer = RFMScorer(n_bins=n_bins, method=method).fit(X)
    scores = scorer.transform(X)
    for j, metric in enumerate(["recency", "frequency", "monetary"]):
        values = X[metric].to_numpy()
        order = np.argsort(values, kind="stable")
        steps = np.diff(scores[order, j])
        # higher frequency / monetary never lowers the score; recency reversed
        assert (steps <= 0).all() if metric == "recency" else (steps >= 0).all()
        np.testing.assert_array_equal(
            scores[:, j],
            by_hand_scores(
                values, scorer.thresholds_[metric], n_bins, metric == "recency"
            ),
        )


@SETTINGS
@given(X=customer_tables(), power=st.integers(-3, 10))
def test_scaling_amounts_leaves_scores_unchanged(X, power):
    scaled = X.assign(monetary=X["monetary"] * 2.0**power)
    np.testing.assert_array_equal(
        RFMScorer().fit(scaled).transform(scaled), RFMScorer().fit(X).transform(X)
    )


@SETTINGS
@given(
    X=customer_tables(),
    method=st.sampled_from(["rank", "pareto", "jenks"]),
    zero_tier=st.sampled_from([None, "none"]),
)
def test_tiers_monotone_and_predict_reproduces_labels(X, method, zero_tier):
    X = X.assign(frequency=X["frequency"] - 1)  # zeros appear
    if method == "pareto" and X["frequency"].sum() == 0:
        return  # documented ValueError: nothing to share
    tiers = UsageTiers(method=method, zero_tier=zero_tier).fit(X)
    values = X["frequency"].to_numpy()
    labels = tiers.labels_
    order = np.argsort(values, kind="stable")
    ranked = labels[order]
    if zero_tier is not None:
        ranked = ranked[values[order] > 0]
        assert (labels[values == 0] == len(tiers.segment_names_) - 1).all()
    # heavier usage never gets a lighter tier (label 0 is the heaviest)
    assert (np.diff(ranked) <= 0).all()
    np.testing.assert_array_equal(tiers.predict(X), labels)
    # the bounds alone reproduce the labels: first tier whose bound <= value
    active = values > 0 if zero_tier is not None else np.ones_like(values, bool)
    by_hand = [int(np.sum(np.asarray(tiers.thresholds_) > v)) for v in values[active]]
    np.testing.assert_array_equal(labels[active], by_hand)


# --- every segmenter: predict on the training data equals labels_ -------------

SEGMENTERS = {
    "RFMSegmenter": lambda: RFMSegmenter(),
    "RFMSegmenter-pymc": lambda: RFMSegmenter("pymc"),
    "UsageTiers": lambda: UsageTiers(),
    "QuantileSegmenter": lambda: QuantileSegmenter(column="monetary"),
    "CustomerSegmenter": lambda: CustomerSegmenter(
        n_segments=3, random_state=0, n_bootstrap=0
    ),
    "CustomerSegmenter-gmm": lambda: CustomerSegmenter(
        GaussianMixture(random_state=0), n_segments=2, random_state=0, n_bootstrap=0
    ),
}


@pytest.mark.parametrize("name", list(SEGMENTERS))
@settings(SETTINGS, max_examples=10)
@given(X=customer_tables(min_size=6))
def test_predict_on_training_data_equals_labels(name, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seg = SEGMENTERS[name]().fit(X)
        predicted = seg.predict(X)
    np.testing.assert_array_equal(predicted, seg.labels_)
    assert seg.labels_.dtype.kind == "i"
    assert len(seg.segment_names_) > seg.labels_.max()


# --- every customer-table estimator on malformed tables ---------------------------

ESTIMATORS = {
    "RFMScorer": lambda: RFMScorer(n_bins=3),
    "RFMSegmenter": lambda: RFMSegmenter(),
    "UsageTiers": lambda: UsageTiers(),
    "UsageTiers-pareto": lambda: UsageTiers(method="pareto"),
    "UsageTiers-jenks": lambda: UsageTiers(method="jenks"),
    "QuantileSegmenter": lambda: QuantileSegmenter("monetary"),
    "RandomSegmenter": lambda: RandomSegmenter(2, random_state=0),
    "CustomerSegmenter": lambda: CustomerSegmenter(
        n_segments=2, n_bootstrap=0, random_state=0
    ),
}
KINDS = ["numbers", "nan", "inf", "constant", "huge", "negative", "text", "none"]


def _column(kind, n, rng):
    values = rng.integers(0, 50, n).astype(float)
    if kind == "nan" and n:
        values[rng.integers(0, n)] = np.nan
    elif kind == "inf" and n:
        values[rng.integers(0, n)] = np.inf
    elif kind == "constant":
        values[:] = 7.0
    elif kind == "huge":
        values = values * 1e306
    elif kind == "negative":
        values = values - 25
    elif kind == "text":
        return pd.Series(values.astype(int).astype(str), dtype=object)
    elif kind == "none" and n:
        return pd.Series(values).astype(object).where(values > 10, None)
    return pd.Series(values)


@st.composite
def malformed_tables(draw, kinds=tuple(KINDS)):
    n = draw(st.integers(0, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    columns = {c: _column(draw(st.sampled_from(kinds)), n, rng) for c in RFM_COLS}
    frame = pd.DataFrame(columns)
    if draw(st.booleans()):
        frame["note"] = "x"
    if draw(st.booleans()):  # a second column with the name of another one
        copy = frame[[draw(st.sampled_from(list(frame.columns)))]]
        frame = pd.concat([frame, copy], axis=1)
    if not frame.columns.has_duplicates and draw(st.booleans()):
        pl = pytest.importorskip("polars")
        return pl.from_pandas(frame, nan_to_null=False)
    return frame


RFM_COLS = ("recency", "frequency", "monetary")


def _snapshot(X):
    if isinstance(X, pd.DataFrame):
        return X.copy(deep=True)
    return X.clone()


def _unchanged(X, before):
    if isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(X, before)
    else:
        assert X.equals(before, null_equal=True) and X.columns == before.columns


@pytest.mark.parametrize("name", list(ESTIMATORS))
@settings(SETTINGS, max_examples=30)
@given(data=st.data())
def test_malformed_tables_fit_or_get_a_named_error(name, data):
    X = data.draw(malformed_tables(tuple(KINDS)))
    before = _snapshot(X)
    columns = [str(c) for c in X.columns]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est = ESTIMATORS[name]().fit(X)
            if hasattr(est, "predict"):
                est.predict(X)
            else:
                est.transform(X)
        except (ValueError, TypeError) as exc:
            message = str(exc)
            named = [c for c in columns if f"'{c}'" in message]
            assert named or "X " in message or "n_samples" in message, message
    _unchanged(X, before)
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not runtime, [str(w.message) for w in runtime]


@settings(SETTINGS, max_examples=30)
@given(data=st.data())
def test_validation_on_malformed_tables_succeeds_or_names_the_problem(data):
    X = data.draw(malformed_tables(tuple(KINDS)))
    n = len(X)
    labels = np.asarray(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    before, labels_before = _snapshot(X), labels.copy()
    columns = [str(c) for c in X.columns]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            report = validate_segmentation(labels, X, n_bootstrap=2, random_state=0)
            assert report.verdict in (
                "supported",
                "partially supported",
                "not supported",
            )
        except (ValueError, TypeError) as exc:
            message = str(exc)
            named = [c for c in columns if f"'{c}'" in message]
            assert (
                named or "X" in message or "labels" in message or "segment" in message
            ), message
    _unchanged(X, before)
    np.testing.assert_array_equal(labels, labels_before)
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not runtime, [str(w.message) for w in runtime]
