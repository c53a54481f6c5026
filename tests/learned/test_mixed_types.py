"""Learned segments on mixed numeric and categorical customer features."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from custseg import CustomerSegmenter, rfm_table
from custseg.datasets import ATTRIBUTES, make_transactions

RFM = ["recency", "frequency", "monetary"]
PLANTED = [*RFM, "channel", "region"]


@pytest.fixture(scope="module")
def planted():
    log, truth = make_transactions(1500, attributes=True, random_state=0)
    table = rfm_table(
        log,
        customer_col="customer_id",
        date_col="date",
        amount_col="amount",
        order_col="order_id",
    )
    # the attributes are constant per customer: any row gives the value
    table = table.join(log.groupby("customer_id")[list(ATTRIBUTES)].first())
    rng = np.random.RandomState(1)
    table["newsletter"] = rng.randint(0, 2, len(table))  # a 0/1 flag, pure noise
    return table, truth.loc[table.index]


def test_default_output_of_make_transactions_is_unchanged():
    plain, truth = make_transactions(300, random_state=3)
    rich, truth_rich = make_transactions(300, attributes=True, random_state=3)
    pd.testing.assert_frame_equal(rich[plain.columns], plain)
    pd.testing.assert_series_equal(truth, truth_rich)
    per_customer = rich.groupby("customer_id")[list(ATTRIBUTES)].nunique()
    assert (per_customer == 1).all().all()


def test_planted_attributes_differ_by_persona_and_noise_does_not(planted):
    table, truth = planted
    channel = pd.crosstab(truth, table["channel"], normalize="index")
    # the champions' app share was planted at 0.70, the new customers' at 0.20
    assert channel.loc["champions", "app"] > 0.55
    assert channel.loc["new", "app"] < 0.35
    payment = pd.crosstab(truth, table["payment"], normalize="index")
    assert (payment["card"] - 0.5).abs().max() < 0.12


def test_default_recovers_planted_personas_at_the_true_k(planted):
    table, truth = planted
    seg = CustomerSegmenter(n_segments=5, features=PLANTED, random_state=0)
    seg.fit(table)
    assert adjusted_rand_score(truth, seg.labels_) >= 0.9


@pytest.mark.parametrize("noise", ["payment", "newsletter"])
def test_noise_attribute_barely_changes_the_labels(planted, noise):
    table, _ = planted
    base = CustomerSegmenter(n_segments=5, features=PLANTED, random_state=0)
    noisy = CustomerSegmenter(n_segments=5, features=[*PLANTED, noise], random_state=0)
    a, b = base.fit_predict(table), noisy.fit_predict(table)
    assert adjusted_rand_score(a, b) >= 0.95


def test_auto_picks_the_true_k_on_mixed_data(planted):
    table, truth = planted
    seg = CustomerSegmenter(features=PLANTED, random_state=0)  # default k rule
    seg.fit(table)
    assert seg.n_segments_ == 5
    assert adjusted_rand_score(truth, seg.labels_) >= 0.9


def test_each_categorical_block_weighs_as_a_fixed_share_of_a_variable(planted):
    table, _ = planted
    seg = CustomerSegmenter(n_segments=3, features=PLANTED, random_state=0)
    seg.fit(table)
    Z = seg.preprocessor_.transform(table[PLANTED]).toarray()  # sparse for k-means
    names = list(seg.preprocessor_.get_feature_names_out())
    numeric_var = np.median(Z[:, :3].var(axis=0))
    for column in ("channel", "region"):
        block = [i for i, n in enumerate(names) if n.startswith(column + "=")]
        assert len(block) == table[column].nunique()
        # total variance of the block = weight^2 x median numeric variance
        np.testing.assert_allclose(
            Z[:, block].var(axis=0).sum(), 0.35**2 * numeric_var, rtol=1e-10
        )


def test_category_shares_in_profiles_equal_a_crosstab(planted):
    table, _ = planted
    seg = CustomerSegmenter(n_segments=5, features=PLANTED, random_state=0)
    seg.fit(table)
    for column in ("channel", "region"):
        crosstab = pd.crosstab(seg.labels_, table[column].to_numpy())
        expected_level = crosstab.idxmax(axis=1)
        expected_share = crosstab.max(axis=1) / crosstab.sum(axis=1)
        np.testing.assert_array_equal(
            seg.profiles_[column].to_numpy(), expected_level.to_numpy()
        )
        np.testing.assert_allclose(
            seg.profiles_[f"{column}_share"].to_numpy(), expected_share.to_numpy()
        )


def test_unseen_category_at_predict_gets_an_all_zero_block(planted):
    table, _ = planted
    seg = CustomerSegmenter(n_segments=5, features=PLANTED, random_state=0)
    seg.fit(table)
    new = table.head(6).copy()
    new.iloc[:2, new.columns.get_loc("channel")] = "phone"
    with pytest.warns(
        UserWarning, match=r"category not seen in fit \(2 in 'channel'\)"
    ):
        Z = seg.preprocessor_.transform(new[PLANTED]).toarray()
    names = list(seg.preprocessor_.get_feature_names_out())
    block = [i for i, n in enumerate(names) if n.startswith("channel=")]
    assert (Z[:2][:, block] == 0).all()
    assert (Z[2:][:, block] > 0).sum(axis=1).tolist() == [1, 1, 1, 1]
    with pytest.warns(UserWarning, match="2 in 'channel'"):
        labels = seg.predict(new)
    # the known rows keep their fitted segment
    np.testing.assert_array_equal(labels[2:], seg.labels_[2:6])


def test_polars_and_pandas_give_identical_labels(planted):
    pl = pytest.importorskip("polars")
    table, _ = planted
    frame = pl.from_pandas(table.reset_index())
    frame = frame.with_columns(pl.col("region").cast(pl.Categorical))
    a = CustomerSegmenter(n_segments=5, features=PLANTED, random_state=0).fit(table)
    b = CustomerSegmenter(n_segments=5, features=PLANTED, random_state=0).fit(frame)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.segment_names_, b.segment_names_)
    np.testing.assert_array_equal(a.predict(table), b.predict(frame))


def test_unused_text_columns_are_named_in_a_warning(planted):
    table, _ = planted
    with pytest.warns(UserWarning, match=r"\['channel', 'region', 'payment'\]"):
        CustomerSegmenter(n_segments=3, random_state=0).fit(table)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CustomerSegmenter(n_segments=3, random_state=0).fit(table[RFM])


def test_bad_mixed_input_is_named_and_missing_is_a_level(planted):
    table, _ = planted
    original = table.copy()
    mixed = table.assign(channel=table["channel"].astype(object))
    mixed.iloc[0, mixed.columns.get_loc("channel")] = 3
    with pytest.raises(TypeError, match="'channel'.*mixes 1 numbers with"):
        CustomerSegmenter(features=PLANTED).fit(mixed)
    money = table.assign(spend=table["monetary"].map("${:,.2f}".format))
    with pytest.raises(TypeError, match="'spend' holds numbers written as text"):
        CustomerSegmenter(features=[*RFM, "spend"]).fit(money)
    dates = table.assign(first=pd.Timestamp("2024-01-01"))
    with pytest.raises(TypeError, match=r"\['first'\] hold dates"):
        CustomerSegmenter(features=[*RFM, "first"]).fit(dates)
    holes = table.assign(region=table["region"].where(np.arange(len(table)) % 7 > 0))
    seg = CustomerSegmenter(n_segments=4, features=PLANTED, random_state=0).fit(holes)
    assert "(missing)" in seg.preprocessor_.levels_["region"]
    pd.testing.assert_frame_equal(table, original)


def test_a_flag_does_not_dominate_the_clustering():
    # a behaviour-free 0/1 flag held by 10% of customers: scaled as a number
    # (IQR 0, standard deviation 0.3) it would make its own cluster
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "recency": np.r_[rng.randint(0, 30, 300), rng.randint(200, 400, 300)],
            "monetary": np.r_[rng.gamma(9, 100, 300), rng.gamma(2, 20, 300)],
            "flag": (rng.uniform(size=600) < 0.1).astype(int),
        }
    )
    truth = np.repeat([0, 1], 300)
    seg = CustomerSegmenter(n_segments=2, features=list(X), random_state=0).fit(X)
    assert adjusted_rand_score(truth, seg.labels_) >= 0.95


def test_mall_customers_with_genre(mall_customers_path):
    mall = pd.read_csv(mall_customers_path)
    features = ["Genre", "Age", "Annual_Income", "Spending_Score"]
    seg = CustomerSegmenter(n_segments=6, features=features, random_state=0)
    seg.fit(mall)
    assert set(seg.profiles_["Genre"]) <= {"Female", "Male"}
    names = seg.profiles_["name"]
    assert names.is_unique and not names.str.contains("#|rank").any()
    words = {"Annual_Income": " annual income", "Spending_Score": "-spending"}
    checked = 0
    for feature, tail in words.items():
        population = mall[feature].to_numpy()
        medians = mall[feature].groupby(seg.labels_).median()
        for label, median in medians.items():
            # mid-rank percentile of the segment median, computed here
            pct = (population < median).sum() + 0.5 * (population == median).sum()
            pct /= population.size
            if 0.4 <= pct < 0.6:
                checked += 1
                assert f"average{tail}" in names[label]
                assert f"low{tail}" not in names[label]
                assert f"high{tail}" not in names[label]
    assert checked >= 1


def test_encoder_reads_an_array_by_position_and_plots_work(planted):
    table, _ = planted
    seg = CustomerSegmenter(n_segments=5, features=PLANTED, random_state=0).fit(table)
    by_name = seg.preprocessor_.transform(table[PLANTED]).toarray()
    by_position = seg.preprocessor_.transform(table[PLANTED].to_numpy()).toarray()
    np.testing.assert_array_equal(by_name, by_position)
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from custseg import SegmentProfileDisplay, SilhouetteDisplay

    display = SilhouetteDisplay.from_estimator(seg, table)
    assert len(display.silhouette_values) == len(table)
    SegmentProfileDisplay.from_estimator(seg)


def test_segment_profiles_default_describes_text_and_boolean_columns():
    from custseg import segment_profiles

    X = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4, 5, 6],
            "country": ["UK", "UK", "FR", "DE", "DE", None],
            "app": [True, False, True, True, True, False],
            "monetary": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "first": pd.to_datetime(["2024-01-01"] * 6),
        }
    )
    out = segment_profiles(X, [0, 0, 0, 1, 1, 1])
    assert "customer_id" not in out and "first" not in out
    # by hand: segment 0 is UK 2 of 3; segment 1 is DE 2 of 3 (missing is a level)
    assert out["country"].tolist() == ["UK", "DE"]
    np.testing.assert_allclose(out["country_share"], [2 / 3, 2 / 3])
    assert out["app"].tolist() == ["True", "True"]
    np.testing.assert_allclose(out["app_share"], [2 / 3, 2 / 3])
    np.testing.assert_allclose(out["monetary"], [2.0, 5.0])


def test_kmeans_gets_the_one_hot_blocks_sparse_with_the_same_labels(planted):
    from scipy import sparse
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture

    table, _ = planted
    seg = CustomerSegmenter(n_segments=5, features=PLANTED, random_state=0).fit(table)
    Z = seg.preprocessor_.transform(table[PLANTED])
    assert sparse.issparse(Z)
    # 3 numeric values + one stored value per categorical in every row
    assert Z.nnz == len(table) * 5
    # the same k-means on the dense matrix (the former encoding) agrees
    dense = KMeans(5, n_init=3, random_state=seg.estimator_.random_state)
    assert adjusted_rand_score(dense.fit(Z.toarray()).labels_, seg.labels_) == 1.0
    # mixtures take no sparse input: they keep the dense encoding
    gmm = CustomerSegmenter(
        GaussianMixture(random_state=0), n_segments=3, features=PLANTED
    ).fit(table)
    assert isinstance(gmm.preprocessor_.transform(table[PLANTED]), np.ndarray)


def test_sparse_and_dense_encodings_are_equal_with_missing_and_unseen_levels(planted):
    from custseg._learned._mixed_encoder import MixedEncoder

    table, _ = planted
    X = table[[*PLANTED, "newsletter"]].copy()
    X.loc[X.index[::9], "region"] = None
    dense = MixedEncoder().fit(X)
    sparse = MixedEncoder(sparse_output=True).fit(X)
    new = X.head(20).copy()
    new.iloc[:3, new.columns.get_loc("channel")] = "carrier pigeon"
    with pytest.warns(UserWarning, match="3 in 'channel'"):
        expected = dense.transform(new)
    with pytest.warns(UserWarning, match="3 in 'channel'"):
        got = sparse.transform(new)
    np.testing.assert_array_equal(got.toarray(), expected)
    assert got.nnz == 20 * 6 - 3  # unseen levels store nothing
    np.testing.assert_array_equal(sparse.transform(X).toarray(), dense.transform(X))


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(["b", None, "a", "b", "a"]),
        pd.Series([True, False, True]),
        pd.Series([0, 1, None, 1], dtype="Int64"),
        pd.Series([1.0, np.nan, 0.0]),
        pd.Series(["x", "y", None], dtype="category"),
        pd.Series([1, "1", "z"], dtype=object),  # the same text: one level
    ],
)
def test_level_codes_equal_the_column_as_text(values):
    from custseg._tables import level_codes

    codes, names = level_codes(values)
    # the slow obvious way: every value as text, missing as "(missing)"
    text = values.astype(object).where(values.notna(), "(missing)").map(str)
    np.testing.assert_array_equal(names[codes], text.to_numpy(dtype=str))
    assert names.tolist() == sorted(set(text))


def test_search_on_a_subset_of_sparse_rows_picks_the_true_k(planted):
    table, truth = planted
    seg = CustomerSegmenter(features=PLANTED, search_size=1000, random_state=0)
    seg.fit(table)
    assert seg.n_segments_ == 5
    assert adjusted_rand_score(truth, seg.labels_) >= 0.9
