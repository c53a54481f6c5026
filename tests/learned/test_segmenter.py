"""Tests of CustomerSegmenter and its preprocessing, against planted truth."""

import warnings

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config
from sklearn.cluster import KMeans, MeanShift
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import make_pipeline

from custseg import CustomerSegmenter, LogRobustScaler, RFMTransformer, rfm_table
from custseg.datasets import PERSONAS, make_transactions

COLUMNS = dict(
    customer_col="customer_id",
    date_col="date",
    amount_col="amount",
    order_col="order_id",
)
ESTIMATORS = [
    pytest.param(None, id="kmeans"),
    pytest.param(GaussianMixture(), id="gaussian_mixture"),
]


@pytest.fixture(scope="module")
def planted():
    log, personas = make_transactions(1500, random_state=7)
    return log, personas


@pytest.fixture(scope="module")
def table(planted):
    log, _ = planted
    return rfm_table(log, **COLUMNS)


def _majority_name(seg, labels, personas, persona):
    names = pd.Series(seg.segment_names_[labels], index=personas.index)
    return names[personas == persona].mode()[0]


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_pipeline_recovers_planted_personas_and_names_them(planted, estimator):
    log, personas = planted
    pipe = make_pipeline(
        RFMTransformer(**COLUMNS), CustomerSegmenter(estimator, random_state=0)
    ).fit(log)
    seg = pipe[-1]
    customers = pipe[0].transform(log).index
    truth = personas.loc[customers]
    assert seg.n_segments_ == len(PERSONAS)  # "auto" finds the planted number
    assert adjusted_rand_score(truth, seg.labels_) >= 0.85

    def name_of(persona):
        return _majority_name(seg, seg.labels_, truth, persona)

    champions = name_of("champions")
    assert champions.startswith("Recent ") and "frequent big spenders" in champions
    assert name_of("lapsed").startswith("Lapsed ")
    at_risk = name_of("at_risk_big_spenders")
    assert at_risk.startswith(("Lapsing ", "Lapsed ")) and "big spenders" in at_risk
    assert name_of("new").startswith("Recent ")
    assert name_of("new").split()[1] in ("one-off", "infrequent")
    profiles = seg.profiles_.set_index("name")
    assert profiles.loc[champions, "rule_segment"] == "Champions"
    assert len(set(seg.segment_names_)) == len(seg.segment_names_)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_fitted_pipeline_scores_new_customers(planted, estimator):
    log, _ = planted
    pipe = make_pipeline(
        RFMTransformer(**COLUMNS), CustomerSegmenter(estimator, random_state=0)
    ).fit(log)
    new_log, new_personas = make_transactions(600, random_state=99)
    labels = pipe.predict(new_log)
    customers = pipe[0].transform(new_log).index
    assert labels.shape == (600,)
    assert adjusted_rand_score(new_personas.loc[customers], labels) >= 0.85


def test_permuting_rows_keeps_every_customers_persona(table):
    seg = CustomerSegmenter(random_state=0).fit(table)
    names = pd.Series(seg.segment_names_[seg.labels_], index=table.index)
    shuffled = table.sample(frac=1.0, random_state=3)
    seg2 = CustomerSegmenter(random_state=0).fit(shuffled)
    names2 = pd.Series(seg2.segment_names_[seg2.labels_], index=shuffled.index)
    pd.testing.assert_series_equal(names2.loc[table.index], names)


def test_profiles_are_in_original_units(table):
    seg = CustomerSegmenter(n_segments=5, random_state=0).fit(table)
    medians = table.groupby(seg.labels_).median()
    for column in ("recency", "frequency", "monetary"):
        np.testing.assert_allclose(seg.profiles_[column], medians[column])
    assert seg.profiles_["customers"].sum() == len(table)
    np.testing.assert_allclose(seg.profiles_["revenue_share"].sum(), 1.0)
    assert not hasattr(seg, "k_selection_")


def test_polars_table_gives_the_same_segments_and_ids_are_not_features(table):
    pl = pytest.importorskip("polars")
    frame = pl.from_pandas(table.reset_index())  # customer_id is the 1st column
    seg_pd = CustomerSegmenter(random_state=0).fit(table)
    seg_pl = CustomerSegmenter(random_state=0).fit(frame)
    assert seg_pl.feature_names_in_.tolist() == ["recency", "frequency", "monetary"]
    np.testing.assert_array_equal(seg_pl.labels_, seg_pd.labels_)
    np.testing.assert_array_equal(seg_pl.predict(frame), seg_pd.labels_)


def test_default_and_selected_features():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "customer_id": np.arange(200),  # numeric id: never a feature
            "CustomerID": np.arange(200) + 1000,
            "age": rng.randint(18, 80, 200),
            "income": rng.gamma(2.0, 20_000.0, 200),
            "segment_hint": ["a"] * 200,  # text: skipped by default
        }
    )
    seg = CustomerSegmenter(n_segments=3, random_state=0).fit(X)
    assert seg.feature_names_in_.tolist() == ["age", "income"]
    seg = CustomerSegmenter(n_segments=3, features=["income"], random_state=0)
    assert seg.fit(X).n_features_in_ == 1
    assert seg.predict(X[["income"]]).shape == (200,)


def test_bad_input_names_the_column_and_is_not_mutated(table):
    original = table.copy()
    bad = table.copy()
    bad["monetary"] = bad["monetary"].astype(object)
    bad.iloc[0, bad.columns.get_loc("monetary")] = "n/a"
    with pytest.raises(TypeError, match="'monetary'"):
        CustomerSegmenter().fit(bad)
    missing = table.copy()
    missing.iloc[:3, missing.columns.get_loc("recency")] = np.nan
    with pytest.raises(ValueError, match=r"'recency' has 3 missing"):
        CustomerSegmenter().fit(missing)
    seg = CustomerSegmenter(n_segments=5, random_state=0).fit(table)
    pd.testing.assert_frame_equal(table, original)
    with pytest.raises(ValueError, match=r"\['frequency'\] not found"):
        seg.predict(table.drop(columns="frequency"))
    with pytest.raises(ValueError, match="by name"):
        CustomerSegmenter(features=["a"]).fit(table.to_numpy())


def test_not_fitted_and_optional_methods(table):
    seg = CustomerSegmenter()
    with pytest.raises(NotFittedError):
        seg.predict(table)
    kmeans = CustomerSegmenter(n_segments=5, random_state=0).fit(table)
    gmm = CustomerSegmenter(GaussianMixture(), n_segments=5, random_state=0)
    gmm.fit(table)
    assert not hasattr(kmeans, "predict_proba") and hasattr(kmeans, "transform")
    assert hasattr(gmm, "predict_proba") and not hasattr(gmm, "transform")
    proba = gmm.predict_proba(table)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba.argmax(axis=1), gmm.labels_)
    distances = kmeans.transform(table)
    np.testing.assert_array_equal(distances.argmin(axis=1), kmeans.labels_)


def test_estimator_without_a_k_parameter(table):
    small = table.iloc[:300]
    seg = CustomerSegmenter(MeanShift(bandwidth=1.0), n_segments=None).fit(small)
    assert seg.n_segments_ == seg.labels_.max() + 1
    assert len(seg.segment_names_) == seg.n_segments_
    with pytest.raises(ValueError, match="n_segments=None"):
        CustomerSegmenter(MeanShift()).fit(small)


def test_random_state_and_n_jobs_give_identical_results(table):
    params = dict(estimator=KMeans(), max_segments=6, n_bootstrap=4, random_state=1)
    one = CustomerSegmenter(**params, n_jobs=1).fit(table)
    two = CustomerSegmenter(**params, n_jobs=2).fit(table)
    again = CustomerSegmenter(**params, n_jobs=1).fit(table)
    with parallel_config(backend="loky"):  # processes instead of threads
        processes = CustomerSegmenter(**params, n_jobs=2).fit(table)
    for other in (two, again, processes):
        pd.testing.assert_frame_equal(other.k_selection_, one.k_selection_)
        np.testing.assert_array_equal(other.labels_, one.labels_)
        np.testing.assert_array_equal(other.segment_names_, one.segment_names_)


def test_preprocessing_can_be_switched_off(table):
    off = CustomerSegmenter(n_segments=5, log_transform=False, scale=False)
    off.fit(table)
    assert not off.preprocessor_.log_mask_.any()
    np.testing.assert_array_equal(
        off.preprocessor_.transform(table.to_numpy()), table.to_numpy(dtype=float)
    )


def test_log_robust_scaler_picks_skewed_non_negative_columns():
    rng = np.random.RandomState(0)
    X = np.column_stack(
        [
            rng.lognormal(3.0, 1.0, 500),  # skewed, positive: logged
            rng.normal(50.0, 5.0, 500),  # symmetric: not logged
            -rng.lognormal(3.0, 1.0, 500),  # skewed but negative: not logged
            np.ones(500),  # constant: scaled by 1, not by 0
        ]
    )
    scaler = LogRobustScaler().fit(X)
    np.testing.assert_array_equal(scaler.log_mask_, [True, False, False, False])
    Z = scaler.transform(X)
    np.testing.assert_allclose(np.median(Z[:, :3], axis=0), 0.0, atol=1e-12)
    q1, q3 = np.percentile(Z[:, :3], [25, 75], axis=0)
    np.testing.assert_allclose(q3 - q1, 1.0)
    np.testing.assert_allclose(Z[:, 3], 0.0)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X)
    assert LogRobustScaler(log=True).fit(X).log_mask_.tolist() == [
        True,
        True,
        False,
        True,
    ]


@pytest.mark.slow
def test_online_retail_personas_are_unique(online_retail_path):
    from custseg.datasets import load_online_retail

    with pytest.warns(UserWarning, match="dropped"):
        log = load_online_retail(online_retail_path)
    customers = rfm_table(log, **COLUMNS)
    seg = CustomerSegmenter(random_state=0).fit(customers)
    assert seg.labels_.shape == (len(customers),)
    names = seg.profiles_["name"]
    assert names.is_unique and len(names) == seg.n_segments_
    assert seg.profiles_["customers"].sum() == len(customers)


def test_set_output_names_the_distance_columns(table):
    seg = CustomerSegmenter(n_segments=4, random_state=0).set_output(transform="pandas")
    out = seg.fit_transform(table)
    assert list(out.columns) == [f"customersegmenter{i}" for i in range(4)]
    assert out.index.equals(table.index)
    expected = seg.estimator_.transform(seg.preprocessor_.transform(table.to_numpy()))
    np.testing.assert_allclose(out.to_numpy(), expected)
    # a clusterer without transform: no transform, no set_output
    assert not hasattr(CustomerSegmenter(GaussianMixture()), "set_output")


def test_verbose_logs_the_search_over_k(caplog):
    import logging

    from custseg import CustomerSegmenter

    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "recency": rng.randint(0, 300, 200),
            "frequency": rng.randint(1, 20, 200),
            "monetary": rng.gamma(2.0, 50.0, 200),
        }
    )
    with caplog.at_level(logging.INFO, logger="custseg"):
        CustomerSegmenter(
            max_segments=4, n_bootstrap=2, random_state=0, verbose=True
        ).fit(X)
    messages = [r.getMessage() for r in caplog.records if r.name == "custseg"]
    assert [m for m in messages if "fitting k=" in m] == [
        f"CustomerSegmenter: fitting k={k} on 200 customers" for k in (2, 3, 4)
    ]
    assert any("chose k=" in m for m in messages)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="custseg"):
        CustomerSegmenter(max_segments=4, n_bootstrap=2, random_state=0).fit(X)
    assert not [r for r in caplog.records if r.name == "custseg"]


def _rfm_like(n=1500, seed=0):
    rng = np.random.RandomState(seed)
    return pd.DataFrame(
        {
            "recency": rng.randint(0, 365, n).astype(float),
            "frequency": rng.geometric(0.45, n).astype(float),  # a count
            "monetary": rng.lognormal(4.0, 1.0, n),
        }
    )


def test_gaussian_mixture_gets_a_floor_and_stops_collapsing_onto_counts():
    from custseg._learned._mixtures import degeneracy

    X = _rfm_like()
    scaler = LogRobustScaler().fit(X.to_numpy())
    Z = scaler.transform(X.to_numpy())
    # without a floor, components sit on frequency = 1, 2, 3, ...
    raw = GaussianMixture(8, random_state=0).fit(Z)
    assert "single values of feature 1" in degeneracy(raw, raw.predict(Z), 8, 3)
    seg = CustomerSegmenter(GaussianMixture(), n_segments=8, random_state=0).fit(X)
    # the floor: the rounding variance 1/12 of a unit step, carried through
    # the transform by finite differences, averaged over customers (frequency)
    x = X.to_numpy()
    up, down = x.copy(), x.copy()
    up[:, 1] += 1e-4
    down[:, 1] -= 1e-4
    slope = (scaler.transform(up)[:, 1] - scaler.transform(down)[:, 1]) / 2e-4
    np.testing.assert_allclose(
        seg.estimator_.reg_covar, np.mean(slope**2) / 12, rtol=1e-5
    )
    assert degeneracy(seg.estimator_, seg.labels_, 8, 3) == ""
    # a reg_covar above the floor is the user's and is kept
    big = CustomerSegmenter(GaussianMixture(reg_covar=0.5), n_segments=3).fit(X)
    assert big.estimator_.reg_covar == 0.5


def test_a_degenerate_solution_is_reported():
    X = _rfm_like(n=14, seed=1)
    with pytest.warns(UserWarning, match=r"k=6 is degenerate: \d+ of 6 segments"):
        CustomerSegmenter(n_segments=6, random_state=0).fit(X)
    # 40 customers: with 10 segments one holds a single customer
    X = _rfm_like(n=40, seed=1)
    seg = CustomerSegmenter(n_bootstrap=2, random_state=0).fit(X)
    table = seg.k_selection_
    assert table.loc[10, "degenerate"].endswith("segments have fewer than 4 customers")
    assert table.loc[seg.n_segments_, "degenerate"] == ""


def test_units_do_not_change_the_segments_even_near_the_float_limit():
    X = _rfm_like(n=400)
    fits = []
    for factor in (1.0, 1e100, 1e200):
        scaled = X.assign(monetary=X["monetary"] * factor)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # no overflow
            fits.append(CustomerSegmenter(n_segments=4, random_state=0).fit(scaled))
    for seg in fits:
        np.testing.assert_array_equal(seg.preprocessor_.log_mask_, [False, True, True])
    # log(x * c) = log(x) + log(c): the same segments in any unit (log1p
    # differs from log for small x, so the unscaled fit is close, not equal)
    assert adjusted_rand_score(fits[1].labels_, fits[2].labels_) == 1.0
    assert adjusted_rand_score(fits[0].labels_, fits[1].labels_) > 0.8


def test_two_customers_near_1e308_do_not_empty_the_other_segments():
    X = _rfm_like(n=40, seed=2)
    X.loc[[3, 17], "monetary"] = [1.5e308, 1.7e308]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        seg = CustomerSegmenter(n_segments=3, random_state=0).fit(X)
    sizes = np.bincount(seg.labels_, minlength=3)
    assert sizes.min() >= 2, sizes
    assert seg.preprocessor_.log_mask_[2]


def test_a_few_negative_values_get_a_signed_log_with_a_counted_warning():
    X = _rfm_like(n=1000, seed=3)
    X.loc[:8, "monetary"] = -X.loc[:8, "monetary"] / 10  # 9 net returns
    with pytest.warns(UserWarning, match="'monetary'.* 9 negative value"):
        scaler = LogRobustScaler().set_output(transform="default").fit(X)
    assert scaler.log_mask_.tolist() == [False, True, True]
    Z = scaler.transform(X)
    # sign(x) log1p(|x|), centred and scaled: order kept, negatives below 0
    expected = np.sign(X["monetary"]) * np.log1p(X["monetary"].abs())
    q1, med, q3 = np.percentile(expected, [25, 50, 75])
    np.testing.assert_allclose(Z[:, 2], (expected - med) / (q3 - q1))
    np.testing.assert_allclose(scaler.inverse_transform(Z)[:, 2], X["monetary"])
    with pytest.warns(UserWarning, match="'monetary' .* 9 negative"):
        seg = CustomerSegmenter(n_segments=3, random_state=0).fit(X)
    assert np.bincount(seg.labels_).min() / len(X) > 0.05


def test_refit_with_a_fixed_k_drops_the_search_results(table):
    seg = CustomerSegmenter(max_segments=4, n_bootstrap=2, random_state=0).fit(table)
    assert hasattr(seg, "k_selection_") and hasattr(seg, "k_preferred_")
    seg.set_params(n_segments=3).fit(table)
    assert not hasattr(seg, "k_selection_") and not hasattr(seg, "k_preferred_")
    assert seg.n_segments_ == 3


REAL_SPLITS = {
    "cdnow": ("cdnow_master_path", "1997-09-30", "1998-06-30", None),
    "online_retail": ("online_retail_path", "2011-08-31", "2011-12-09", "order_id"),
}


@pytest.mark.slow
@pytest.mark.parametrize(
    "dataset, estimator",
    [
        pytest.param("cdnow", None, id="cdnow-kmeans"),
        pytest.param("cdnow", GaussianMixture(), id="cdnow-gmm"),
        pytest.param("online_retail", None, id="online_retail-kmeans"),
        pytest.param(
            "online_retail",
            GaussianMixture(),
            id="online_retail-gmm",
            marks=pytest.mark.xfail(
                strict=True,
                reason="the mixture's stable k=3 separates holdout spend less "
                "(epsilon² 0.215) than the PyMC preset (0.296); no covariance "
                "type reaches it with 'auto' (diag 0.274, tied 0.184, "
                "spherical 0.248; each k=4 has a segment below the band) and "
                "full stays below it at every k up to 10 (0.287)",
            ),
        ),
    ],
)
def test_auto_k_on_real_data_beats_every_rfm_preset_on_holdout_spend(
    request, dataset, estimator
):
    from scipy.stats import kruskal

    from custseg import RFMSegmenter, calibration_holdout_split, validate_segmentation
    from custseg.datasets import load_cdnow, load_online_retail

    fixture, cutoff, end, order_col = REAL_SPLITS[dataset]
    path = request.getfixturevalue(fixture)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the loaders' counted drops
        log = (load_cdnow if dataset == "cdnow" else load_online_retail)(path)
        X, outcomes = calibration_holdout_split(
            log, cutoff, holdout_end=end, order_col=order_col
        )
    spend = outcomes["spend"].reindex(X.index).to_numpy()

    def epsilon_squared(labels):
        groups = [spend[labels == g] for g in np.unique(labels)]
        return kruskal(*groups).statistic / (len(spend) - 1)

    seg = CustomerSegmenter(estimator, random_state=0).fit(X)
    shares = np.bincount(seg.labels_) / len(X)
    assert seg.n_segments_ >= 3
    assert shares.min() >= 0.02
    assert len(set(seg.segment_names_)) == seg.n_segments_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # rule catch-all notices
        presets = {
            name: epsilon_squared(RFMSegmenter(name).fit(X).labels_)
            for name in ("putler", "r_rfm", "pymc")
        }
    assert epsilon_squared(seg.labels_) >= max(presets.values()), presets
    outcome = outcomes[["spend", "bought_again"]]
    report = validate_segmentation(
        seg, X, outcome=outcome, n_bootstrap=10, random_state=0
    )
    assert report.verdict == "supported", report.reasons


def test_log_robust_scaler_names_a_text_id_column_of_a_polars_table():
    pl = pytest.importorskip("polars")
    from custseg import rfm_table
    from custseg.datasets import make_transactions

    log, _ = make_transactions(30, random_state=0)
    log["customer_id"] = "C" + log["customer_id"].astype(str)
    table = rfm_table(pl.from_pandas(log))
    before = table.clone()
    with pytest.raises(
        TypeError,
        match=r"column 'customer_id' must be numeric.*scales numeric columns only",
    ):
        LogRobustScaler().fit(table)
    assert table.equals(before)
    # the feature columns alone are scaled as usual
    Z = LogRobustScaler().fit_transform(table.drop("customer_id"))
    assert Z.shape == (len(table), 3)
