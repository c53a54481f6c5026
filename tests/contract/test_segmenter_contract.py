"""One segmenter contract: the same reading, attributes and refusals for all.

Every segmenter reads its customer table through one reader, so the cases
below are parametrized over all of them and over pandas and polars inputs.
Expected values are computed here independently (plain pandas, by hand).
"""

import logging
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score

from custseg import (
    CustomerSegmenter,
    QuantileSegmenter,
    RandomSegmenter,
    RFMScorer,
    RFMSegmenter,
    UsageTiers,
    rfm_table,
    segment_profiles,
)
from custseg.datasets import make_transactions

SEGMENTERS = {
    "RFMSegmenter": lambda: RFMSegmenter(),
    "UsageTiers": lambda: UsageTiers(),
    "QuantileSegmenter": lambda: QuantileSegmenter("monetary"),
    "RandomSegmenter": lambda: RandomSegmenter(3, random_state=0),
    "CustomerSegmenter": lambda: CustomerSegmenter(
        n_segments=3, n_bootstrap=0, random_state=0
    ),
}
ESTIMATORS = {**SEGMENTERS, "RFMScorer": lambda: RFMScorer(n_bins=3)}
# the columns each estimator reads by default (feature_names_in_)
READS = {
    "RFMSegmenter": ["recency", "frequency", "monetary"],
    "RFMScorer": ["recency", "frequency", "monetary"],
    "UsageTiers": ["frequency"],
    "QuantileSegmenter": ["monetary"],
    "CustomerSegmenter": ["recency", "frequency", "monetary"],
}
KW = dict(customer_col="customer_id", date_col="date", amount_col="amount")


def customers(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "recency": rng.integers(0, 300, n),
            "frequency": rng.integers(1, 20, n),
            "monetary": np.round(rng.gamma(2.0, 50.0, n), 2),
        },
        index=pd.Index([f"c{i:02d}" for i in range(n)], name="customer_id"),
    )


def quiet_fit(make, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # ties, catch-all
        return make().fit(X)


def to_frame(kind, X):
    if kind == "pandas":
        return X
    return pytest.importorskip("polars").from_pandas(X.reset_index())


# --- the same fitted attributes -----------------------------------------------


@pytest.mark.parametrize("kind", ["pandas", "polars"])
@pytest.mark.parametrize("name", list(SEGMENTERS))
def test_every_segmenter_has_the_same_fitted_attributes(name, kind):
    X = to_frame(kind, customers().assign(note="text", day=pd.Timestamp("2024-01-01")))
    seg = SEGMENTERS[name]()
    with pytest.raises(NotFittedError):
        seg.predict(X)
    seg = quiet_fit(SEGMENTERS[name], X)
    assert seg.labels_.dtype == np.int64 and seg.labels_.shape == (60,)
    assert seg.n_segments_ == len(seg.segment_names_) == len(seg.profiles_)
    assert list(seg.profiles_.columns[:4]) == [
        "name",
        "description",
        "customers",
        "share",
    ]
    assert seg.profiles_["description"].map(type).eq(str).all()
    assert seg.profiles_["customers"].sum() == 60
    reads = READS.get(name)
    if reads is None:  # RandomSegmenter reads no value, it records every column
        reads = list(X.columns)
    assert list(seg.feature_names_in_) == reads
    assert seg.n_features_in_ == len(reads)
    if name != "RandomSegmenter":  # random draws in predict, by design
        np.testing.assert_array_equal(seg.predict(X), seg.labels_)
    np.testing.assert_array_equal(SEGMENTERS[name]().fit_predict(X), seg.labels_)


def test_description_column_says_what_each_segment_holds():
    X = pd.DataFrame({"frequency": [1, 1, 2, 2, 3, 4, 5, 8, 12, 40]})
    tiers = UsageTiers().fit(X)  # bounds 12 and 4, worked out in the docstring
    assert tiers.profiles_["description"].tolist() == [
        "frequency >= 12",
        "frequency >= 4 and < 12",
        "frequency < 4",
    ]
    quant = QuantileSegmenter("frequency", n_segments=2).fit(X)
    # the median of the 10 values is 3.5
    assert quant.profiles_["description"].tolist() == [
        "frequency below 3.5",
        "frequency at least 3.5",
    ]


def test_refit_leaves_no_stale_attribute():
    X = customers()
    seg = CustomerSegmenter(max_segments=3, n_bootstrap=0, random_state=0).fit(X)
    assert hasattr(seg, "k_selection_") and hasattr(seg, "k_preferred_")
    seg.set_params(n_segments=2).fit(X)
    assert not hasattr(seg, "k_selection_") and not hasattr(seg, "k_preferred_")
    assert seg.n_segments_ == 2
    rfm = RFMSegmenter().fit(X)
    assert rfm.scorer_ is not None
    scores = RFMScorer().fit(X).transform(X)
    frame = pd.DataFrame(
        scores, columns=["recency_score", "frequency_score", "monetary_score"]
    )
    rfm.set_params(scorer="passthrough").fit(frame)
    assert rfm.scorer_ is None
    assert list(rfm.feature_names_in_) == list(frame.columns)


@pytest.mark.parametrize("name", list(READS))
def test_unused_columns_are_never_read(name):
    # text, dates, complex numbers and missing values outside the columns read
    X = customers().assign(
        city="Lyon",
        first_day=pd.Timestamp("2024-01-01"),
        z=np.full(60, 1 + 2j),
        empty=np.nan,
        code=[str(i) for i in range(60)],
    )
    seg = quiet_fit(ESTIMATORS[name], X)
    assert list(seg.feature_names_in_) == READS[name]
    # predict needs the columns read, not the others
    if hasattr(seg, "predict"):
        np.testing.assert_array_equal(seg.predict(X[READS[name]]), seg.labels_)


def test_polars_string_id_is_never_a_feature():
    pl = pytest.importorskip("polars")
    X = pl.from_pandas(customers().reset_index())
    seg = CustomerSegmenter(n_segments=3, n_bootstrap=0, random_state=0).fit(X)
    assert list(seg.feature_names_in_) == ["recency", "frequency", "monetary"]
    ages = customers().reset_index().drop(columns=["recency", "frequency"])
    seg = CustomerSegmenter(n_segments=2, n_bootstrap=0, random_state=0).fit(
        pl.from_pandas(ages.assign(member_id=np.arange(60)))
    )
    assert list(seg.feature_names_in_) == ["monetary"]


# --- refusals that name the column or the argument ------------------------------


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_duplicate_column_names_are_refused(name):
    X = customers()
    X = pd.concat([X, X[["monetary"]]], axis=1)
    with pytest.raises(ValueError, match=r"duplicate column names \['monetary'\]"):
        quiet_fit(ESTIMATORS[name], X)


def test_duplicate_column_names_in_pyarrow_are_refused():
    pa = pytest.importorskip("pyarrow")
    X = customers().reset_index()
    table = pa.Table.from_arrays(
        [pa.array(X[c]) for c in X.columns] + [pa.array(X["frequency"])],
        names=[*X.columns, "frequency"],
    )
    with pytest.raises(ValueError, match=r"duplicate column names \['frequency'\]"):
        UsageTiers().fit(table)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_a_transaction_log_is_refused(name):
    log, _ = make_transactions(30, random_state=0)
    log = log.assign(recency=1, frequency=1, monetary=log["amount"])
    n_rows, n_customers = len(log), log["customer_id"].nunique()
    with pytest.raises(
        ValueError,
        match=f"transaction log.*'customer_id' repeats {n_rows - n_customers} "
        f"customer id\\(s\\) \\({n_rows} rows for {n_customers} customers\\)",
    ):
        quiet_fit(ESTIMATORS[name], log)


@pytest.mark.parametrize("name", list(READS))
def test_numeric_strings_are_text_not_numbers(name):
    X = customers().astype({"frequency": str, "monetary": str})
    with pytest.raises(TypeError, match=r"column '(frequency|monetary)'.*text"):
        quiet_fit(ESTIMATORS[name], X)


@pytest.mark.parametrize("name", list(READS))
def test_complex_numbers_are_refused(name):
    X = customers().astype({"frequency": complex, "monetary": complex})
    with pytest.raises(TypeError, match=r"column '(frequency|monetary)'.*complex"):
        quiet_fit(ESTIMATORS[name], X)


@pytest.mark.parametrize("name", list(READS))
def test_date_columns_read_are_refused(name):
    X = customers().assign(
        frequency=pd.Timestamp("2024-01-01"), monetary=pd.Timestamp("2024-01-01")
    )
    with pytest.raises(TypeError, match=r"column '(frequency|monetary)'.*datetime"):
        quiet_fit(ESTIMATORS[name], X)


def test_bad_parameters_give_clear_errors():
    X = customers()
    with pytest.raises(ValueError, match=r"shares must be 2 non-negative finite"):
        RandomSegmenter(2, shares=[np.nan, 1]).fit(X)
    with pytest.raises(TypeError, match="shares must be numbers"):
        RandomSegmenter(2, shares=["a", "b"]).fit(X)
    with pytest.raises(TypeError, match=r"thresholds\['recency'\] must be numbers"):
        RFMScorer(thresholds={"recency": list("abcd")}).fit(X)
    with pytest.raises(ValueError, match="column=7 is out of range"):
        QuantileSegmenter(7).fit(X)


# --- lazy results chain -----------------------------------------------------------


@pytest.mark.parametrize("engine", ["polars-lazy", "duckdb"])
@pytest.mark.parametrize("name", list(SEGMENTERS))
def test_lazy_rfm_tables_chain_into_every_segmenter(engine, name, caplog):
    pl = pytest.importorskip("polars")
    log, _ = make_transactions(80, random_state=1)
    eager = rfm_table(log, **KW)  # pandas, indexed by customer id
    if engine == "polars-lazy":
        native = pl.from_pandas(log).lazy()
    else:
        duckdb = pytest.importorskip("duckdb")
        native = duckdb.from_arrow(pl.from_pandas(log).to_arrow())
    lazy = rfm_table(native, **KW)
    # lazy engines may emit the groups in any order on each collect; a fixed
    # order keeps the comparison with the pandas fit about chaining, not order
    lazy = (
        lazy.sort("customer_id")
        if engine == "polars-lazy"
        else lazy.order("customer_id")
    )
    with caplog.at_level(logging.INFO, logger="custseg"):
        seg = quiet_fit(SEGMENTERS[name], lazy)
    assert f"{len(eager)} rows" in caplog.text
    assert isinstance(seg.labels_, np.ndarray) and seg.labels_.shape == (len(eager),)
    assert list(seg.feature_names_in_) == READS.get(name, list(eager.reset_index()))
    # a lazy result has no row order: compare the models on the pandas table
    reference = quiet_fit(SEGMENTERS[name], eager)
    if name == "RandomSegmenter":
        return
    predicted = seg.predict(eager)
    if name == "CustomerSegmenter":  # k-means starts depend on the row order
        assert adjusted_rand_score(predicted, reference.labels_) > 0.9
    else:
        np.testing.assert_array_equal(predicted, reference.labels_)
    assert sorted(seg.predict(lazy)) == sorted(seg.labels_)


@pytest.mark.slow
@pytest.mark.spark
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_spark_rfm_table_chains_into_a_segmenter(spark):
    log, _ = make_transactions(40, random_state=2)
    eager = rfm_table(log, **KW)
    native = spark.createDataFrame(log.astype({"customer_id": object}))
    seg = UsageTiers().fit(rfm_table(native, **KW))
    expected = UsageTiers().fit(eager)
    assert sorted(seg.labels_.tolist()) == sorted(expected.labels_.tolist())
    np.testing.assert_array_equal(seg.thresholds_, expected.thresholds_)


def test_a_log_indexed_by_repeated_customer_ids_is_refused():
    X = customers().iloc[[0, 0, 1]]  # rows of one customer twice
    with pytest.raises(ValueError, match="'customer_id' repeats 1 customer id"):
        UsageTiers().fit(X)


@pytest.mark.parametrize("name", list(READS))
def test_predict_needs_the_columns_read_in_fit(name):
    X = customers()
    seg = quiet_fit(ESTIMATORS[name], X)
    method = seg.predict if hasattr(seg, "predict") else seg.transform
    read = READS[name][-1]
    with pytest.raises(ValueError, match=rf"\['{read}'\] not found"):
        method(X.drop(columns=read))
    # columns it does not read may differ
    expected = method(X)
    np.testing.assert_array_equal(method(X[READS[name]].assign(other="x")), expected)


def test_booleans_and_numbers_held_as_objects_are_numbers():
    X = customers()
    flags = X.assign(frequency=X["frequency"] > 10)  # a boolean usage column
    with pytest.warns(UserWarning, match="share the value"):  # ties at a bound
        tiers = UsageTiers().fit(flags)
    heavy = flags["frequency"].to_numpy()
    assert np.unique(tiers.labels_[heavy]).size == 1
    assert tiers.labels_[heavy][0] < tiers.labels_[~heavy].min()
    objects = X.astype({"monetary": object})
    a = QuantileSegmenter("monetary").fit(objects)
    b = QuantileSegmenter("monetary").fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)


def test_values_near_the_float_limit_give_finite_shares():
    X = customers().assign(monetary=lambda d: d["monetary"] * 1e305)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        tiers = UsageTiers("monetary", method="jenks").fit(X)
        small = UsageTiers("monetary", method="jenks").fit(customers())
        seg = RFMSegmenter().fit(X)
    # the partition does not depend on the unit
    np.testing.assert_array_equal(tiers.labels_, small.labels_)
    np.testing.assert_allclose(tiers.tiers_["value_share"], small.tiers_["value_share"])
    assert tiers.gini_ == pytest.approx(small.gini_)
    assert np.isfinite(seg.profiles_["revenue_share"]).all()
    assert seg.profiles_["revenue_share"].sum() == pytest.approx(1.0)


def test_lazy_tables_chain_into_profiles_and_validation():
    pl = pytest.importorskip("polars")
    from custseg import validate_segmentation

    log, _ = make_transactions(80, random_state=1)
    lazy = rfm_table(pl.from_pandas(log).lazy(), **KW)
    collected = lazy.collect()
    labels = (collected["monetary"] > collected["monetary"].median()).cast(pl.Int64)
    out = segment_profiles(
        collected.lazy().sort("customer_id"),
        labels.to_numpy()[
            np.argsort(collected["customer_id"].to_numpy(), kind="stable")
        ],
    )
    frame = collected.to_pandas()
    expected = frame.groupby(labels.to_numpy())["monetary"].median()
    np.testing.assert_allclose(out["monetary"], expected)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        report = validate_segmentation(
            UsageTiers("monetary"), lazy, n_bootstrap=0, random_state=0
        )
    assert report.segments["customers"].sum() == len(frame)
